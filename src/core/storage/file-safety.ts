/**
 * The small rules every file tokentray opens in its data directory follows.
 *
 * Another program running as this user (or, before a directory was tightened, another user)
 * may have planted a symbolic link where tokentray writes: open with O_NOFOLLOW, create
 * temporary files exclusively (O_EXCL), and refuse a file someone else owns. A full disk is
 * reported as DISK_FULL, never as a bug.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { TokentrayError } from '../../shared/tokentray-error.js';

/** 0 where the platform has no O_NOFOLLOW (Windows: no symlinks planted by other users there). */
export const O_NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;

/** Flags for a new temporary file: write-only, must not exist yet, never through a link. */
export const EXCLUSIVE_CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;

/** Flags for appending to a log: created if missing, never through a link. */
export const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | O_NOFOLLOW;

/** Flags for reading a file tokentray owns, never through a link. */
export const READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW;

export const OWNER_ONLY_FILE_MODE = 0o600;
export const OWNER_ONLY_DIRECTORY_MODE = 0o700;

/** This process's user id, or null where there is none (Windows). */
export function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/** True for the errors a full disk or an exhausted quota gives. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** ENOSPC / EDQUOT become DISK_FULL naming the file; anything else is returned unchanged. */
export function translateDiskFull(error: unknown, path: string): unknown {
  if (!isDiskFull(error)) return error;
  return new TokentrayError('DISK_FULL', `There is no space left to write ${path}.`, { cause: error, details: { path } });
}

/** ELOOP from an O_NOFOLLOW open: the name is a symbolic link. */
export function isSymlinkRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ELOOP' || code === 'EMLINK'; // FreeBSD says EMLINK
}

export function unsafeFile(path: string, why: string, cause?: unknown): TokentrayError {
  return new TokentrayError('DATA_DIR_UNSAFE', `tokentray will not use ${path}: ${why}.`, { cause, details: { path } });
}

/** Checks what an open file descriptor really is: a regular file owned by this user. */
export function assertOwnRegularFile(stats: Stats, path: string): void {
  if (!stats.isFile()) throw unsafeFile(path, 'it is not a regular file');
  const uid = currentUid();
  if (uid !== null && stats.uid !== uid) throw unsafeFile(path, `it belongs to another user (uid ${stats.uid})`);
}

/**
 * Reads a file of the data directory, or null when it does not exist.
 *
 * Never through a symbolic link, and only a regular file this user owns (DATA_DIR_UNSAFE
 * otherwise): a planted file must not be taken for ours.
 */
export async function readOwnFileIfExists(path: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    return refuseOpen(error, path, 'it is a symbolic link');
  }
  try {
    assertOwnRegularFile(await handle.stat(), path);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The first `bytes` bytes of a file of the data directory (fewer when it is shorter), or null
 * when it does not exist; checked as readOwnFileIfExists checks.
 *
 * For a header: a command that only needs the vault's id must not read a vault of a thousand
 * accounts to get it. Read with blocking calls on purpose: four system calls on a local file
 * take microseconds, while each promise-based call is a round trip through libuv's thread
 * pool, and `tokentray token` waits for this header before it can ask the keychain for the key.
 */
export async function readOwnFileHeadIfExists(path: string, bytes: number): Promise<Buffer | null> {
  const fd = openOwnFileSync(path);
  if (fd === null) return null;
  try {
    assertOwnRegularFile(fstatSync(fd), path);
    const head = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const read = readSync(fd, head, filled, bytes - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return head.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/** The descriptor of a file of the data directory opened for reading, or null when it does not exist. */
export function openOwnFileSync(path: string, linkRefusal = 'it is a symbolic link'): number | null {
  try {
    return openSync(path, READ_FLAGS);
  } catch (error) {
    return refuseOpen(error, path, linkRefusal);
  }
}

function refuseOpen(error: unknown, path: string, linkRefusal: string): null {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  if (isSymlinkRefusal(error)) throw unsafeFile(path, linkRefusal, error);
  throw error;
}
