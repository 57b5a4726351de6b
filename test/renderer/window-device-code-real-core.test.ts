/**
 * Device-code sign-in through the real window on the real core: renderer in Chromium, core
 * in-process (msal-node's acquireTokenByDeviceCode, the real keychain), main's window backend,
 * and oidc-provider's device flow in the local Entra look-alike. The test reads the link and
 * the code off the page and plays the user on "another device" (completeDeviceSignIn).
 *
 * Approve, Cancel, deny, expiry, and the offer when the browser cannot be opened.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { OpenedCore } from '../../src/core/open-core.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { completeDeviceSignIn } from '../support/identity-provider/device-browser.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { startTestCore, type TestCore } from '../support/local-setup.js';
import { launchChromium, startWindowHarness, type ChromiumHandle, type WindowHarness } from './window-harness.js';

const ALICE = 'alice@contoso.test';
/** MSAL polls the token endpoint every `interval` seconds (5 at oidc-provider): approval shows within one or two polls. */
const POLL_WAIT_MS = 20_000;

async function codeOnPage(page: Page): Promise<{ uri: string; code: string }> {
  const code = page.locator('#connect-device-code');
  await code.waitFor({ timeout: POLL_WAIT_MS });
  return { uri: await page.locator('#connect-device-url').innerText(), code: await code.innerText() };
}

describe('tokentray window: device-code sign-in on the real core (Chromium, MSAL device flow, local identity provider)', { timeout: 120_000 }, () => {
  let idp: TestIdentityProvider;
  let setup: TestCore;
  let core: OpenedCore;
  let chromium: ChromiumHandle;
  /** What the stand-in system browser does: nothing (record only), or fail like a machine without one. */
  let browser: 'record' | 'fail' = 'record';

  const open = (): Promise<WindowHarness> =>
    startWindowHarness(core, {
      browser: chromium.browser,
      view: 'connect',
      openExternal: async () => {
        if (browser === 'fail') throw new Error('xdg-open: no method available for opening the URL');
      },
    });

  const closeChecked = async (harness: WindowHarness): Promise<void> => {
    const problems = [...harness.problems];
    await harness.close();
    assert.deepEqual(problems, []);
  };

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    setup = await startTestCore(idp, { prefix: 'window-device' });
    core = setup.core;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await setup?.dispose();
    await idp?.close();
  });

  it('connects a Microsoft account with the code shown in the window, approved on another device', async () => {
    const harness = await open();
    try {
      const { page, openedUrls } = harness;
      await page.getByLabel('Account id').fill('kiosk');
      await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
      const { uri, code } = await codeOnPage(page);
      assert.equal(new URL(uri).origin, new URL(idp.authority).origin, 'the identity provider\'s own verification page');
      assert.match(await page.locator('#connect-device-expiry').innerText(), /^The code expires in \d+:\d\d\.$/);

      // "Open" goes through main, which holds the page's URL for this sign-in.
      await page.getByRole('button', { name: `Open ${uri} in this computer's browser` }).click();
      await page.getByText('The sign-in page opened in your browser: enter the code there.').waitFor();
      assert.deepEqual(openedUrls, [uri]);

      await completeDeviceSignIn(uri, { userCode: code, username: ALICE, decision: 'approve', caCertPem: idp.caCertPem });
      await page.getByRole('heading', { name: 'kiosk is connected' }).waitFor({ timeout: POLL_WAIT_MS });
      assert.match(await page.locator('.done').innerText(), /Signed in as alice@contoso\.test/);

      const served = await askLikeEmailEngine(await core.serverUrl(), 'kiosk', 'imap');
      assert.equal(served.status, 200, served.body);
      const claims = await idp.verifyAccessToken((JSON.parse(served.body) as { accessToken: string }).accessToken, { audience: 'https://outlook.office.com' });
      assert.equal(claims.upn, ALICE);
    } finally {
      await closeChecked(harness);
    }
  });

  it('Cancel ends the polling in the core, and the same id can start again', async () => {
    const harness = await open();
    try {
      const { page } = harness;
      await page.getByLabel('Account id').fill('abandoned');
      await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
      const first = await codeOnPage(page);
      await page.getByRole('button', { name: 'Cancel' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Sign-in cancelled' });
      await alert.waitFor({ timeout: POLL_WAIT_MS });
      assert.ok((await alert.innerText()).includes(ERROR_HINTS.SIGN_IN_CANCELLED));
      assert.ok(!(await core.listAccounts()).some((account) => account.id === 'abandoned'), 'nothing was saved');

      // Nothing is left open in the core: a new sign-in for the id gets a new code at once.
      await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
      const second = await codeOnPage(page);
      assert.notEqual(second.code, first.code);
      await page.keyboard.press('Escape');
      await alert.waitFor({ timeout: POLL_WAIT_MS });
      // The cancelled code is dead at the provider too: approving it connects nothing.
      await completeDeviceSignIn(first.uri, { userCode: first.code, username: ALICE, decision: 'approve', caCertPem: idp.caCertPem }).catch(() => '');
      assert.ok(!(await core.listAccounts()).some((account) => account.id === 'abandoned'));
    } finally {
      await closeChecked(harness);
    }
  });

  it('reports a code declined on the other device with the core\'s words, and offers a new code', async () => {
    const harness = await open();
    try {
      const { page } = harness;
      await page.getByLabel('Account id').fill('denied');
      await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
      const { uri, code } = await codeOnPage(page);
      await completeDeviceSignIn(uri, { userCode: code, decision: 'deny', caCertPem: idp.caCertPem });
      const alert = page.getByRole('alert').filter({ hasText: 'The device-code sign-in was declined on the other device.' });
      await alert.waitFor({ timeout: POLL_WAIT_MS });
      assert.equal(await alert.getAttribute('data-error-code'), 'SIGN_IN_CONSENT_DENIED');
      assert.ok((await alert.innerText()).includes(ERROR_HINTS.SIGN_IN_CONSENT_DENIED));
      assert.equal(await page.getByRole('button', { name: 'Get a new code' }).isVisible(), true);
    } finally {
      await closeChecked(harness);
    }
  });

  it('counts down the code\'s life and reports its expiry with the core\'s words', async () => {
    idp.setDeviceCodeLifetime(4);
    const harness = await open();
    try {
      const { page } = harness;
      await page.getByLabel('Account id').fill('late');
      await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
      await codeOnPage(page);
      assert.match(await page.locator('#connect-device-expiry').innerText(), /^The code expires in 0:0[0-4]\.$/);
      // The countdown is live; the core ends the sign-in when the provider says the code expired.
      const shown = await page.locator('#connect-device-expiry').innerText();
      await page.waitForFunction((before) => document.getElementById('connect-device-expiry')?.textContent !== before, shown, { timeout: POLL_WAIT_MS });
      const alert = page.getByRole('alert').filter({ hasText: 'The device code expired before the sign-in was completed.' });
      await alert.waitFor({ timeout: POLL_WAIT_MS }).catch(async (error: unknown) => {
        throw new Error(`page says: ${await page.locator('main').innerText()}`, { cause: error });
      });
      assert.equal(await alert.getAttribute('data-error-code'), 'SIGN_IN_TIMEOUT');
    } finally {
      idp.setDeviceCodeLifetime(900);
      await closeChecked(harness);
    }
  });

  it('when no browser opens, offers the code at once and connects with it', async () => {
    browser = 'fail';
    const harness = await open();
    try {
      const { page } = harness;
      await page.getByLabel('Account id').fill('headless');
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'could not be opened' });
      await alert.waitFor({ timeout: POLL_WAIT_MS });
      assert.equal(await alert.getAttribute('data-error-code'), 'BROWSER_OPEN_FAILED');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'connect-offer-device');
      await page.keyboard.press('Enter');
      const { uri, code } = await codeOnPage(page);
      await completeDeviceSignIn(uri, { userCode: code, username: ALICE, decision: 'approve', caCertPem: idp.caCertPem });
      await page.getByRole('heading', { name: 'headless is connected' }).waitFor({ timeout: POLL_WAIT_MS });
    } finally {
      browser = 'record';
      await closeChecked(harness);
    }
  });
});
