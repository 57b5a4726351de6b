/**
 * The lock against a flaky machine: a pid reused by an unrelated live process after a
 * reboot, and several real processes taking over one stale lock at the same moment.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isHeldLock, readLock, tryAcquireLock, type LockInfo } from '../../../src/core/storage/process-lock.js';
import { currentProcessIdentity, processStartTicks } from '../../../src/core/storage/process-identity.js';

const PROCESS_LOCK_MODULE = fileURLToPath(new URL('../../../src/core/storage/process-lock.ts', import.meta.url));
const TRIALS = 150;
const RACERS = 3;

function idleProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** A racer process: on "go <path>" it tries the lock and answers "won"/"lost"; "release" lets go. */
function startRacer(): { child: ChildProcess; ask(line: string): Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { tryAcquireLock, isHeldLock } from ${JSON.stringify(PROCESS_LOCK_MODULE)};
       import { createInterface } from 'node:readline';
       let held = null;
       for await (const line of createInterface({ input: process.stdin })) {
         const [command, path] = line.split(' ');
         if (command === 'go') {
           try {
             const result = await tryAcquireLock(path, null);
             held = isHeldLock(result) ? result : null;
             process.stdout.write((held ? 'won' : 'lost') + '\\n');
           } catch (error) {
             process.stdout.write('error ' + error.code + '\\n');
           }
         } else if (command === 'release') {
           await held?.release();
           held = null;
           process.stdout.write('released\\n');
         } else if (command === 'ready') {
           process.stdout.write('ready\\n');
         }
       }`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    child,
    ask: (line) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin!.write(`${line}\n`);
      }),
  };
}

describe('process lock against reused pids and racing takers', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-lock-race-'));
  });
  after(async () => {
    await Promise.all(children.splice(0).map(stop));
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over a lock whose pid now belongs to an unrelated live process, and says so', async () => {
    const path = join(dir, 'reused.lock');
    const unrelated = idleProcess();
    children.push(unrelated);
    await once(unrelated, 'spawn');
    const own = currentProcessIdentity();
    // Written by a tokentray that ran before a reboot: same pid as a live process now.
    await writeFile(path, JSON.stringify({ pid: unrelated.pid!, control: join(dir, 'gone.sock'), startedAt: 1, boot: 'an-earlier-boot', start: 12345 } satisfies LockInfo));
    const messages: string[] = [];
    const lock = await tryAcquireLock(path, null, (message) => messages.push(message));
    assert.ok(isHeldLock(lock), 'not locked out by an unrelated process');
    assert.equal((await readLock(path))?.pid, process.pid);
    assert.match(messages.join('\n'), new RegExp(`took over the stale lock ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} left by pid ${unrelated.pid}`));
    await lock.release();

    // Same boot, but the live process with that pid started at another time: also stale.
    if (own.start !== null) {
      await writeFile(path, JSON.stringify({ pid: unrelated.pid, control: null, startedAt: 1, boot: own.boot, start: processStartTicks(unrelated.pid!)! + 1 }));
      const again = await tryAcquireLock(path, null);
      assert.ok(isHeldLock(again));
      await again.release();
      // And the real holder (right pid and start time) is respected.
      await writeFile(path, JSON.stringify({ pid: unrelated.pid, control: null, startedAt: 1, boot: own.boot, start: processStartTicks(unrelated.pid!) }));
      const refused = await tryAcquireLock(path, null);
      assert.equal(isHeldLock(refused), false);
      await rm(path);
    }
  });

  it('takes over a lock from an older version (pid only) whose pid now runs another program', { skip: process.platform !== 'linux' && 'Linux /proc only' }, async () => {
    const path = join(dir, 'legacy.lock');
    const unrelated = idleProcess();
    children.push(unrelated);
    await once(unrelated, 'spawn');
    await writeFile(path, JSON.stringify({ pid: unrelated.pid, control: join(dir, 'gone.sock'), startedAt: 1 }));
    const lock = await tryAcquireLock(path, null);
    assert.ok(isHeldLock(lock), 'a pid alone, now held by `node -e …`, is not a tokentray');
    await lock.release();
  });

  it(`lets exactly one of ${RACERS} real processes take over a stale lock, ${TRIALS} times`, { timeout: 300_000 }, async () => {
    const racers = Array.from({ length: RACERS }, startRacer);
    children.push(...racers.map((racer) => racer.child));
    await Promise.all(racers.map((racer) => racer.ask('ready')));
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(dead, 'exit');
    const outcomes: number[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const path = join(dir, `race-${trial}.lock`);
      // A crashed tokentray's lock: its process is gone.
      await writeFile(path, JSON.stringify({ pid: dead.pid, control: null, startedAt: trial, boot: currentProcessIdentity().boot, start: 1 }));
      const answers = await Promise.all(racers.map((racer) => racer.ask(`go ${path}`)));
      assert.ok(answers.every((answer) => answer === 'won' || answer === 'lost'), `trial ${trial}: ${answers.join(',')}`);
      outcomes.push(answers.filter((answer) => answer === 'won').length);
      await Promise.all(racers.map((racer) => racer.ask('release')));
    }
    const notExactlyOne = outcomes.filter((winners) => winners !== 1).length;
    assert.equal(notExactlyOne, 0, `trials without exactly one winner: ${notExactlyOne} of ${TRIALS}`);
    const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.break'));
    assert.deepEqual(leftovers, [], 'no temp or claim files left behind');
  });
});
