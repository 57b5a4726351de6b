/**
 * A second, real local user for cross-user attacks (created with useradd, removed after).
 *
 * Needs root (CI and these machines run the tests as root). Without it, `createSecondUser`
 * returns null and the calling test skips with that reason. Names are unique per run
 * (tt-<random>): several engineers run tests on one machine at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface SecondUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs `node -e script` as this user (no groups) and resolves with its output. */
  runNode(script: string, args?: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Starts `node -e script` as this user; the caller stops it. */
  startNode(script: string, args?: string[]): ReturnType<typeof spawn>;
  remove(): void;
}

export const SECOND_USER_SKIP = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v useradd && command -v setpriv'], { stdio: 'ignore' }).status === 0
  ? false
  : 'needs root with useradd and setpriv to create a second local user';

export function createSecondUser(): SecondUser {
  const name = `tt-${randomBytes(4).toString('hex')}`;
  const made = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`useradd failed: ${made.stderr}`);
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  const argv = (script: string, args: string[]): string[] => ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', process.execPath, '-e', script, ...args];
  const startNode = (script: string, args: string[] = []): ReturnType<typeof spawn> =>
    spawn('setpriv', argv(script, args), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' } });
  return {
    name,
    uid,
    gid,
    startNode,
    runNode: (script, args = [], timeoutMs = 20_000) =>
      new Promise((resolve) => {
        const child = startNode(script, args);
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    remove: () => {
      spawnSync('userdel', [name], { stdio: 'ignore' });
    },
  };
}
