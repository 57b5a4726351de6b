/**
 * Process-wide protections every tokentray entry point applies first (CLI, Electron main).
 *
 * - umask 077: every file and socket tokentray creates is owner-only from birth, so nothing
 *   depends on a chmod after the fact (a window in which another user could open it).
 * - No core dumps: a crash must not write the auth-server secret, access or refresh tokens
 *   to a core file. Node has no setrlimit, so on Linux, when the soft core limit is not
 *   already 0, the limit (soft and hard) is set to 0 with util-linux `prlimit --pid` on this
 *   very process (allowed for one's own processes; the hard limit cannot be raised again
 *   without privilege), and
 *   /proc/self/coredump_filter is cleared so that even a dump some other path forces holds
 *   no memory mappings. macOS ships with a core limit of 0 and Windows writes no core files
 *   by default; there nothing is changed.
 *
 * Not done: prctl(PR_SET_DUMPABLE, 0) would also stop same-user ptrace, but Node offers no
 * prctl and a native addon would need a compiler at install time (README, "Security").
 */
import type * as ChildProcess from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const OWNER_ONLY_UMASK = 0o077;

export interface HardeningReport {
  umask: boolean;
  coreDumpsDisabled: boolean;
  warnings: string[];
}

/** Soft and hard core limits from /proc/<pid>/limits ("unlimited" → Infinity), or null. */
export function coreLimits(pid: number | 'self' = 'self'): { soft: number; hard: number } | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max core file size'));
    const [soft, hard] = (line ?? '').slice('Max core file size'.length).trim().split(/\s+/);
    const value = (text: string | undefined): number => (text === 'unlimited' ? Infinity : Number(text));
    if (soft === undefined || hard === undefined) return null;
    return { soft: value(soft), hard: value(hard) };
  } catch {
    return null;
  }
}

function disableLinuxCoreDumps(warnings: string[]): boolean {
  try {
    writeFileSync('/proc/self/coredump_filter', '0');
  } catch {
    // Belt and braces only: the core limit below is what counts.
  }
  const before = coreLimits();
  // Soft limit 0 already (the usual default): nothing in Node can raise it, so no spawn on
  // every command. Only a started-with `ulimit -c unlimited` process pays for prlimit.
  if (before && before.soft === 0) return true;
  // Loaded only here: child_process pulls in streams, net and dgram, which a command that
  // exits in a few milliseconds should not pay for on every start.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof ChildProcess;
  const result = spawnSync('prlimit', ['--pid', String(process.pid), '--core=0:0'], { stdio: 'ignore', timeout: 5_000 });
  const after = coreLimits();
  if (after && after.soft === 0) return true;
  const why = result.error ? (result.error as NodeJS.ErrnoException).code ?? result.error.message : `exit ${String(result.status)}`;
  warnings.push(`core dumps stay enabled: prlimit --core=0 failed (${why}); install util-linux, or run \`ulimit -c 0\` before starting tokentray`);
  return false;
}

export function hardenProcess(platform: NodeJS.Platform = process.platform): HardeningReport {
  const warnings: string[] = [];
  let umask = false;
  if (platform !== 'win32') {
    try {
      process.umask(OWNER_ONLY_UMASK);
      umask = true;
    } catch (error) {
      warnings.push(`could not set umask 077 (${(error as Error).message})`);
    }
  }
  const coreDumpsDisabled = platform === 'linux' ? disableLinuxCoreDumps(warnings) : platform !== 'win32' && (coreLimits()?.soft ?? 0) === 0;
  return { umask, coreDumpsDisabled, warnings };
}
