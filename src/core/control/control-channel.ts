/**
 * The local control channel: how `tokentray …` commands talk to a running daemon (the tray
 * app or `tokentray serve`) instead of racing it for the vault and the refresh tokens.
 *
 * Newline-delimited JSON over a Unix socket (a named pipe on Windows). Every request carries
 * a token derived from the vault key, so only a process that can read this user's keychain
 * entry may drive the daemon; nothing about it is written to disk.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CONTROL_PROTOCOL = 'tokentray-control-v1';
/** A request line larger than this is refused (and the connection closed). */
export const MAX_CONTROL_LINE_BYTES = 64 * 1024;

export function controlEndpointFor(home: string, platform: NodeJS.Platform = process.platform): string {
  const digest = createHash('sha256').update(home).digest('hex').slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\tokentray-${digest}`;
  const inHome = join(home, 'control.sock');
  // sun_path holds ~104 bytes on macOS: fall back to the temp dir for deep data directories.
  return Buffer.byteLength(inHome) < 100 ? inHome : join(tmpdir(), `tokentray-${digest}.sock`);
}

export function controlToken(vaultKey: Buffer): string {
  return createHmac('sha256', vaultKey).update(CONTROL_PROTOCOL).digest('hex');
}

export function tokensMatch(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

export interface ControlRequest {
  id: number;
  token: string;
  method: string;
  params: unknown[];
}

export type ControlMessage =
  | { id: number; result: unknown }
  | { id: number; error: { code: string; message: string; hint?: string; details?: Record<string, string | number | boolean | null> } }
  | { id: number; event: 'authorize-url'; url: string };
