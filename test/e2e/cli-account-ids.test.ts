/**
 * Account ids as EmailEngine allows them, end to end: the real `tokentray` processes, the
 * real keychain, MSAL and the local identity provider, and the auth server asked exactly as
 * EmailEngine asks. Ids that are e-mail addresses, unicode, 256 characters long, or names
 * of Object.prototype members must behave as ordinary ids; unsafe ids are refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_LINK } from '../support/loopback.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { cliEnvironment } from '../support/local-setup.js';
import { runCli, startCli, type CliResult } from '../support/cli-process.js';

const ALICE = 'alice@contoso.test';
const LONG_ID = `${'l'.repeat(250)}-long!`; // 256 characters
const IDS = ['sales@contoso.com', 'constructor', '__proto__', 'toString', 'Ventes café-ñ 販売', LONG_ID];

describe('account ids as EmailEngine allows them (CLI, auth server)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[]): Promise<CliResult> => runCli(args, env);
  const signIn = async (id: string): Promise<CliResult> => {
    const running = startCli(['account', 'add', '--no-browser', '--', id], env);
    const [url] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }).catch(() => undefined);
    return running.done;
  };

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-ids-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('refuses unsafe ids with ACCOUNT_ID_INVALID (exit 2) before any sign-in', async () => {
    for (const id of ['x'.repeat(257), 'a\tb', 'cafe\u0301', ' sales', 'a\u202eb']) {
      const result = await cli(['account', 'add', '--no-browser', '--', id]);
      assert.equal(result.code, 2, `${JSON.stringify(id)}: ${result.stderr}`);
      assert.match(result.stderr, /is not a valid account id/);
      assert.ok(result.stderr.includes(ERROR_HINTS.ACCOUNT_ID_INVALID), result.stderr);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 2, 'one line plus the hint, however hostile the id');
    }
    assert.equal(idp.tokenEndpointCalls({}), 0);
  });

  it('connects, serves, lists, reports and removes such ids like any other', async () => {
    for (const id of IDS) {
      const added = await signIn(id);
      assert.equal(added.code, 0, `${id}: ${added.stderr}`);
    }
    const listed = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { id: string }[];
    assert.deepEqual(listed.map((account) => account.id).sort(), [...IDS].sort());

    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready: auth server/);
      const url = (await cli(['server-url'])).stdout.trim();
      for (const id of IDS) {
        const answer = await askLikeEmailEngine(url, id, 'imap');
        assert.equal(answer.status, 200, `${id}: ${answer.status} ${answer.reason}`);
        assert.equal((JSON.parse(answer.body) as { user: string }).user, ALICE);
      }
      // An unknown prototype name is an unknown account, not a crash.
      const unknown = await askLikeEmailEngine(url, 'hasOwnProperty', 'imap');
      assert.equal(unknown.status, 404, unknown.reason);

      // Each account's last request is found under its own id, unicode and 256 characters included.
      const report = JSON.parse((await cli(['status', '--json'])).stdout) as { accounts: { id: string; state: { kind: string }; lastRequest: { account: string } | null }[] };
      assert.deepEqual(report.accounts.map((account) => account.id).sort(), [...IDS].sort());
      for (const account of report.accounts) {
        assert.equal(account.state.kind, 'active', account.id);
        assert.equal(account.lastRequest?.account, account.id);
      }

      // Through the daemon: a token for each, then remove __proto__ only.
      for (const id of IDS) {
        const token = await cli(['token', '--json', '--', id]);
        assert.equal(token.code, 0, `${id}: ${token.stderr}`);
      }
      const removed = await cli(['account', 'remove', '--', '__proto__']);
      assert.equal(removed.code, 0, removed.stderr);
      const gone = await askLikeEmailEngine(url, '__proto__', 'imap');
      assert.equal(gone.status, 404);
      assert.equal((await askLikeEmailEngine(url, 'constructor', 'smtp')).status, 200);
    } finally {
      serve.child.kill('SIGINT');
      const stopped = await serve.done;
      assert.equal(stopped.code, 0, stopped.stderr);
    }

    // After a restart (the vault read back from disk), the rest are all still there.
    const after = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { id: string }[];
    assert.deepEqual(after.map((account) => account.id).sort(), IDS.filter((id) => id !== '__proto__').sort());
    const config = await readFile(join(home, 'config.json'), 'utf8').catch(() => '');
    for (const id of IDS) assert.ok(!config.includes(id), 'ids live in the encrypted vault, not in config.json');
  });
});
