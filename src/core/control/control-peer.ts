/**
 * Checks, before a command connects, that the control socket can only be the user's own.
 *
 * The lock file names the endpoint. Before anything is sent there, the socket must be a
 * socket this user owns, owner-only, in a directory only this user can write (so nobody
 * else can swap it between this check and the connect), below folders nobody else may
 * rename. Root skips every permission check, so these ownership checks are what keep a
 * root-run command from talking to another user's socket. The handshake still follows:
 * a socket that passes is not trusted with anything until it proves it holds the vault key.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { currentUid } from '../storage/file-safety.js';
import { assertAncestorsSafe } from '../storage/paths.js';

function untrusted(endpoint: string, lock: string, why: string): TokentrayError {
  return new TokentrayError('DAEMON_UNTRUSTED', `The control socket ${endpoint} named in ${lock} ${why}; nothing was sent to it.`, {
    details: { endpoint, lock },
  });
}

export async function verifyControlEndpoint(endpoint: string, lock: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') {
    // Named pipes: the name is random (control-channel.ts) and the handshake proves the peer.
    if (!/^\\\\\.\\pipe\\tokentray-[0-9a-f]{32}$/.test(endpoint)) throw untrusted(endpoint, lock, 'is not a tokentray pipe name');
    return;
  }
  const uid = currentUid();
  if (!endpoint.startsWith('/')) throw untrusted(endpoint, lock, 'is not an absolute path');
  let socket;
  let directory;
  try {
    socket = lstatSync(endpoint);
    directory = lstatSync(dirname(endpoint));
  } catch (error) {
    throw new TokentrayError('DAEMON_UNREACHABLE', `The control socket ${endpoint} named in ${lock} is gone (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: error,
      hint: `If no tokentray runs, delete ${lock} and try again.`,
      details: { endpoint, lock },
    });
  }
  if (!socket.isSocket()) throw untrusted(endpoint, lock, 'is not a socket');
  if (uid === null) return;
  if (socket.uid !== uid) throw untrusted(endpoint, lock, `belongs to another user (uid ${socket.uid})`);
  if ((socket.mode & 0o077) !== 0) throw untrusted(endpoint, lock, `is open to other users (mode ${(socket.mode & 0o777).toString(8)})`);
  if (!directory.isDirectory() || directory.uid !== uid || (directory.mode & 0o077) !== 0) {
    throw untrusted(endpoint, lock, 'is in a directory other users can reach or change');
  }
  try {
    assertAncestorsSafe(dirname(endpoint), uid);
  } catch (error) {
    throw untrusted(endpoint, lock, `is below a folder another user can change (${(error as Error).message})`);
  }
}
