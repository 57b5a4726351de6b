/**
 * `token`, `status` and `server-url` through a running daemon take the CommonJS fast path
 * (bin/tokentray.cjs → dist/cli-bundle/daemon-fast-path.cjs), and everything else, or no
 * daemon, the full CLI (dist/cli-bundle/main.js).
 *
 * Proven on a copy of the entry point beside the two CommonJS files only: with a daemon the
 * three commands answer there, so they never needed main.js; without one they reach for
 * main.js and fail to find it, so they did hand over. The real layout then answers the same
 * way through either path.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';
import { BIN, runCli, startCli, type CliResult, type RunningCli } from '../support/cli-process.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { cliEnvironment } from '../support/local-setup.js';
import { accountIdOf, benchUsername, signInUsers, writeHome } from '../support/signed-in-homes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The full CLI in this process (main.ts, through the daemon when one runs). */
async function runMain(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`) }, env);
  return { code, stdout, stderr };
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the daemon fast path of the CLI', () => {
  let idp: TestIdentityProvider;
  let home = '';
  let env: NodeJS.ProcessEnv;
  let fastOnly = ''; // a tokentray without dist/cli-bundle/main.js
  let serve: RunningCli | null = null;

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: benchUsername(0) }] });
    ({ home } = await writeHome(await signInUsers(idp, 1)));
    env = cliEnvironment(idp, home);
    fastOnly = await mkdtemp(join(tmpdir(), 'tokentray-fast-only-'));
    await mkdir(join(fastOnly, 'bin'));
    await mkdir(join(fastOnly, 'dist/cli-bundle'), { recursive: true });
    await copyFile(BIN, join(fastOnly, 'bin/tokentray.cjs'));
    for (const file of ['process-hardening.cjs', 'daemon-fast-path.cjs']) await copyFile(join(ROOT, 'dist/cli-bundle', file), join(fastOnly, 'dist/cli-bundle', file));
    await symlink(join(ROOT, 'node_modules'), join(fastOnly, 'node_modules')); // keytar
  });

  after(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGINT');
    await serve?.done;
    await Vault.reset(dataFiles(home).vault, new KeytarSecretStore()).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    await rm(fastOnly, { recursive: true, force: true });
    await idp?.close();
  });

  it('without a daemon, hands token, status and server-url to the full CLI', async () => {
    const bin = join(fastOnly, 'bin/tokentray.cjs');
    for (const args of [['token', accountIdOf(0)], ['status'], ['server-url']]) {
      const result = await run(bin, args, env);
      assert.notEqual(result.code, 0, `${args[0]} answered without a daemon and without main.js`);
      assert.match(result.stderr, /cli-bundle[/\\]main\.js/, `${args[0]} went looking for the full CLI: ${result.stderr}`);
    }
    // The real layout: the same commands, answered by a core of their own.
    const status = await runCli(['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /not running/);
  });

  it('with a daemon, answers them without the full CLI, exactly as the full CLI does', async () => {
    serve = startCli(['serve'], env);
    await serve.waitFor(/tokentray ready/, 30_000);
    const bin = join(fastOnly, 'bin/tokentray.cjs');

    const token = await run(bin, ['token', accountIdOf(0)], env);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const json = await run(bin, ['token', accountIdOf(0), '--proto', 'smtp', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { user: string }).user, benchUsername(0));

    const url = await run(bin, ['server-url'], env);
    assert.equal(url.code, 0, url.stderr);
    assert.match(url.stdout, /^http:\/\/[^:]+:[^@]+@127\.0\.0\.1:\d+\/authentication\n$/);

    const status = await run(bin, ['status'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /auth server: running at/);
    const fromMain = await runMain(['status', '--json'], env);
    const fromFast = await run(bin, ['status', '--json'], env);
    assert.deepEqual(
      (JSON.parse(fromFast.stdout) as { accounts: { id: string }[] }).accounts.map((a) => a.id),
      (JSON.parse(fromMain.stdout) as { accounts: { id: string }[] }).accounts.map((a) => a.id),
    );

    // A daemon's error is reported by the fast path with the full CLI's words and exit code.
    const unknown = await run(bin, ['token', 'nobody'], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /^tokentray: .*nobody[\s\S]*hint: /);
    const viaMain = await runMain(['token', 'nobody'], env);
    assert.equal(unknown.code, viaMain.code);
    assert.equal(unknown.stderr, viaMain.stderr);
  });

  it('leaves help, usage errors and every other command to the full CLI, even with a daemon running', async () => {
    const bin = join(fastOnly, 'bin/tokentray.cjs');
    for (const args of [['token', '--help'], ['token'], ['token', 'a', '--proto', 'pop3'], ['status', 'extra'], ['account', 'list'], ['--version']]) {
      const result = await run(bin, args, env);
      assert.match(result.stderr, /cli-bundle[/\\]main\.js/, `${args.join(' ')} was not handed over: ${result.stdout}${result.stderr}`);
    }
    const usage = await runCli(['token', 'a', '--proto', 'pop3'], env);
    assert.match(usage.stderr, /--proto must be imap, smtp or api, not "pop3"/);
  });
});
