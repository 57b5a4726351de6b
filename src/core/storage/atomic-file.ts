/**
 * Writes a file so that a crash leaves either the old or the new content, never a mix.
 *
 * temp file (owner-only, created exclusively, never through a link) → write → fsync →
 * rename over the target → fsync the directory. rename() replaces a symbolic link planted
 * at the target instead of writing through it. ENOSPC / EDQUOT become DISK_FULL and the temp
 * file is removed. A temp file's name carries its writer's pid and start time, so the next
 * start can remove what a SIGKILLed writer left (`removeStaleTemps`).
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EXCLUSIVE_CREATE_FLAGS, OWNER_ONLY_FILE_MODE, currentUid, translateDiskFull } from './file-safety.js';
import { currentProcessIdentity, isProcessAlive } from './process-identity.js';

export { OWNER_ONLY_FILE_MODE } from './file-safety.js';

/** `.<target>.<pid>-<start ticks>.<random>.tmp` (start is 0 where unknown). */
const TEMP_NAME = /^\.(.+)\.(\d+)-(\d+)\.[0-9a-f]{12}\.tmp$/;
/** What versions before 0.2 wrote: `.<target>.<random>.tmp`, no writer named. */
const LEGACY_TEMP_NAME = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

export function tempPathFor(path: string): string {
  const { pid, start } = currentProcessIdentity();
  return join(dirname(path), `.${basename(path)}.${pid}-${start ?? 0}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to a new owner-only temp file beside `path` (exclusive create, never through a
 * link), fsync'd when `sync`; returns the temp's path. On failure nothing is left behind.
 */
export async function writeExclusiveTemp(path: string, data: Uint8Array | string, sync: boolean): Promise<string> {
  const temp = tempPathFor(path);
  let handle;
  try {
    handle = await open(temp, EXCLUSIVE_CREATE_FLAGS, OWNER_ONLY_FILE_MODE);
  } catch (error) {
    throw translateDiskFull(error, path);
  }
  try {
    await handle.writeFile(data);
    if (sync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw translateDiskFull(error, path);
  }
  await handle.close();
  return temp;
}

/** `mode`: owner-only unless a file other programs read must say otherwise (an autostart entry). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode: number = OWNER_ONLY_FILE_MODE): Promise<void> {
  const temp = await writeExclusiveTemp(path, data, true);
  try {
    // After the exclusive create, which the umask narrows: an explicit mode is set as asked.
    if (mode !== OWNER_ONLY_FILE_MODE) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw translateDiskFull(error, path);
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable. Windows cannot open a directory for fsync; skip there.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files of the targets `isTarget` accepts (base names) that a killed writer left in `directory`.
 *
 * Only names this module makes, only regular files this user owns, and only when the
 * writer named in the file name no longer runs (a live writer is mid-write). Returns the
 * removed names. `holdsWriterLock`: the caller holds the lock every writer of these targets
 * takes, so even temps that name no writer are stale.
 */
export async function removeStaleTemps(
  directory: string,
  isTarget: (name: string) => boolean,
  options: { holdsWriterLock?: boolean } = {},
): Promise<string[]> {
  const removed: string[] = [];
  const uid = currentUid();
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match) {
      if (!isTarget(match[1]!) || isProcessAlive({ pid: Number(match[2]), start: Number(match[3]) || null })) continue;
    } else {
      // A legacy temp names no writer: only the holder of the writers' lock knows none is live.
      const legacy = LEGACY_TEMP_NAME.exec(name);
      if (!legacy || !options.holdsWriterLock || !isTarget(legacy[1]!)) continue;
    }
    const path = join(directory, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || (uid !== null && stats.uid !== uid)) continue;
      await rm(path, { force: true });
      removed.push(name);
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed;
}
