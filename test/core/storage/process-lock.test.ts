import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, isHeldLock, readLock, tryAcquireLock, type LockInfo } from '../../../src/core/storage/process-lock.js';
import { currentProcessIdentity, processStartTicks } from '../../../src/core/storage/process-identity.js';

const PROCESS_LOCK_MODULE = fileURLToPath(new URL('../../../src/core/storage/process-lock.ts', import.meta.url));

/** A live process that is not this one. */
function idleProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await once(child, 'exit');
  return pid;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill();
  await exited;
}

describe('process lock', () => {
  let dir: string;
  let path: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-lock-'));
    path = join(dir, 'tokentray.lock');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a lock as a real holder would: with the process's boot id and start time. */
  async function writeLock(info: LockInfo): Promise<void> {
    await writeFile(path, JSON.stringify({ boot: currentProcessIdentity().boot, start: processStartTicks(info.pid), ...info }));
  }

  it('takes a free lock and records pid and control endpoint, owner-only', async () => {
    const lock = await tryAcquireLock(path, '/run/tokentray/control.sock');
    assert.ok(isHeldLock(lock));
    assert.equal(lock.info.pid, process.pid);
    assert.deepEqual(await readLock(path), lock.info);
    assert.equal((await readLock(path))?.control, '/run/tokentray/control.sock');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    await lock.release();
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it("answers a second process with the live holder's info", async () => {
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { tryAcquireLock } from ${JSON.stringify(PROCESS_LOCK_MODULE)};
         const lock = await tryAcquireLock(${JSON.stringify(path)}, 'holder-control');
         process.stdout.write(JSON.stringify(lock.info) + '\\n');
         process.stdin.resume();
         process.stdin.on('end', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(holder);
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
    const holderInfo = JSON.parse(line.toString()) as LockInfo;
    assert.equal(holderInfo.pid, holder.pid);

    const answer = await tryAcquireLock(path, null);
    assert.equal(isHeldLock(answer), false);
    assert.deepEqual(answer, holderInfo);
    assert.equal((await readLock(path))?.pid, holder.pid, 'the holder keeps its lock');

    await stop(holder);
    const taken = await tryAcquireLock(path, null);
    assert.ok(isHeldLock(taken), 'a crashed holder leaves a stale lock that is taken over');
    await taken.release();
  });

  it('takes over a stale lock whose process is gone', async () => {
    const pid = await deadPid();
    await writeLock({ pid, control: '/gone.sock', startedAt: 1 });
    const lock = await tryAcquireLock(path, null);
    assert.ok(isHeldLock(lock));
    assert.equal((await readLock(path))?.pid, process.pid);
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    await writeFile(path, '{"pid": oops');
    const lock = await tryAcquireLock(path, null);
    assert.ok(isHeldLock(lock));
    await lock.release();
  });

  it('releases only its own lock', async () => {
    const lock = await tryAcquireLock(path, null);
    assert.ok(isHeldLock(lock));
    const other = idleProcess();
    children.push(other);
    const foreign: LockInfo = { pid: other.pid!, control: null, startedAt: 2 };
    await writeLock(foreign); // someone else took it over meanwhile
    await lock.release();
    assert.equal((await readLock(path))?.pid, foreign.pid);
    await lock.release(); // idempotent
    assert.equal((await readLock(path))?.pid, foreign.pid);
  });

  it('returns a daemon holder at once, so a command can talk to it', async () => {
    const daemon = idleProcess();
    children.push(daemon);
    await writeLock({ pid: daemon.pid!, control: '/daemon.sock', startedAt: 3 });
    const started = Date.now();
    const answer = await acquireLock(path, { waitMs: 5_000 });
    assert.ok(Date.now() - started < 1_000);
    assert.equal(isHeldLock(answer), false);
    assert.equal((answer as LockInfo).control, '/daemon.sock');
  });

  it('waits for a one-shot command holder, and takes the lock once it is released', async () => {
    const command = idleProcess();
    children.push(command);
    await writeLock({ pid: command.pid!, control: null, startedAt: 4 });
    setTimeout(() => void rm(path, { force: true }), 250);
    const answer = await acquireLock(path, { waitMs: 5_000, control: null });
    assert.ok(isHeldLock(answer));
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
    await answer.release();
  });

  it('gives up waiting after waitMs and returns the holder', async () => {
    const command = idleProcess();
    children.push(command);
    await writeLock({ pid: command.pid!, control: null, startedAt: 5 });
    const started = Date.now();
    const answer = await acquireLock(path, { waitMs: 300 });
    assert.ok(Date.now() - started >= 300);
    assert.equal(isHeldLock(answer), false);
    assert.equal((answer as LockInfo).pid, command.pid);
  });
});
