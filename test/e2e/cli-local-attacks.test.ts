/**
 * Another local user against the real `tokentray` command: a loose umask, a data directory
 * they own, a lock file they planted pointing at their own socket, connecting to the
 * control socket while the daemon starts, and listening on the auth-server port while
 * tokentray is down. Plus the core-dump check on the running daemon.
 *
 * The victim is this (root) process; the attacker is a fresh user made with useradd. Root
 * bypasses file permissions, so the owner checks in tokentray are what is tested here.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { currentProcessIdentity } from '../../src/core/storage/process-identity.js';
import { Vault } from '../../src/core/storage/vault.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { BIN, runCli, startCli } from '../support/cli-process.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { freePort } from '../support/loopback.js';
import { startFakeEmailEngine } from '../support/emailengine/fake-emailengine.js';
import { SECOND_USER_SKIP, createSecondUser, type SecondUser } from '../support/second-user.js';

const READY = /tokentray ready/;

function cliEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, TOKENTRAY_HOME: home, TOKENTRAY_PORT: '0', BROWSER: '' };
}

/** Starts `tokentray serve` through `sh -c "<prefix>; exec node …"` (umask, ulimit), in `cwd`. */
function startServeWith(prefix: string, home: string, cwd: string): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const child = spawn('sh', ['-c', `${prefix}; exec "$0" "$1" serve`, process.execPath, BIN], { env: cliEnv(home), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const check = (chunk: string): void => {
      text += chunk;
      if (READY.test(text)) resolve();
    };
    child.stdout!.setEncoding('utf8').on('data', check);
    child.stderr!.setEncoding('utf8').on('data', check);
    child.on('exit', () => reject(new Error(`serve exited early: ${text}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => text, ready };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

describe('another local user against tokentray', { skip: SECOND_USER_SKIP }, () => {
  let attacker: SecondUser;
  let base: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    attacker = createSecondUser();
    // A traversable parent (like /home), so only tokentray's own modes keep the attacker out.
    base = await mkdtemp(join(tmpdir(), 'tokentray-users-'));
    await chmod(base, 0o755);
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    attacker?.remove();
    await rm(base, { recursive: true, force: true });
  });

  async function freshHome(name: string): Promise<string> {
    const home = join(base, name);
    cleanups.push(async () => {
      await Vault.reset(join(home, 'vault.bin'), new KeytarSecretStore()).catch(() => null);
    });
    return home;
  }

  it('under umask 000, the data directory comes out 0700 and its files 0600, and the other user never connects during start', async () => {
    const home = await freshHome('umask');
    const set = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$1" config set tenant contoso.com', process.execPath, BIN], { env: cliEnv(home), encoding: 'utf8' });
    assert.equal(set.status, 0, set.stderr);
    assert.equal((await lstat(home)).mode & 0o777, 0o700);
    assert.equal((await lstat(join(home, 'config.json'))).mode & 0o777, 0o600);

    // The attacker hammers the socket path from before the daemon starts until it is up.
    const probe = attacker.startNode(
      `const net = require('node:net');
       const path = process.argv[1];
       let connected = 0; const errors = new Set(); let tries = 0;
       const deadline = Date.now() + 6000;
       const once = () => new Promise((resolve) => {
         const s = net.connect(path);
         s.on('connect', () => { connected += 1; s.destroy(); resolve(); });
         s.on('error', (e) => { errors.add(e.code); resolve(); });
       });
       (async () => { while (Date.now() < deadline) { tries += 1; await once(); } console.log(JSON.stringify({ connected, tries, errors: [...errors] })); })();`,
      [join(home, 'control.sock')],
    );
    let probeOut = '';
    probe.stdout!.setEncoding('utf8').on('data', (chunk: string) => (probeOut += chunk));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const serve = startServeWith('umask 000', home, base);
    cleanups.push(() => stopProcess(serve.child));
    await serve.ready;
    const modes: Record<string, string> = {};
    for (const name of await readdir(home)) modes[name] = ((await lstat(join(home, name))).mode & 0o777).toString(8);
    assert.equal(modes['control.sock'], '600', JSON.stringify(modes));
    for (const [name, mode] of Object.entries(modes)) if (name !== 'control.sock') assert.equal(mode, '600', `${name} is ${mode}`);
    assert.equal((await lstat(home)).mode & 0o777, 0o700);
    await once(probe, 'close');
    const report = JSON.parse(probeOut) as { connected: number; tries: number; errors: string[] };
    assert.equal(report.connected, 0, JSON.stringify(report));
    assert.ok(report.tries > 100, `the probe really tried (${report.tries} times)`);
    assert.ok(report.errors.every((code) => code === 'EACCES' || code === 'ENOENT'), report.errors.join(','));
    await stopProcess(serve.child);
  });

  it('refuses a data directory the other user owns, saying how to fix it', async () => {
    const home = await freshHome('theirs');
    await mkdir(home, { mode: 0o700 });
    await chown(home, attacker.uid, attacker.gid);
    const result = await runCli(['status'], cliEnv(home));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /belongs to another user/);
    assert.match(result.stderr, /chown/);
    assert.deepEqual(await readdir(home), [], 'nothing was written into it');
  });

  it('sends nothing to a socket named by a lock file the other user planted', async () => {
    const home = await freshHome('planted');
    // As an older version under umask 000 left it: a world-writable data directory.
    assert.equal((await runCli(['config', 'set', 'tenant', 'contoso.com'], cliEnv(home))).code, 0);
    await chmod(home, 0o777);
    const lair = join(base, `lair-${attacker.name}`);
    await mkdir(lair, { mode: 0o755 });
    await chown(lair, attacker.uid, attacker.gid);
    const identity = currentProcessIdentity();
    // The attacker listens, then replaces the lock with one naming their live process and socket.
    const evil = attacker.startNode(
      `const net = require('node:net'); const fs = require('node:fs');
       const [sock, lock, boot] = process.argv.slice(1);
       let received = 0;
       const stat = fs.readFileSync('/proc/self/stat', 'utf8');
       const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
       net.createServer((s) => s.on('data', (d) => { received += d.length; fs.writeFileSync(sock + '.got', String(received)); })).listen(sock, () => {
         fs.chmodSync(sock, 0o777);
         try { fs.rmSync(lock, { force: true }); } catch {}
         fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, control: sock, startedAt: Date.now(), boot, start }));
         console.log('planted');
       });`,
      [join(lair, 'evil.sock'), join(home, 'tokentray.lock'), identity.boot ?? ''],
    );
    cleanups.push(() => stopProcess(evil, 'SIGKILL'));
    await once(evil.stdout!, 'data');
    assert.equal((await lstat(join(home, 'tokentray.lock'))).uid, attacker.uid, 'the lock really is the attacker\'s');

    const token = await runCli(['token', 'work'], cliEnv(home));
    assert.notEqual(token.code, 0);
    assert.match(token.stderr, /tokentray\.lock/, 'the message names the lock file');
    assert.equal((await lstat(home)).mode & 0o777, 0o700, 'the directory was tightened on the way');

    // The same-user variant: a lock this user owns (written by malware without the key).
    await rm(join(home, 'tokentray.lock'));
    const start = spawnSync('sh', ['-c', `stat=$(cat /proc/${evil.pid}/stat); echo "$stat"`], { encoding: 'utf8' }).stdout;
    const startTicks = Number(start.slice(start.lastIndexOf(')') + 2).split(' ')[19]);
    await writeFile(join(home, 'tokentray.lock'), JSON.stringify({ pid: evil.pid, control: join(lair, 'evil.sock'), startedAt: Date.now(), boot: identity.boot, start: startTicks }));
    const status = await runCli(['status'], cliEnv(home));
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /belongs to another user|nothing was sent/);
    await assert.rejects(readFile(join(lair, 'evil.sock.got'), 'utf8'), { code: 'ENOENT' }, 'the attacker received not one byte');
  });

  it('names the other user holding the auth-server port, and once it is back answers only to a new secret', async () => {
    const home = await freshHome('port-held');
    const port = await freePort();
    const env = { ...cliEnv(home), TOKENTRAY_PORT: String(port) };
    const emailengine = await startFakeEmailEngine();
    cleanups.push(() => emailengine.close());
    const first = startCli(['serve'], env);
    cleanups.push(() => stopProcess(first.child));
    await first.waitFor(READY);
    const connected = await runCli(['emailengine', 'connect', '--url', emailengine.url], env, emailengine.issueToken());
    assert.equal(connected.code, 0, connected.stderr);
    await stopProcess(first.child);
    const given = (await runCli(['server-url'], env)).stdout.trim();
    assert.equal(emailengine.settings.authServer, given, 'what EmailEngine calls');
    // While tokentray is down, the other user listens on its port: EmailEngine's calls, with the secret, go there.
    const squatter = attacker.startNode(
      `require('node:http').createServer((req, res) => res.end('{}')).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));`,
      [String(port)],
    );
    cleanups.push(() => stopProcess(squatter));
    const [listening] = (await once(squatter.stdout!.setEncoding('utf8'), 'data')) as [string];
    assert.match(listening, /listening/);

    const refused = await runCli(['serve'], env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.ok(refused.stderr.includes(`Port ${port} on 127.0.0.1 is held by another user of this machine, user ${attacker.name} (uid ${attacker.uid})`), refused.stderr);
    assert.ok(refused.stderr.includes(ERROR_HINTS.PORT_HELD_BY_OTHER_USER));
    const doctor = JSON.parse((await runCli(['doctor', '--json'], env)).stdout) as { checks: { id: string; code: string | null }[] };
    assert.equal(doctor.checks.find((check) => check.id === 'port')?.code, 'PORT_HELD_BY_OTHER_USER');

    await stopProcess(squatter);
    const serve = startCli(['serve'], env);
    cleanups.push(() => stopProcess(serve.child));
    await serve.waitFor(READY);
    const now = (await runCli(['server-url'], env)).stdout.trim();
    assert.notEqual(now, given, 'a new secret');
    assert.equal(emailengine.settings.authServer, now, 'EmailEngine follows by itself');
    assert.equal((await askLikeEmailEngine(given, 'sales', 'imap')).status, 401, 'the secret the other user may have received is refused');
    assert.equal((await askLikeEmailEngine(now, 'sales', 'imap')).status, 404, 'the new one is accepted (no such account yet)');
    await stopProcess(serve.child);
    // Made once: the next start, with the port free all along, keeps it.
    const again = startCli(['serve'], env);
    cleanups.push(() => stopProcess(again.child));
    await again.waitFor(READY);
    assert.equal((await runCli(['server-url'], env)).stdout.trim(), now);
    await stopProcess(again.child);
  });

  it('names the other user holding the port on ::1, and serves 127.0.0.1 alone', async () => {
    const home = await freshHome('port-held-v6');
    const port = await freePort();
    const env = { ...cliEnv(home), TOKENTRAY_PORT: String(port) };
    const squatter = attacker.startNode(`require('node:net').createServer().listen(Number(process.argv[1]), '::1', () => console.log('listening'));`, [String(port)]);
    cleanups.push(() => stopProcess(squatter));
    const [listening] = (await once(squatter.stdout!.setEncoding('utf8'), 'data')) as [string];
    assert.match(listening, /listening/);
    const serve = startCli(['serve'], env);
    cleanups.push(() => stopProcess(serve.child));
    await serve.waitFor(READY);
    await serve.waitFor(new RegExp(`\\[::1\\]:${port} is held by another user of this machine, user ${attacker.name} \\(uid ${attacker.uid}\\): 127\\.0\\.0\\.1 only`));
    const url = (await runCli(['server-url'], env)).stdout.trim();
    assert.match(url, new RegExp(`@127\\.0\\.0\\.1:${port}/`), 'the URL for EmailEngine names 127.0.0.1, never localhost');
    assert.equal((await askLikeEmailEngine(url, 'sales', 'imap')).status, 404);
    await stopProcess(serve.child);
  });

  it('keeps the other user out of the running daemon, and lets this user in', async () => {
    const home = await freshHome('running');
    const serve = startCli(['serve'], cliEnv(home));
    cleanups.push(() => stopProcess(serve.child));
    await serve.waitFor(READY);
    const attempt = await attacker.runNode(
      `const s = require('node:net').connect(process.argv[1]);
       s.on('connect', () => { console.log('connected'); s.destroy(); });
       s.on('error', (e) => console.log(e.code));`,
      [join(home, 'control.sock')],
    );
    assert.match(attempt.stdout, /EACCES/);
    const status = await runCli(['status', '--json'], cliEnv(home));
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { server: { running: boolean } }).server.running, true, 'answered by the daemon');
    await stopProcess(serve.child);
  });
});

describe('a program running as this user, without the vault key, posing as the daemon', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'tokentray-impostor-'));
  });
  after(async () => {
    await Vault.reset(join(home, 'vault.bin'), new KeytarSecretStore()).catch(() => null);
    await rm(home, { recursive: true, force: true });
  });

  it('gets only a random nonce from the real command, which refuses it by name', async () => {
    const made = await runCli(['server-url'], cliEnv(home)); // creates the vault and its key
    assert.equal(made.code, 0, made.stderr);
    const record = join(home, 'impostor-heard.txt');
    // Listens where the daemon would, owner-only like it, and names itself in the lock.
    const impostor = spawn(
      process.execPath,
      [
        '-e',
        `const net = require('node:net'); const fs = require('node:fs'); const crypto = require('node:crypto');
         const [home, record, boot] = process.argv.slice(1);
         process.umask(0o077);
         const stat = fs.readFileSync('/proc/self/stat', 'utf8');
         const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
         net.createServer((s) => {
           s.setEncoding('utf8');
           s.on('data', (d) => {
             fs.appendFileSync(record, d);
             s.write(JSON.stringify({ nonce: crypto.randomBytes(32).toString('hex'), proof: crypto.randomBytes(32).toString('hex') }) + '\\n');
           });
           s.on('error', () => {});
         }).listen(home + '/control.sock', () => {
           fs.writeFileSync(home + '/tokentray.lock', JSON.stringify({ pid: process.pid, control: home + '/control.sock', startedAt: Date.now(), boot, start }));
           console.log('listening');
         });`,
        home,
        record,
        currentProcessIdentity().boot ?? '',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(impostor.stdout!, 'data');
      const token = await runCli(['token', 'work'], cliEnv(home));
      assert.equal(token.code, 1);
      assert.match(token.stderr, /could not prove it holds this data directory's vault key; nothing was sent to it/);
      const heard = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
      assert.equal(heard.length, 1, heard.join('\n'));
      assert.deepEqual(Object.keys(JSON.parse(heard[0]!) as object).sort(), ['hello', 'nonce'], 'a hello with a nonce, no proof, no request');
    } finally {
      await stopProcess(impostor, 'SIGKILL');
      await rm(join(home, 'tokentray.lock'), { force: true });
    }
  });
});

describe('the command on a full disk (real 64 KB tmpfs)', { skip: process.getuid?.() !== 0 && 'needs root to mount a tmpfs' }, () => {
  let mountPoint: string;
  let mounted = false;
  before(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'tokentray-cli-full-'));
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
    if (mounted) spawnSync('sh', ['-c', `dd if=/dev/zero of=${join(mountPoint, 'filler')} bs=4k 2>/dev/null; true`]);
  });
  after(async () => {
    if (mounted) spawnSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('says the disk is full (not "unexpected error … This is a bug") and leaves no temp behind', async (t) => {
    if (!mounted) return t.skip('mount -t tmpfs failed');
    for (const args of [['config', 'set', 'tenant', 'contoso.com'], ['status']]) {
      const result = await runCli(args, cliEnv(mountPoint));
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /There is no space left to write/);
      assert.match(result.stderr, /disk \(or your disk quota\) is full/);
      assert.doesNotMatch(result.stderr, /unexpected error|bug/);
      assert.deepEqual((await readdir(mountPoint)).filter((name) => name !== 'filler'), [], `after ${args.join(' ')}`);
    }
  });
});

describe('core dumps of the running daemon', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-core-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs serve with core dumps off (limit 0/0, empty coredump_filter), even when started with ulimit -c unlimited', { skip: process.platform !== 'linux' && 'Linux /proc only' }, async () => {
    const home = join(dir, 'home');
    const cwd = join(dir, 'cwd');
    await mkdir(cwd);
    const serve = startServeWith('ulimit -c unlimited', home, cwd);
    try {
      await serve.ready;
      const limits = await readFile(`/proc/${serve.child.pid}/limits`, 'utf8');
      assert.match(limits, /^Max core file size\s+0\s+0\s+bytes/m);
      assert.equal(Number.parseInt((await readFile(`/proc/${serve.child.pid}/coredump_filter`, 'utf8')).trim(), 16), 0);
      const pattern = (await readFile('/proc/sys/kernel/core_pattern', 'utf8')).trim();
      if (pattern.startsWith('|') || pattern.includes('/')) return; // cores go to a handler or elsewhere: the limits above are the check
      const exited = once(serve.child, 'exit');
      serve.child.kill('SIGABRT');
      const [, signal] = (await exited) as [number | null, string | null];
      assert.equal(signal, 'SIGABRT');
      assert.deepEqual((await readdir(cwd)).filter((name) => name.startsWith('core')), [], 'no core file');

      // The control: a plain Node process started the same way does dump core here.
      const plain = spawn('sh', ['-c', 'ulimit -c unlimited; exec "$0" -e "setInterval(() => {}, 1000)"', process.execPath], { cwd, stdio: 'ignore' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const plainExit = once(plain, 'exit');
      plain.kill('SIGABRT');
      await plainExit;
      const cores = (await readdir(cwd)).filter((name) => name.startsWith('core'));
      assert.ok(cores.length > 0, 'this machine writes core files, so the check above meant something');
    } finally {
      await stopProcess(serve.child, 'SIGKILL');
      await Vault.reset(join(home, 'vault.bin'), new KeytarSecretStore()).catch(() => null);
    }
  });
});
