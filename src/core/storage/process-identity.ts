/**
 * Tells a live process apart from a dead one whose pid was reused.
 *
 * After a crash and a reboot, the pid written in a lock file or a temp file name may belong
 * to an unrelated live process. On Linux a process is named by its pid, the boot it runs in
 * (/proc/sys/kernel/random/boot_id) and its start time in clock ticks since boot
 * (/proc/<pid>/stat field 22): the three together are never reused. Elsewhere only the pid
 * is known, and "alive" means "some process has that pid".
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Linux boot id; null where unknown. */
  boot: string | null;
  /** Start time in clock ticks since boot; null where unknown. */
  start: number | null;
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** The start time of `pid` (clock ticks since boot), or null when unknown or gone. */
export function processStartTicks(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]); // field 22 overall; fields[0] is field 3 (state)
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

let ownIdentity: ProcessIdentity | null = null;

export function currentProcessIdentity(): ProcessIdentity {
  ownIdentity ??= { pid: process.pid, boot: readBootId(), start: processStartTicks(process.pid) };
  return ownIdentity;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the very process `identity` names still runs. */
export function isProcessAlive(identity: { pid: number; boot?: string | null; start?: number | null }): boolean {
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return false;
  const own = currentProcessIdentity();
  if (identity.boot && own.boot && identity.boot !== own.boot) return false; // written before a reboot
  if (typeof identity.start === 'number' && own.start !== null) return processStartTicks(identity.pid) === identity.start;
  return pidExists(identity.pid);
}
