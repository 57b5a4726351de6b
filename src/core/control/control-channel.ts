/**
 * The local control channel: how `tokentray …` commands talk to a running daemon (the tray
 * app or `tokentray serve`) instead of racing it for the vault and the refresh tokens.
 *
 * A Unix socket in the data directory (owner-only, 0700), or a named pipe on Windows. Every
 * connection starts with a challenge–response in which both sides prove they hold the vault
 * key, and every later message is sealed with keys of that connection alone
 * (control-handshake.ts), so only a process that can read this user's keychain entry may
 * drive the daemon, and a command never hands anything usable to an impostor.
 */
import type { DeviceCodePrompt } from '../../shared/tokentray-api.js';
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ONLY_DIRECTORY_MODE, currentUid } from '../storage/file-safety.js';

/** A request line larger than this is refused (and the connection closed). */
export const MAX_CONTROL_LINE_BYTES = 64 * 1024;
/** Answers may be larger (status of many accounts, recent requests). */
export const MAX_CONTROL_ANSWER_BYTES = 16 * 1024 * 1024;
export const CONTROL_SOCKET_NAME = 'control.sock';
/** sun_path holds ~104 bytes on macOS (108 on Linux). */
const MAX_SOCKET_PATH_BYTES = 100;

export interface ControlEndpoint {
  endpoint: string;
  /** Removes what the endpoint needed besides the socket (a private fallback directory). */
  cleanup(): Promise<void>;
}

/** The socket path inside the data directory, or null when it would be too long for sun_path. */
export function controlSocketInHome(home: string): string | null {
  const inHome = join(home, CONTROL_SOCKET_NAME);
  return Buffer.byteLength(inHome) < MAX_SOCKET_PATH_BYTES ? inHome : null;
}

async function privateRuntimeBase(env: NodeJS.ProcessEnv): Promise<string> {
  const runtime = env.XDG_RUNTIME_DIR;
  const uid = currentUid();
  if (runtime && uid !== null) {
    try {
      const stats = await lstat(runtime);
      if (stats.isDirectory() && stats.uid === uid && (stats.mode & 0o077) === 0) return runtime;
    } catch {
      // Not there: the temp dir, in a directory of our own below.
    }
  }
  return tmpdir();
}

/**
 * Where a daemon listens; the lock file records it for commands.
 *
 * Nothing outside the data directory has a name another user could take first: a deep data
 * directory gets a fresh directory from mkdtemp (random name, created 0700 by us), and a
 * Windows pipe name carries 16 random bytes.
 */
export async function prepareControlEndpoint(home: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<ControlEndpoint> {
  if (platform === 'win32') return { endpoint: `\\\\.\\pipe\\tokentray-${randomBytes(16).toString('hex')}`, cleanup: async () => undefined };
  const inHome = controlSocketInHome(home);
  if (inHome) return { endpoint: inHome, cleanup: async () => undefined };
  const directory = await mkdtemp(join(await privateRuntimeBase(env), 'tokentray-'));
  const stats = await lstat(directory);
  if ((stats.mode & 0o777) !== OWNER_ONLY_DIRECTORY_MODE) throw new Error(`mkdtemp made ${directory} with mode ${(stats.mode & 0o777).toString(8)}`);
  return { endpoint: join(directory, CONTROL_SOCKET_NAME), cleanup: () => rm(directory, { recursive: true, force: true }) };
}

export interface ControlRequest {
  id: number;
  method: string;
  params: unknown[];
}

export type ControlMessage =
  | { id: number; result: unknown }
  | { id: number; error: { code: string; message: string; hint?: string; details?: Record<string, string | number | boolean | null> } }
  | { id: number; event: 'authorize-url'; url: string }
  | { id: number; event: 'device-code'; code: DeviceCodePrompt };
