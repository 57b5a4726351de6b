/**
 * `npm run demo`: the whole flow against a local identity provider, no Microsoft tenant.
 *
 * Starts the test identity provider (HTTPS on 127.0.0.1, Entra-shaped tokens), points a
 * throw-away tokentray data directory at it, connects a demo account with the real
 * `tokentray` command (this script plays the browser), prints a token, starts
 * `tokentray serve` and asks the auth server for the token exactly as EmailEngine would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnvironment } from '../test/support/local-setup.js';
import { runCli, startCli } from '../test/support/cli-process.js';
import { completeSignIn, startIdentityProvider } from '../test/support/identity-provider/index.js';

const USER = 'alice@contoso.test';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// Without a desktop session there is no keychain: borrow a private, throw-away one.
if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.TOKENTRAY_KEYRING_DIR) {
  if (has('dbus-run-session') && has('gnome-keyring-daemon')) {
    console.log('demo: no D-Bus session here; running inside a private one with a throw-away gnome-keyring');
    const run = spawnSync('bash', ['scripts/with-keyring.sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
}

const shorten = (token: string): string => `${token.slice(0, 12)}…${token.slice(-6)} (${token.length} chars)`;

const idp = await startIdentityProvider({ users: [{ username: USER, name: 'Alice Example' }], log: () => undefined });
const home = await mkdtemp(join(tmpdir(), 'tokentray-demo-'));
const env = cliEnvironment(idp, home);
let exitCode = 0;
try {
  console.log(`\n1. A local identity provider is running at ${idp.authority}`);
  console.log(`   tokentray uses it through TOKENTRAY_AUTHORITY and TOKENTRAY_CLIENT_ID; data in ${home}`);

  console.log(`\n2. tokentray account add demo --email ${USER}`);
  const add = startCli(['account', 'add', 'demo', '--email', USER, '--no-browser'], env);
  const [url] = await add.waitFor(/https:\/\/\S+\/authorize\?\S+/);
  console.log(`   (playing the browser: opening the sign-in page, signing in as ${USER}, consenting)`);
  const landing = await completeSignIn(url, { username: USER, caCertPem: idp.caCertPem });
  console.log(`   the browser shows tokentray's page: "${/<h1>([^<]+)<\/h1>/.exec(landing.body)?.[1] ?? landing.status}"`);
  const added = await add.done;
  if (added.code !== 0) throw new Error(added.stderr);
  console.log(`   ${added.stdout.trim()}`);

  console.log('\n3. tokentray token demo --json');
  const token = await runCli(['token', 'demo', '--json'], env);
  if (token.code !== 0) throw new Error(token.stderr);
  const answer = JSON.parse(token.stdout) as { user: string; accessToken: string; expiresAt: string };
  const claims = await idp.verifyAccessToken(answer.accessToken);
  console.log(`   user ${answer.user}, token ${shorten(answer.accessToken)}, expires ${answer.expiresAt}`);
  console.log(`   verified by the identity provider: aud=${String(claims.aud)} scp="${String(claims.scp)}"`);

  console.log('\n4. tokentray serve  (the auth server for EmailEngine)');
  const serve = startCli(['serve'], env);
  try {
    await serve.waitFor(/tokentray ready/);
    const serverUrl = (await runCli(['server-url'], env)).stdout.trim();
    console.log(`   EmailEngine's authServer setting would be: ${serverUrl.replace(/:[^:@/]+@/, ':<secret>@')}`);
    const target = new URL(serverUrl);
    const authorization = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
    target.username = target.password = '';
    target.searchParams.set('account', 'demo');
    target.searchParams.set('proto', 'imap');
    const response = await fetch(target, { headers: { authorization } });
    const body = (await response.json()) as { user: string; accessToken: string };
    console.log(`   GET ${target.pathname}${target.search} → ${response.status} {"user": "${body.user}", "accessToken": "${shorten(body.accessToken)}"}`);
    const status = await runCli(['status'], env);
    console.log(status.stdout.trimEnd().replace(/^/gm, '   '));
  } finally {
    serve.child.kill('SIGINT');
    await serve.done;
  }
  console.log('\nDone. Nothing was left behind: the demo data directory and its keychain entry are removed.');
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await runCli(['vault', 'reset', '--yes'], env).catch(() => undefined);
  await idp.close();
  await rm(home, { recursive: true, force: true });
}
process.exit(exitCode);
