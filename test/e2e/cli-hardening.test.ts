/**
 * Issue 10's attacks on the running product, for real: the real `tokentray` processes, the
 * real keychain, MSAL with the local identity provider, attackers in other processes (and,
 * when the test runs as root, as another real local user).
 *
 * - Local DoS: a second process floods wrong credentials while EmailEngine-shaped requests
 *   with the right ones must all get 200.
 * - The sign-in listener: hundreds of MB streamed at it during a real sign-in; `serve` keeps
 *   answering and the sign-in still completes.
 * - Login CSRF: a process reading /proc/PID/cmdline for the sign-in link races the user and
 *   completes the sign-in as another identity; the account must never be saved as them.
 * - Settings that move sign-in (authority, cloud) keep the tokens and come back when restored.
 * - Vault edges: a header bit flip and a moved vault.bin give named errors and change nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { cliEnvironment } from '../support/local-setup.js';
import { loopbackPortOf, SIGN_IN_LINK } from '../support/loopback.js';
import { runCli, startCli, type CliResult } from '../support/cli-process.js';

const ALICE = 'alice@contoso.test';
const MALLORY = 'mallory@contoso.test';

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

/** A second local user for the test's lifetime (root only), or null. */
function makeLocalUser(): { name: string; remove(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const name = `tt-${randomBytes(4).toString('hex')}`;
  if (spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', name]).status !== 0) return null;
  return { name, remove: () => void spawnSync('userdel', [name]) };
}

/** Streams `totalBytes` of form body at the listener; resolves with what it answered and how much it took. */
function streamOversizedPost(port: number, totalBytes: number): Promise<{ answer: string; sentBytes: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sentBytes = 0;
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    socket.setEncoding('latin1').on('data', (data: string) => (answer += data));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer, sentBytes }));
    socket.write(`POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${totalBytes}\r\n\r\n`);
    const pump = (): void => {
      while (sentBytes < totalBytes && !socket.destroyed) {
        sentBytes += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
}

describe('tokentray under attack (issue 10, end to end)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { ...env, ...extra });

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }, { username: MALLORY, name: 'Mallory Attacker' }] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-hardening-'));
    // Settings through `config set`, not environment overrides: the authority test changes them.
    const base = cliEnvironment(idp, home, { BROWSER: '' });
    delete base.TOKENTRAY_AUTHORITY;
    delete base.TOKENTRAY_CLIENT_ID;
    env = base;
    assert.equal((await cli(['config', 'set', 'clientId', idp.clientId])).code, 0);
    assert.equal((await cli(['config', 'set', 'authority', idp.authority])).code, 0);
    const running = startCli(['account', 'add', 'alice', '--email', ALICE, '--no-browser'], env);
    const [link] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(link, { username: ALICE, caCertPem: idp.caCertPem });
    const added = await running.done;
    assert.equal(added.code, 0, added.stderr);
  });

  after(async () => {
    await cli(['vault', 'reset', '--yes']).catch(() => undefined);
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('serves every correct request while another process floods wrong credentials (class 2)', async () => {
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready: auth server/);
      const url = (await cli(['server-url'])).stdout.trim();
      const port = new URL(url).port;
      // The attacker: a separate process on the same machine (same 127.0.0.1), one wrong
      // request every 20 ms plus bursts of 20, for the whole test.
      const flood = spawn(
        process.execPath,
        [
          '-e',
          `const http = require('node:http');
           let sent = 0, throttled = 0, refused = 0;
           const one = () => { const req = http.request({ host: '127.0.0.1', port: ${port}, path: '/authentication?account=alice&proto=imap',
             headers: { host: '127.0.0.1:${port}', authorization: 'Basic ' + Buffer.from('emailengine:guess-' + sent).toString('base64') }, agent: false },
             (res) => { res.resume(); if (res.statusCode === 429) throttled++; else if (res.statusCode === 401) refused++; });
             req.on('error', () => {}); req.end(); sent++; };
           setInterval(one, 20);
           setInterval(() => { for (let i = 0; i < 20; i++) one(); }, 200);
           process.on('SIGTERM', () => { console.log(JSON.stringify({ sent, throttled, refused })); process.exit(0); });`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let floodReport = '';
      flood.stdout.setEncoding('utf8').on('data', (chunk: string) => (floodReport += chunk));
      await sleep(500); // the throttle is engaged by now
      const answers = [];
      for (let i = 0; i < 60; i += 1) {
        answers.push(await askLikeEmailEngine(url, 'alice', i % 2 === 0 ? 'imap' : 'smtp'));
        await sleep(25);
      }
      flood.kill('SIGTERM');
      await new Promise((resolve) => flood.once('close', resolve));
      const stats = JSON.parse(floodReport) as { sent: number; throttled: number; refused: number };
      assert.deepEqual(
        answers.map((answer) => answer.status),
        answers.map(() => 200),
        `every correct request was served: ${answers.map((a) => `${a.status} ${a.reason}`).filter((s) => !s.startsWith('200')).join('; ')}`,
      );
      assert.ok(stats.sent > 200, `the flood ran (${stats.sent} wrong requests)`);
      assert.ok(stats.throttled > 0, `the wrong credentials themselves were throttled (${JSON.stringify(stats)})`);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
    }
  });

  it('survives hundreds of MB streamed at the sign-in listener during a real sign-in, and completes it (class 3)', async () => {
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready: auth server/);
      const url = (await cli(['server-url'])).stdout.trim();
      // The sign-in runs inside the daemon (the CLI goes through its control channel).
      const adding = startCli(['account', 'add', 'alice', '--no-browser'], env);
      const [link] = await adding.waitFor(SIGN_IN_LINK);
      const port = loopbackPortOf(link);
      const declared = await streamOversizedPost(port, 700 * 1024 * 1024);
      assert.match(declared.answer, /^HTTP\/1\.1 413/, 'a declared 700 MB body is refused before it is read');
      // Without a length: chunked, 300 MB offered.
      const streamed = await new Promise<{ answer: string; sentBytes: number }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        let sentBytes = 0;
        const chunk = 'a'.repeat(1024 * 1024);
        socket.setEncoding('latin1').on('data', (data: string) => (answer += data));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve({ answer, sentBytes }));
        socket.write(`POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const pump = (): void => {
          while (sentBytes < 300 * 1024 * 1024 && !socket.destroyed) {
            sentBytes += chunk.length;
            if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) return void socket.once('drain', pump);
          }
          socket.end('0\r\n\r\n');
        };
        pump();
      });
      // Answered 413 and hung up (the peer may see only the reset, its unread answer dropped).
      assert.ok(streamed.answer === '' || /^HTTP\/1\.1 413/.test(streamed.answer), streamed.answer.slice(0, 40));
      assert.ok(streamed.sentBytes < 300 * 1024 * 1024, `the listener hung up early (${streamed.sentBytes} bytes taken)`);
      assert.equal(serve.child.exitCode, null, 'serve is still running');
      const served = await askLikeEmailEngine(url, 'alice', 'imap');
      assert.equal(served.status, 200, 'and still serving EmailEngine');
      await completeSignIn(link, { username: ALICE, caCertPem: idp.caCertPem });
      const result = await adding.done;
      assert.equal(result.code, 0, `the real sign-in still completes: ${result.stderr}`);
      assert.match(result.stdout, /Connected alice as alice@contoso\.test/);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
    }
  });

  it('never saves an account as the identity of a process that read the sign-in link from /proc (class 3, login CSRF)', async () => {
    const other = makeLocalUser();
    const cleanups: Array<() => void> = [];
    const work = await mkdtemp(join(tmpdir(), 'tokentray-csrf-'));
    try {
      await chmod(work, 0o755);
      // A "browser" that keeps the URL it was given on its command line, as real ones do.
      const browser = join(work, 'fake-browser.sh');
      await writeFile(browser, `#!/bin/sh\nexec ${process.execPath} -e "setTimeout(() => {}, 15000)" "$@"\n`);
      await chmod(browser, 0o755);
      // The attacker: scans every process's command line for a sign-in link and opens it
      // first; prints where it was sent (the authorize URL, state and all, if it got it).
      const attackerScript = join(work, 'attacker.cjs');
      await writeFile(
        attackerScript,
        `const fs = require('node:fs');
         const dead = new Set();
         const scan = async () => {
           for (const pid of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d))) {
             let cmd = '';
             try { cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1'); } catch { continue; }
             const m = /http:\\/\\/localhost:\\d+\\/start\\/[A-Za-z0-9_-]+/.exec(cmd);
             if (!m || dead.has(m[0])) continue;
             let res;
             try { res = await fetch(m[0].replace('//localhost:', '//127.0.0.1:'), { redirect: 'manual', headers: { host: new URL(m[0]).host } }); }
             catch { dead.add(m[0]); continue; } // a link from an earlier, finished sign-in
             console.log(JSON.stringify({ link: m[0], status: res.status, location: res.headers.get('location') }));
             process.exit(0);
           }
           setTimeout(scan, 5);
         };
         scan();
         setTimeout(() => process.exit(2), 20000);`,
      );
      await chmod(attackerScript, 0o644);

      /** The victim connects `id` without --email while the attacker runs; the attacker then signs in as Mallory, the victim as Alice. */
      const race = async (id: string, attackerCommand: string[]) => {
        const attacker = spawn(attackerCommand[0]!, attackerCommand.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
        let attackerOut = '';
        attacker.stdout.setEncoding('utf8').on('data', (chunk: string) => (attackerOut += chunk));
        const attackerDone = new Promise<number | null>((resolve) => attacker.once('close', resolve));
        cleanups.push(() => attacker.kill('SIGKILL'));
        const adding = startCli(['account', 'add', id], { ...env, BROWSER: browser });
        cleanups.push(() => adding.child.kill('SIGTERM'));
        const [link] = await adding.waitFor(SIGN_IN_LINK);
        assert.equal(await attackerDone, 0, 'the attacker found the link on a command line');
        const stolen = JSON.parse(attackerOut) as { link: string; status: number; location: string | null };
        assert.equal(stolen.link, link);
        // The attacker completes the sign-in as themselves from their own browser, while the
        // victim's browser opens the link.
        const attackerSignIn = stolen.location ? completeSignIn(stolen.location, { username: MALLORY, caCertPem: idp.caCertPem }).catch((error: Error) => error) : null;
        await completeSignIn(link, { username: ALICE, caCertPem: idp.caCertPem }).catch((error: Error) => error);
        await attackerSignIn;
        return { stolen, result: await adding.done };
      };
      const accounts = async () => JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { id: string; email: string }[];

      // Another process of the same user opens the link first: the victim's browser opening it
      // second aborts the whole sign-in.
      const same = await race('samebox', [process.execPath, attackerScript]);
      assert.equal(same.stolen.status, 302, 'a same-user process that is first gets the authorize URL');
      assert.equal(same.result.code, 1, `the sign-in failed: ${same.result.stdout}${same.result.stderr}`);
      assert.match(same.result.stderr, /Someone else opened this sign-in link/);
      assert.deepEqual((await accounts()).filter((a) => a.id === 'samebox' || a.email === MALLORY), [], 'nothing saved, least of all as the attacker');

      if (other) {
        // Another real local user: the listener does not serve them at all, so the victim's
        // sign-in goes through, as the victim.
        const cross = await race('otherbox', ['setpriv', `--reuid=${other.name}`, `--regid=${other.name}`, '--clear-groups', process.execPath, attackerScript]);
        assert.equal(cross.stolen.status, 403, 'another user gets nothing from the link');
        assert.equal(cross.stolen.location, null);
        assert.equal(cross.result.code, 0, cross.result.stderr);
        assert.match(cross.result.stdout, /Connected otherbox as alice@contoso\.test/, 'the signed-in address is shown');
        assert.deepEqual((await accounts()).find((a) => a.id === 'otherbox')?.email, ALICE);
        assert.equal((await cli(['account', 'remove', 'otherbox'])).code, 0);
      }
    } finally {
      for (const cleanup of cleanups) cleanup();
      other?.remove();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('keeps the tokens when authority or cloud change, names the state, and serves again when restored (class 4)', async () => {
    const vault = join(home, 'vault.bin');
    assert.equal((await cli(['token', 'alice'])).code, 0);
    for (const [key, changed] of [
      ['authority', `${new URL(idp.authority).origin}/another-tenant`],
      ['cloud', 'gcc-high'],
    ] as const) {
      const before = await sha256(vault);
      assert.equal((await cli(['config', 'set', key, changed])).code, 0);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const token = await cli(['token', 'alice']);
        assert.equal(token.code, 3, `${key}: ${token.stderr}`);
        assert.match(token.stderr, /signed in with another (authority|cloud)/);
        assert.match(token.stderr, /change the setting back or sign in again/i);
      }
      const status = await cli(['status', '--json']);
      const alice = (JSON.parse(status.stdout) as { accounts: { id: string; state: { kind: string; reason?: { code: string } } }[] }).accounts.find((a) => a.id === 'alice');
      assert.deepEqual(alice?.state.kind, 'needs-sign-in');
      assert.equal(alice?.state.reason?.code, 'SIGNED_IN_ELSEWHERE');
      assert.equal(await sha256(vault), before, `${key}: the vault was not touched`);
      assert.equal((await cli(['config', 'set', key, key === 'cloud' ? 'global' : idp.authority])).code, 0);
      const back = await cli(['token', 'alice', '--json']);
      assert.equal(back.code, 0, `${key} restored: ${back.stderr}`);
      assert.equal((JSON.parse(back.stdout) as { user: string }).user, ALICE);
    }

    // The same through the running daemon: EmailEngine sees the named state, then tokens again.
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready: auth server/);
      const url = (await cli(['server-url'])).stdout.trim();
      assert.equal((await askLikeEmailEngine(url, 'alice', 'imap')).status, 200);
      assert.equal((await cli(['config', 'set', 'authority', `${new URL(idp.authority).origin}/another-tenant`])).code, 0);
      const refused = await askLikeEmailEngine(url, 'alice', 'imap');
      assert.equal(refused.status, 409);
      assert.match(refused.reason, /^Account alice signed in with another authority: change it back in tokentray or sign in again$/);
      assert.equal((await cli(['config', 'set', 'authority', idp.authority])).code, 0);
      let served = await askLikeEmailEngine(url, 'alice', 'imap');
      for (let i = 0; i < 20 && served.status !== 200; i += 1) {
        await sleep(100);
        served = await askLikeEmailEngine(url, 'alice', 'imap');
      }
      assert.equal(served.status, 200, `served again after the restore: ${served.reason}`);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
    }
  });

  it('names a header bit flip VAULT_CORRUPT and a moved vault.bin VAULT_MISSING, and creates nothing (class 6)', async () => {
    const vault = join(home, 'vault.bin');
    const original = await readFile(vault);
    const url = (await cli(['server-url'])).stdout.trim();
    for (const bit of [0, 37, 100, 159]) {
      const flipped = Buffer.from(original);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      await writeFile(vault, flipped);
      const token = await cli(['token', 'alice']);
      assert.equal(token.code, 1);
      assert.match(token.stderr, /cannot be read/, `bit ${bit}: ${token.stderr}`);
      assert.doesNotMatch(token.stderr, /not in the OS keychain/, `bit ${bit}`);
      assert.match(token.stderr, /hint: The vault file could not be decrypted/);
      assert.deepEqual(await readFile(vault), flipped, 'left as it was');
    }
    await writeFile(vault, original);

    await rename(vault, `${vault}.moved`);
    for (const args of [['token', 'alice'], ['server-url'], ['account', 'list']]) {
      const result = await cli(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /is missing, but its key is still in the OS keychain/, args.join(' '));
      assert.match(result.stderr, /Put vault\.bin back/);
    }
    await assert.rejects(stat(vault), { code: 'ENOENT' }, 'no new vault was minted');
    await rename(`${vault}.moved`, vault);
    assert.equal((await cli(['server-url'])).stdout.trim(), url, 'the same auth-server secret afterwards');
    assert.equal((await cli(['token', 'alice'])).code, 0);
  });
});
