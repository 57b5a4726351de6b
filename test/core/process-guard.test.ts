/**
 * The process guard in a real child process: real uncaught exceptions and unhandled
 * rejections, a real lock file and Unix socket that must not be left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const GUARD = fileURLToPath(new URL('../../src/core/process-guard.ts', import.meta.url));
const LOGGER = fileURLToPath(new URL('../../src/core/logging/logger.ts', import.meta.url));
const SECRET = `eyJhbGciOiJSUzI1NiJ9.${'S'.repeat(60)}.sig`;

const CHILD = `
import { createServer } from 'node:net';
import { writeFileSync, rmSync } from 'node:fs';
import { installProcessGuard } from ${JSON.stringify(GUARD)};
import { createLogger } from ${JSON.stringify(LOGGER)};
const [lock, socketPath] = process.argv.slice(2);
writeFileSync(lock, String(process.pid));
const server = createServer((socket) => socket.end('pong')).listen(socketPath);
installProcessGuard({
  logger: createLogger({ sink: (line) => process.stderr.write(line + '\\n') }),
  cleanup: async () => { await new Promise((resolve) => server.close(resolve)); rmSync(lock, { force: true }); },
});
process.stdin.setEncoding('utf8').on('data', (text) => {
  for (const command of text.split('\\n')) {
    if (command === 'throw') setTimeout(() => { throw new RangeError('Invalid string length, token ${SECRET}'); });
    if (command === 'reject') Promise.reject(new Error('lost promise, Bearer ${SECRET}'));
  }
});
`;

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}


describe('process guard (real child process)', () => {
  it('logs faults redacted and keeps serving; repeated faults clean up the lock and socket, then exit 70', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokentray-guard-'));
    try {
      const script = join(dir, 'child.ts');
      await writeFile(script, CHILD);
      const lock = join(dir, 'tokentray.lock');
      const socketPath = join(dir, 'control.sock');
      const child = spawn(process.execPath, ['--import', 'tsx', script, lock, socketPath], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      for (let i = 0; i < 100 && (await stat(socketPath).catch(() => null)) === null; i += 1) await sleep(50);

      child.stdin.write('reject\nthrow\n');
      await sleep(300);
      assert.equal(await ping(socketPath), 'pong', 'still serving after a rejection and an exception');
      assert.match(stderr, /unhandled promise rejection \(kept running\)/);
      assert.match(stderr, /uncaught exception \(kept running\)/);
      assert.match(stderr, /Invalid string length/);

      child.stdin.write('throw\nthrow\nthrow\n'); // five faults within the minute
      assert.equal(await exited, 70);
      await assert.rejects(stat(lock), { code: 'ENOENT' }, 'the lock is gone');
      await assert.rejects(stat(socketPath), { code: 'ENOENT' }, 'the socket is gone');
      assert.match(stderr, /cleaning up and exiting/);
      assert.ok(!stderr.includes(SECRET), 'no secret reached the log');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
