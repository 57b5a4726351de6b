/**
 * SIGKILL against rotating refresh tokens: the local identity provider makes every refresh
 * token single-use (a replay fails with invalid_grant), and `tokentray serve` is killed with
 * SIGKILL the instant EmailEngine has the refreshed tokens of every account, eight times in
 * a row. Each token it served must have had its new refresh token on disk already: after
 * every restart every account refreshes again, and none ever needs sign-in.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';
import { startCli } from '../support/cli-process.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { cliEnvironment } from '../support/local-setup.js';
import { accountIdOf, benchUsername, signInUsers, writeHome } from '../support/signed-in-homes.js';

const ACCOUNTS = 4;
const KILLS = 8;
const LIFETIME_S = 3;

describe('crash consistency with single-use refresh tokens', () => {
  let idp: TestIdentityProvider;
  let home = '';

  before(async () => {
    idp = await startIdentityProvider({ users: Array.from({ length: ACCOUNTS }, (_, index) => ({ username: benchUsername(index) })) });
    idp.setAccessTokenLifetime(LIFETIME_S);
  });

  after(async () => {
    if (home) {
      await Vault.reset(dataFiles(home).vault, new KeytarSecretStore()).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    }
    await idp?.close();
  });

  it(`keeps every account through ${KILLS} SIGKILLs right after its refreshed token was served`, async () => {
    const signedIn = await signInUsers(idp, ACCOUNTS);
    ({ home } = await writeHome(signedIn));
    const credentials = (await Vault.open(dataFiles(home).vault, new KeytarSecretStore())).document.serverCredentials!;
    const env = cliEnvironment(idp, home);
    const served = new Set<string>();
    for (let cycle = 0; cycle <= KILLS; cycle += 1) {
      // Every access token is expired by now: this start must refresh (rotate) every account.
      await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 300));
      const refreshesBefore = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
      const serve = startCli(['serve'], env);
      try {
        const [, url] = await serve.waitFor(/auth server (http\S+) serving/, 30_000);
        const withCredentials = url!.replace('http://', `http://${credentials.username}:${credentials.password}@`);
        const answers = await Promise.all(Array.from({ length: ACCOUNTS }, (_, index) => askLikeEmailEngine(withCredentials, accountIdOf(index), 'imap')));
        if (cycle < KILLS) serve.child.kill('SIGKILL'); // the instant the last answer is in
        for (const answer of answers) {
          assert.equal(answer.status, 200, `cycle ${cycle}: ${answer.status} ${answer.reason} ${answer.body}\n${serve.stderr()}`);
          const { accessToken } = JSON.parse(answer.body) as { accessToken: string };
          assert.ok(!served.has(accessToken), `cycle ${cycle}: a fresh token, not one served before the kill`);
          served.add(accessToken);
        }
        assert.ok(idp.tokenEndpointCalls({ grantType: 'refresh_token' }) - refreshesBefore >= ACCOUNTS, `cycle ${cycle}: every account rotated its refresh token`);
        assert.doesNotMatch(serve.stderr(), /needs sign-in|invalid_grant/);
      } finally {
        if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGINT');
        const stopped = await serve.done;
        if (cycle === KILLS) assert.equal(stopped.code, 0, stopped.stderr);
      }
    }
  });
});
