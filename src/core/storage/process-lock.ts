/**
 * One writer per data directory: the process holding this lock owns the vault.
 *
 * The lock file holds the owner's pid and, for a daemon (tray app or `tokentray serve`), the
 * address of its control channel, so other `tokentray` commands ask the daemon instead of
 * racing it for the vault and for refresh tokens (a rotated refresh token used twice is
 * invalid_grant for the loser). A lock whose pid is gone is stale and taken over.
 */
import { link, open, readFile, rm } from 'node:fs/promises';
import { TokentrayError } from '../../shared/tokentray-error.js';

export interface LockInfo {
  pid: number;
  /** Control channel endpoint of a daemon; null for a one-shot command. */
  control: string | null;
  startedAt: number;
}

export interface HeldLock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** Locks this process holds: a lock file naming our own pid is live only if it is one of them. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; treat it as alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLock(path: string): Promise<LockInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

/** Takes the lock, or returns the live holder's info. */
export async function tryAcquireLock(path: string, control: string | null): Promise<HeldLock | LockInfo> {
  const info: LockInfo = { pid: process.pid, control, startedAt: Date.now() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      // Written aside, then linked into place: link() fails atomically with EEXIST, and the
      // lock file is never seen empty (an empty one would look stale to a racing process).
      const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
      const handle = await open(temp, 'w', 0o600);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      try {
        await link(temp, path);
      } finally {
        await rm(temp, { force: true });
      }
      heldHere.add(path);
      let released = false;
      return {
        info,
        release: async () => {
          if (released) return;
          released = true;
          heldHere.delete(path);
          const current = await readLock(path);
          if (current?.pid === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(path);
      const live = holder && (holder.pid === process.pid ? heldHere.has(path) : isAlive(holder.pid));
      if (holder && live) return holder;
      // Stale (crashed owner) or half-written: remove and try again.
      await rm(path, { force: true });
    }
  }
  throw new TokentrayError('VAULT_BUSY', `Could not take the lock ${path}.`);
}

export function isHeldLock(value: HeldLock | LockInfo): value is HeldLock {
  return 'release' in value;
}

/** Waits (polling) for the lock, for one-shot commands racing each other briefly. */
export async function acquireLock(path: string, options: { waitMs: number; control?: string | null }): Promise<HeldLock | LockInfo> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const result = await tryAcquireLock(path, options.control ?? null);
    if (isHeldLock(result) || result.control !== null || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
