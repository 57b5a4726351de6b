/**
 * The real window connects a Gmail account through the provider choice: renderer in Chromium,
 * the real core in-process (google-auth-library, the real keychain), main's window backend,
 * and the local Google-shaped identity provider; the browser is played by `completeSignIn`.
 * A second run starts from nothing: the Google client ID and secret are entered in Settings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logging/logger.js';
import { openCore, type OpenedCore } from '../../src/core/open-core.js';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';
import { SIGN_IN_LINK } from '../support/loopback.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { completeSignIn, type SignInResult } from '../support/identity-provider/index.js';
import { GMAIL_SCOPE, startGoogleIdentityProvider, type GoogleIdentityProvider } from '../support/identity-provider/google-identity-provider.js';
import { createTrustingFetch } from '../support/identity-provider/trusting-fetch.js';
import { memorySettings } from '../support/memory-settings.js';
import { launchChromium, startWindowHarness, type ChromiumHandle, type WindowHarness } from './window-harness.js';

const ALICE = 'alice@gmail.test';
const SIGN_IN_WAIT_MS = 15_000;


interface GoogleWindowFixture {
  readonly idp: GoogleIdentityProvider;
  readonly core: OpenedCore;
  /** What the played browser did for each sign-in link the window opened. */
  readonly signIns: Array<Promise<SignInResult | Error>>;
  /** The window on Connect; every sign-in link it opens is completed as ALICE. */
  openConnect(): Promise<WindowHarness>;
}

/**
 * The describe block's hooks: a Google-shaped provider, the real core on a fresh data directory
 * (set up for Google when `configured`, else knowing only where "Google" is) and one Chromium.
 */
function googleWindowFixture(configured: boolean): GoogleWindowFixture {
  let idp: GoogleIdentityProvider;
  let core: OpenedCore;
  let home: string;
  let chromium: ChromiumHandle;
  const signIns: Array<Promise<SignInResult | Error>> = [];

  before(async () => {
    idp = await startGoogleIdentityProvider({ users: [ALICE] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-window-google-'));
    core = await openCore({
      home,
      role: 'daemon',
      logger: silentLogger,
      settingsBackend: memorySettings({ ...(configured ? { 'google.clientId': idp.clientId } : {}), 'google.endpoint': idp.endpoint, port: 0 }),
      googleFetch: createTrustingFetch(idp.caCertPem),
    });
    await core.start();
    if (configured) await core.setClientSecret('google', idp.clientSecret);
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    if (core) {
      await core.close();
      await Vault.reset(dataFiles(home).vault, new KeytarSecretStore());
    }
    if (home) await rm(home, { recursive: true, force: true });
    await idp?.close();
  });

  return {
    get idp() {
      return idp;
    },
    get core() {
      return core;
    },
    signIns,
    openConnect: () =>
      startWindowHarness(core, {
        browser: chromium.browser,
        openExternal: async (url) => {
          signIns.push(completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
        },
        view: 'connect',
      }),
  };
}

describe('tokentray window connects a Google account (Chromium, real core, Google-shaped provider)', { timeout: 60_000 }, () => {
  const fixture = googleWindowFixture(true);

  it('picks Google, sees its profiles and wording, signs in and shows the Gmail account active', async () => {
    const { idp, core, signIns } = fixture;
    const harness = await fixture.openConnect();
    try {
      const { page, openedUrls } = harness;
      await page.getByLabel('Account id').fill('gmail');
      await page.locator('input[name="provider"][value="google"]').check();
      assert.equal(await page.getByRole('radio', { name: /Gmail IMAP\/SMTP/ }).isChecked(), true, 'Google\'s IMAP + SMTP profile is preselected');
      assert.equal(await page.getByRole('radio', { name: /Outlook IMAP\/SMTP/ }).isVisible(), false, 'Microsoft profiles are hidden');
      await page.getByLabel('Google address (optional)').fill(ALICE);
      await page.getByRole('button', { name: 'Sign in with Google' }).click();

      await page.getByRole('heading', { name: 'gmail is connected' }).waitFor({ timeout: SIGN_IN_WAIT_MS }).catch(async (error: unknown) => {
        const played = await signIns.at(-1);
        throw new Error(`not connected: page says "${await page.locator('main').innerText()}"; urls ${openedUrls.join(' ')}; browser: ${played instanceof Error ? played.message : JSON.stringify(played)}`, { cause: error });
      });
      assert.equal(openedUrls.length, 1);
      assert.match(openedUrls[0]!, SIGN_IN_LINK, 'main opened the one-time sign-in link, not the authorize URL');
      const answer = await signIns.at(-1);
      assert.ok(answer && !(answer instanceof Error) && answer.status === 200, 'the loopback listener accepted the code');
      const authorize = new URL(answer.authorizeUrl ?? '');
      assert.equal(authorize.origin, idp.endpoint, 'the link led to the configured Google endpoint');
      assert.equal(authorize.pathname, '/o/oauth2/v2/auth');
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');

      await page.getByRole('button', { name: 'Show accounts' }).click();
      const card = page.locator('article[data-account="gmail"]');
      await card.getByText('Active', { exact: true }).waitFor();
      assert.match(await card.innerText(), /alice@gmail\.test · Gmail IMAP\/SMTP \(Google\)/);

      const status = await core.status();
      assert.equal(status.accounts[0]!.provider, 'google');
      const served = await askLikeEmailEngine(await core.serverUrl(), 'gmail', 'imap');
      assert.equal(served.status, 200, served.body);
      const token = await idp.introspect((JSON.parse(served.body) as { accessToken: string }).accessToken);
      assert.ok(token?.scopes.includes(GMAIL_SCOPE));
      assert.deepEqual([...harness.problems], []);
    } finally {
      await harness.close();
    }
  });
});

describe('tokentray window sets up Google in Settings, then connects a Gmail account (Chromium, real core)', { timeout: 60_000 }, () => {
  const fixture = googleWindowFixture(false);

  it('is pointed from Connect to Settings, takes the client ID and secret there, and then signs in', async () => {
    const { idp, core, signIns } = fixture;
    const harness = await fixture.openConnect();
    try {
      const { page } = harness;
      assert.deepEqual((await core.status()).clientSecrets, { google: false });
      await page.locator('input[name="provider"][value="google"]').check();
      const note = page.locator('#connect-setup');
      assert.match(await note.innerText(), /Not set yet: the client ID and the client secret\./);
      assert.equal(await page.getByRole('button', { name: 'Sign in with Google' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Open Settings → Google sign-in' }).click();

      await page.getByLabel('Google client ID').fill(idp.clientId);
      await page.getByLabel('Google client secret').fill(idp.clientSecret);
      await page.getByRole('button', { name: 'Save Google settings' }).click();
      await page.locator('#google-card').getByText('Set: a client secret is in the vault.').waitFor();
      assert.equal(await page.getByLabel('Google client secret').inputValue(), '');
      assert.ok(!(await page.content()).includes(idp.clientSecret), 'the secret is not in the page');
      assert.equal((await core.getSettings())['google.clientId'], idp.clientId);
      assert.deepEqual((await core.status()).clientSecrets, { google: true }, 'the core reports it set');
      assert.ok(!JSON.stringify(await core.getSettings()).includes(idp.clientSecret), 'the secret is not a setting');

      await page.getByRole('tab', { name: 'Connect' }).click();
      await note.waitFor({ state: 'hidden' });
      await page.getByLabel('Account id').fill('gmail');
      await page.locator('input[name="provider"][value="google"]').check();
      await page.getByRole('button', { name: 'Sign in with Google' }).click();
      await page.getByRole('heading', { name: 'gmail is connected' }).waitFor({ timeout: SIGN_IN_WAIT_MS }).catch(async (error: unknown) => {
        const played = await signIns.at(-1);
        throw new Error(`not connected: page says "${await page.locator('main').innerText()}"; browser: ${played instanceof Error ? played.message : JSON.stringify(played)}`, { cause: error });
      });
      const served = await askLikeEmailEngine(await core.serverUrl(), 'gmail', 'imap');
      assert.equal(served.status, 200, served.body);
      const token = await idp.introspect((JSON.parse(served.body) as { accessToken: string }).accessToken);
      // The provider requires the client secret at its token endpoint: the one entered in Settings worked.
      assert.equal(token?.email, ALICE);
      assert.ok(token?.scopes.includes(GMAIL_SCOPE));
      assert.deepEqual([...harness.problems], []);
    } finally {
      await harness.close();
    }
  });
});
