/**
 * One writer per data directory: the process holding this lock owns the vault.
 *
 * The lock file holds the owner's identity (pid, boot id, process start time) and, for a
 * daemon (tray app or `tokentray serve`), the address of its control channel, so other
 * `tokentray` commands ask the daemon instead of racing it for the vault and for refresh
 * tokens (a rotated refresh token used twice is invalid_grant for the loser).
 *
 * A lock whose process is gone is stale and taken over. "Gone" includes a pid that a reboot
 * handed to an unrelated program: the boot id and start time tell them apart.
 *
 * Taking over is a race several processes may run at once (read → remove → link lets two
 * win: the second remover deletes the first winner's fresh lock). So removing a stale lock
 * needs a claim named after that very file (its inode): `<lock>.<inode>.break`, created with
 * link(), which only one process can win. The claimant re-reads the lock, removes it only if
 * it still is the same stale file, and drops the claim; then everyone races link() again,
 * which exactly one wins.
 */
import { closeSync, fstatSync, readFileSync } from 'node:fs';
import { link, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { removeStaleTemps, writeExclusiveTemp } from './atomic-file.js';
import { assertOwnRegularFile, openOwnFileSync, translateDiskFull } from './file-safety.js';
import { currentProcessIdentity, isProcessAlive } from './process-identity.js';

export interface LockInfo {
  pid: number;
  /** Control channel endpoint of a daemon; null for a one-shot command. */
  control: string | null;
  startedAt: number;
  /** Linux boot id and process start time (clock ticks); absent in older lock files. */
  boot?: string | null;
  start?: number | null;
}

export interface HeldLock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** How many times a taker retries after losing a race to a stale lock's removal. */
const TAKEOVER_ATTEMPTS = 50;
/** Pause between attempts while another process is removing a stale lock. */
const TAKEOVER_RETRY_MS = 5;

/** Locks this process holds: a lock file naming our own pid is live only if it is one of them. */
const heldHere = new Set<string>();

interface LockFile {
  info: LockInfo | null;
  raw: string;
  ino: number;
}

/**
 * Reads the lock file without following a link; null when there is none.
 *
 * A link or a file owned by another user is refused (DATA_DIR_UNSAFE): it was planted, and
 * the control endpoint it names must not be trusted.
 */
async function readLockFile(path: string): Promise<LockFile | null> {
  // Blocking calls, as for the vault's header (file-safety.ts): a few hundred bytes, read
  // first by every command that asks a running daemon.
  const fd = openOwnFileSync(path, 'the lock file is a symbolic link; delete it if no tokentray runs');
  if (fd === null) return null;
  try {
    const stats = fstatSync(fd);
    assertOwnRegularFile(stats, path);
    const raw = readFileSync(fd, 'utf8');
    let info: LockInfo | null = null;
    try {
      const parsed = JSON.parse(raw) as LockInfo;
      if (typeof parsed === 'object' && parsed !== null && typeof parsed.pid === 'number') info = parsed;
    } catch {
      // Half-written by an older version, or damaged: stale.
    }
    return { info, raw, ino: stats.ino };
  } finally {
    closeSync(fd);
  }
}

export async function readLock(path: string): Promise<LockInfo | null> {
  return (await readLockFile(path))?.info ?? null;
}

/**
 * True while the process a lock names still runs (and, for our own pid, holds it here).
 *
 * A lock from before start times were recorded names only a pid: on Linux that process
 * must at least be a tokentray one (its command line says so), else the pid was reused.
 */
export function isLockLive(path: string, info: LockInfo): boolean {
  if (info.pid === process.pid) return heldHere.has(path);
  if (!isProcessAlive(info)) return false;
  if (typeof info.start === 'number' || process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').includes('tokentray');
  } catch {
    return true; // hidden /proc (hidepid): keep the old answer, "alive"
  }
}

/** Links a fully written file into place: fails with EEXIST if `path` exists; never seen empty. */
async function linkInto(path: string, content: string): Promise<void> {
  const temp = await writeExclusiveTemp(path, content, false);
  try {
    await link(temp, path);
  } catch (error) {
    throw translateDiskFull(error, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Removes the stale lock `stale` if this process wins the claim on it.
 *
 * Returns false when another live process holds the claim (it is removing the lock).
 */
async function breakStaleLock(path: string, stale: LockFile): Promise<boolean> {
  const claim = `${path}.${stale.ino}.break`;
  try {
    await linkInto(claim, JSON.stringify(currentProcessIdentity()));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const claimant = await readLockFile(claim).catch(() => null);
    if (claimant?.info && isProcessAlive(claimant.info)) return false;
    // Left by a taker that was killed mid-takeover (a window of microseconds).
    await rm(claim, { force: true });
    return false;
  }
  try {
    const current = await readLockFile(path).catch(() => null);
    // Only the very file judged stale: a fresh lock (even one given the same inode) differs in content.
    if (current && current.ino === stale.ino && current.raw === stale.raw) await rm(path, { force: true });
  } finally {
    await rm(claim, { force: true });
  }
  return true;
}

/** Removes lock temps and takeover claims that killed processes left beside the lock. */
async function removeLeftovers(path: string): Promise<void> {
  const directory = dirname(path);
  const name = basename(path);
  const isClaim = (entry: string): boolean => entry.startsWith(`${name}.`) && entry.endsWith('.break');
  await removeStaleTemps(directory, (target) => target === name || isClaim(target));
  for (const entry of await readdir(directory).catch(() => [] as string[])) {
    if (!isClaim(entry)) continue;
    const claimant = await readLockFile(join(directory, entry)).catch(() => null);
    if (claimant && !(claimant.info && isProcessAlive(claimant.info))) await rm(join(directory, entry), { force: true });
  }
}

/** Takes the lock, or returns the live holder's info. */
export async function tryAcquireLock(path: string, control: string | null, log?: (message: string) => void): Promise<HeldLock | LockInfo> {
  const { pid, boot, start } = currentProcessIdentity();
  const info: LockInfo = { pid, control, startedAt: Date.now(), boot, start };
  await removeLeftovers(path);
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt += 1) {
    try {
      await linkInto(path, JSON.stringify(info));
      heldHere.add(path);
      let released = false;
      return {
        info,
        release: async () => {
          if (released) return;
          released = true;
          heldHere.delete(path);
          const current = await readLockFile(path).catch(() => null);
          if (current?.info?.pid === process.pid && current.info.startedAt === info.startedAt) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLockFile(path);
      if (!holder) continue; // released meanwhile
      if (holder.info && isLockLive(path, holder.info)) return holder.info;
      if (await breakStaleLock(path, holder)) {
        log?.(
          holder.info
            ? `took over the stale lock ${path} left by pid ${holder.info.pid}, which no longer runs tokentray`
            : `replaced the unreadable lock file ${path}`,
        );
      } else {
        await new Promise((resolve) => setTimeout(resolve, TAKEOVER_RETRY_MS));
      }
    }
  }
  throw new TokentrayError('VAULT_BUSY', `Could not take the lock ${path}.`, {
    hint: `Another tokentray process keeps taking the lock file ${path}. Stop the other tokentray processes; if none runs, delete that file.`,
    details: { lock: path },
  });
}

export function isHeldLock(value: HeldLock | LockInfo): value is HeldLock {
  return 'release' in value;
}

/** Waits (polling) for the lock, for one-shot commands racing each other briefly. */
export async function acquireLock(
  path: string,
  options: { waitMs: number; control?: string | null; log?: (message: string) => void },
): Promise<HeldLock | LockInfo> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const result = await tryAcquireLock(path, options.control ?? null, options.log);
    if (isHeldLock(result) || result.control !== null || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
