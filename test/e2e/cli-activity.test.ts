/**
 * `tokentray activity` against a real running `tokentray serve`: the request history comes
 * over the control channel, `--follow` streams new requests until Ctrl-C, and no token is
 * ever printed. EmailEngine's calls are made exactly as EmailEngine makes them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_LINK } from '../support/loopback.js';
import type { RequestRecord } from '../../src/shared/account-status.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { cliEnvironment } from '../support/local-setup.js';
import { runCli, startCli } from '../support/cli-process.js';

const ALICE = 'alice@contoso.test';

describe('tokentray activity (a real serve, the control channel)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-activity-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('needs the running tokentray, and says how to start it', async () => {
    const result = await runCli(['activity'], env);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /No tokentray is running/);
    assert.ok(result.stderr.includes(ERROR_HINTS.NOT_RUNNING));
  });

  it('lists recent requests, follows new ones until Ctrl-C, and never shows a token', async () => {
    const adding = startCli(['account', 'add', 'sales@contoso.com', '--no-browser'], env);
    const [authorizeUrl] = await adding.waitFor(SIGN_IN_LINK);
    await completeSignIn(authorizeUrl, { username: ALICE, caCertPem: idp.caCertPem }).catch(() => undefined);
    assert.equal((await adding.done).code, 0);

    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready/);
      const url = (await runCli(['server-url'], env)).stdout.trim();
      const empty = await runCli(['activity', '--json'], env);
      assert.equal(empty.code, 0, empty.stderr);
      assert.deepEqual(JSON.parse(empty.stdout), []);

      const served = await askLikeEmailEngine(url, 'sales@contoso.com', 'imap');
      assert.equal(served.status, 200);
      const token = (JSON.parse(served.body) as { accessToken: string }).accessToken;
      assert.equal((await askLikeEmailEngine(url, 'nobody', 'smtp')).status, 404);
      assert.equal((await askLikeEmailEngine(url.replace(/:[^:@/]+@/, ':wrong@'), 'sales@contoso.com', 'imap')).status, 401);

      const listed = await runCli(['activity', '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const records = JSON.parse(listed.stdout) as RequestRecord[];
      assert.deepEqual(
        records.map((r) => [r.account, r.proto, r.status, r.outcome]),
        [
          ['sales@contoso.com', 'imap', 200, 'ok'],
          ['nobody', 'smtp', 404, 'ACCOUNT_NOT_FOUND'],
          ['sales@contoso.com', 'imap', 401, 'credentials_wrong'],
        ],
        'oldest first',
      );
      for (const record of records) {
        assert.deepEqual(Object.keys(record).sort(), ['account', 'at', 'client', 'latencyMs', 'outcome', 'proto', 'status']);
        assert.equal(record.client, '127.0.0.1');
      }
      const text = await runCli(['activity'], env);
      assert.match(text.stdout, /^\S+ \S+ {2}200 ok +sales@contoso\.com {2}imap {2}[\d.]+ ms {2}127\.0\.0\.1$/m);
      assert.equal(text.stdout.trim().split('\n').length, 3);

      // --follow: the backlog, then each new request as it happens; Ctrl-C ends it cleanly.
      const follow = startCli(['activity', '--follow', '--json'], env);
      await follow.waitFor(/following new requests/);
      assert.equal((await askLikeEmailEngine(url, 'sales@contoso.com', 'smtp')).status, 200);
      await follow.waitFor(/"proto":"smtp","outcome":"ok"/);
      assert.equal((await askLikeEmailEngine(url, 'constructor', 'imap')).status, 404);
      await follow.waitFor(/"account":"constructor"/);
      follow.child.kill('SIGINT');
      const followed = await follow.done;
      assert.equal(followed.code, 0, followed.stderr);
      const lines = followed.stdout.trim().split('\n').map((line) => JSON.parse(line) as RequestRecord);
      assert.deepEqual(lines.map((r) => `${r.account} ${r.proto} ${r.status}`), [
        'sales@contoso.com imap 200',
        'nobody smtp 404',
        'sales@contoso.com imap 401',
        'sales@contoso.com smtp 200',
        'constructor imap 404',
      ], 'each request once, in order');

      for (const output of [listed.stdout, text.stdout, followed.stdout, followed.stderr]) {
        assert.ok(!output.includes(token.slice(0, 40)), 'no token in the activity output');
        assert.ok(!output.includes(new URL(url).password), 'no auth-server secret either');
      }
    } finally {
      serve.child.kill('SIGINT');
      await serve.done;
    }
  });
});
