/**
 * The real window on the real core: renderer in Chromium, core in-process, local identity provider.
 *
 * The same harness as window.test.ts, but `window.tokentray` is served by the real core through
 * main's own window backend (createWindowBackend + invokeWindowMethod, SignInSessions and
 * ExternalLinks, as app-shell.ts wires them); only the clipboard and the system browser are
 * stand-ins. The browser is played by `completeSignIn` against the local identity provider,
 * the vault key goes to the real keychain (run inside scripts/with-keyring.sh), and EmailEngine
 * is a plain fetch to the real auth server. Everything is observed in the page.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import type { OpenedCore } from '../../src/core/open-core.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault, keychainAccountFor, readVaultKey } from '../../src/core/storage/vault.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { completeSignIn, startIdentityProvider, type SignInResult, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { acceptsConnections, authorizeUrlBehind, loopbackPortOf, SIGN_IN_LINK } from '../support/loopback.js';
import { startTestCore } from '../support/local-setup.js';
import { launchChromium, startWindowHarness, type ChromiumHandle, type HarnessOptions, type WindowHarness } from './window-harness.js';

const ALICE = 'alice@contoso.test';
/** Short enough that the revoked refresh token is used within seconds; long enough to see "Active". */
const SHORT_LIFETIME_S = 6;
/** Entra's usual lifetime, for the recovered account (and its screenshot). */
const NORMAL_LIFETIME_S = 3600;
/** A full sign-in round trip (MSAL, identity provider, loopback listener) in this process. */
const SIGN_IN_WAIT_MS = 15_000;
/** How long the loopback listener may take to close after Cancel. */
const LISTENER_CLOSE_WAIT_MS = 3_000;

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const card = (page: Page, id: string) => page.locator(`article[data-account="${id}"]`);
const focusedId = (page: Page): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');

describe('tokentray window on the real core (real renderer, real core, local identity provider)', { timeout: 90_000 }, () => {
  let idp: TestIdentityProvider;
  let core: OpenedCore;
  let home: string;
  let chromium: ChromiumHandle;
  /** What the stand-in system browser does with a sign-in URL: sign Alice in, or leave it open. */
  let browserMode: 'sign-in' | 'ignore' = 'sign-in';
  /** Each played sign-in's answer from the core's loopback listener (errors kept, not thrown). */
  const signIns: Array<Promise<SignInResult | Error>> = [];

  const openExternal = async (url: string): Promise<void> => {
    // Like shell.openExternal: resolves once the browser has the URL, not when the user is done.
    if (browserMode === 'sign-in') {
      const played = completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem });
      signIns.push(played.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
    }
  };

  const open = (options: Omit<HarnessOptions, 'browser' | 'openExternal'> = {}): Promise<WindowHarness> =>
    startWindowHarness(core, { browser: chromium.browser, openExternal, ...options });

  /** Closes a harness after checking the page logged no error, broke no CSP rule and made no request. */
  const closeChecked = async (harness: WindowHarness): Promise<void> => {
    const problems = [...harness.problems];
    await harness.close();
    assert.deepEqual(problems, []);
  };

  const lastSignIn = async (): Promise<SignInResult> => {
    const result = await signIns.at(-1);
    if (result instanceof Error) throw result;
    assert.ok(result, 'the browser was asked to sign in');
    return result;
  };

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    ({ core, home } = await startTestCore(idp, { prefix: 'window-core' }));
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await core?.close();
    await idp?.close();
    // The vault key lives in the (test session's) OS keychain: remove it with the vault.
    if (home) {
      const secrets = new KeytarSecretStore();
      const vaultPath = dataFiles(home).vault;
      const held = await readVaultKey(vaultPath, secrets);
      await Vault.reset(vaultPath, secrets);
      await rm(home, { recursive: true, force: true });
      assert.ok(held, 'the vault key was in the OS keychain');
      assert.equal(await secrets.get(keychainAccountFor(held.vaultId.toString('hex'))), null, 'and is gone from it');
    }
  });

  describe('one account through its life, in one page that is never reloaded', () => {
    let harness: WindowHarness;

    before(async () => {
      harness = await open();
      // A reload would lose this: the later status changes must reach the same document.
      await harness.page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    });
    after(async () => {
      if (harness) await closeChecked(harness);
    });

    it('connects an account through the Connect view, plays the browser, and shows it active', async () => {
      const { page, openedUrls } = harness;
      idp.setAccessTokenLifetime(SHORT_LIFETIME_S);
      await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      await page.getByRole('button', { name: 'Connect an account' }).click();
      await page.getByLabel('Account id').fill('sales');
      await page.getByLabel('Microsoft 365 address (optional)').fill(ALICE);
      await page.getByRole('radio', { name: /Outlook IMAP\/SMTP/ }).check();
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();

      await page.getByRole('heading', { name: 'sales is connected' }).waitFor({ timeout: SIGN_IN_WAIT_MS });
      assert.equal(openedUrls.length, 1);
      assert.match(openedUrls[0]!, SIGN_IN_LINK, 'main opened the one-time sign-in link, not the authorize URL');
      const answer = await lastSignIn();
      assert.equal(answer.status, 200, 'the loopback listener accepted the code');
      const authorize = new URL(answer.authorizeUrl ?? '');
      assert.equal(`${authorize.origin}/${authorize.pathname.split('/')[1]}`, idp.authority, 'the link led to the configured authority');
      assert.equal(authorize.searchParams.get('login_hint'), ALICE);

      await page.getByRole('button', { name: 'Show accounts' }).click();
      const sales = card(page, 'sales');
      await sales.getByText('Active', { exact: true }).waitFor();
      const text = await sales.innerText();
      assert.match(text, /alice@contoso\.test · Outlook IMAP\/SMTP/);
      assert.match(text, /Token valid for \d+ s/);
    });

    it('turns the card to "Needs sign-in" (password changed) through the live status push once the provider revokes the account', async () => {
      const { page, calls, screenshot } = harness;
      const before = calls.length;
      idp.revokeUser(ALICE, 50173);
      const refreshesBefore = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
      // The held token is still served until close to its expiry; after that, the next
      // request from EmailEngine makes the core refresh, and the provider refuses.
      const state = (await core.status()).accounts.find((account) => account.id === 'sales')?.state;
      assert.ok(state?.kind === 'active' && state.expiresAt !== null);
      await sleep(Math.max(0, state.expiresAt - Date.now()) + 200);

      const answer = await askLikeEmailEngine(await core.serverUrl(), 'sales', 'imap');
      assert.equal(answer.status, 409, answer.body);
      assert.doesNotMatch(answer.body, /accessToken/);
      assert.ok(idp.tokenEndpointCalls({ grantType: 'refresh_token' }) > refreshesBefore, 'the core tried the refresh token');

      const sales = card(page, 'sales');
      await sales.getByText('Needs sign-in', { exact: true }).waitFor();
      const text = await sales.innerText();
      assert.match(text, /Password changed \(AADSTS50173\)/);
      assert.ok(text.includes(ERROR_HINTS.NEEDS_SIGN_IN), 'the fix-it hint from error-codes.ts');
      assert.equal(await page.getByRole('tab', { name: 'Accounts, 1 needs sign-in' }).count(), 1);
      // Pushed, not fetched: the page did not ask for the status (its fallback poll runs only
      // every 30 s, well after this point) and was not reloaded.
      const asked = calls.slice(before).map((call) => call.method);
      assert.ok(!asked.includes('status') && !asked.includes('listAccounts'), `page calls since the revocation: ${asked.join(', ')}`);
      assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true);
      await screenshot('real-core-accounts-needs-sign-in');
    });

    it('recovers the account with the card\'s "Sign in again" and serves EmailEngine again', async () => {
      const { page, openedUrls, screenshot } = harness;
      idp.setAccessTokenLifetime(NORMAL_LIFETIME_S);
      const sales = card(page, 'sales');
      await sales.getByRole('button', { name: 'Sign in again' }).click();

      await sales.getByText('Active', { exact: true }).waitFor({ timeout: SIGN_IN_WAIT_MS });
      assert.equal(openedUrls.length, 2);
      const again = await lastSignIn();
      assert.equal(new URL(again.authorizeUrl ?? '').searchParams.get('login_hint'), ALICE, 'signs in the same identity again');
      assert.equal(again.status, 200);
      await sales.getByRole('button', { name: 'Sign in again' }).waitFor();
      assert.equal(await sales.locator('.callout').count(), 0, 'the problem box is gone');
      assert.match(await sales.innerText(), /Token valid for (59 min|1 h 00 min)/);
      assert.equal(await page.locator('#tab-accounts-badge').isVisible(), false);

      const answer = await askLikeEmailEngine(await core.serverUrl(), 'sales', 'imap');
      assert.equal(answer.status, 200, answer.body);
      await sales.getByText(/Asked just now .* IMAP · OK/).waitFor();
      await screenshot('real-core-accounts-active');
    });
  });

  it('shows a refused setting next to its field without storing it, then saves a valid one into the core', async () => {
    const harness = await open({ view: 'settings' });
    try {
      const { page, screenshot } = harness;
      const server = new URL(await core.serverUrl());
      assert.equal(await page.locator('#server-url').innerText(), `${server.origin}${server.pathname}`, 'the live URL, without its secret');
      assert.match(await page.locator('#server-pill').innerText(), /Auth server running/);

      const tenant = page.getByLabel('Tenant', { exact: true });
      const tenantError = page.locator('#setting-tenant-error');
      assert.equal(await tenant.inputValue(), 'organizations');
      await tenant.fill('not a tenant!');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('dialog', { name: 'Change where sign-in goes?' }).getByRole('button', { name: 'Change sign-in settings' }).click();
      await tenantError.getByText(/Invalid value "not a tenant!" for setting "tenant"/).waitFor();
      assert.equal(await tenant.getAttribute('aria-invalid'), 'true');
      assert.equal(await focusedId(page), 'setting-tenant');
      assert.equal((await core.getSettings()).tenant, 'organizations', 'the refused value was not stored');
      await screenshot('real-core-settings-invalid');

      await tenant.fill('contoso.test');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('dialog', { name: 'Change where sign-in goes?' }).getByRole('button', { name: 'Change sign-in settings' }).click();
      await page.getByText('Settings saved.').waitFor();
      assert.equal((await core.getSettings()).tenant, 'contoso.test');
      assert.equal(await tenantError.innerText(), '', 'the error is cleared');
      assert.equal(await tenant.getAttribute('aria-invalid'), null);
      await screenshot('real-core-settings', { tall: true });
    } finally {
      await closeChecked(harness);
    }
  });

  it('runs the doctor checks in Settings: a port held by another program is a problem with its fix, all pass once it is free', async () => {
    const holder = createServer();
    const taken = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as AddressInfo).port)));
    const harness = await open({ view: 'settings' });
    try {
      const { page, screenshot } = harness;
      await core.setSetting('host', '127.0.0.1');
      await core.setSetting('port', taken).catch(() => undefined); // the auth server cannot start there
      await page.getByRole('button', { name: 'Run checks' }).click();
      const port = page.locator('li[data-check="port"]');
      await port.getByText('Problem').waitFor();
      assert.match(await port.innerText(), new RegExp(`127\\.0\\.0\\.1:${taken} is used by another program, so the auth server could not start`));
      assert.match(await port.locator('.check-fix').innerText(), /tokentray config set port <number>/);
      assert.equal(await page.locator('li[data-check="keychain"] .badge').innerText(), 'OK', 'the real keychain answers');
      assert.equal(await page.locator('li[data-check="vault"] .badge').innerText(), 'OK');
      assert.equal(await page.locator('li[data-check="authority"] .badge').innerText(), 'OK', 'the identity provider answers');
      assert.equal(await page.locator('li[data-check="account:sales"] .badge').innerText(), 'OK');
      assert.match(await page.locator('#checks-summary').innerText(), /1 problem to fix/);
      await screenshot('real-core-settings-checks', { tall: true });

      holder.close();
      await core.setSetting('port', 0);
      await page.getByRole('button', { name: 'Run checks again' }).click();
      await page.locator('#checks-summary').getByText('All checks passed.').waitFor();
      assert.match(await port.innerText(), /in use by this tokentray/);
    } finally {
      holder.close();
      if ((await core.getSettings()).port !== 0) await core.setSetting('port', 0);
      await closeChecked(harness);
    }
  });

    it('connects with the keyboard alone and cancels; Cancel closes the core\'s loopback listener', async () => {
    browserMode = 'ignore'; // the user never finishes in the browser
    const harness = await open();
    try {
      const { page, openedUrls } = harness;
      await card(page, 'sales').waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'tab-accounts', 'the selected tab is the first stop');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedId(page), 'tab-connect');
      assert.equal(await page.locator('#panel-connect').isVisible(), true);

      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'connect-id');
      await page.keyboard.type('ops');
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'connect-email');
      await page.keyboard.type('ops@contoso.test');
      await page.keyboard.press('Tab');
      const microsoft = page.locator('input[name="provider"][value="microsoft"]');
      assert.equal(await microsoft.evaluate((radio) => radio === document.activeElement), true, 'the provider choice comes next');
      assert.equal(await microsoft.isChecked(), true, 'Microsoft selected');
      await page.keyboard.press('Tab');
      assert.equal(await page.getByRole('radio', { name: /Outlook IMAP\/SMTP/ }).evaluate((radio) => radio === document.activeElement), true);
      await page.keyboard.press('ArrowDown'); // Outlook → Graph
      assert.equal(await page.getByRole('radio', { name: /Microsoft Graph/ }).isChecked(), true);
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'connect-submit', 'the hidden shared-mailbox field is skipped');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'Waiting for the browser…' }).waitFor();
      assert.equal(await focusedId(page), 'connect-cancel', 'focus moves to Cancel');
      await waitUntil(() => openedUrls.length === 1, SIGN_IN_WAIT_MS, 'main to open the sign-in page');
      assert.match(openedUrls[0]!, SIGN_IN_LINK, 'main opens the one-time sign-in link, never the authorize URL');
      const authorize = new URL(await authorizeUrlBehind(openedUrls[0]!));
      assert.equal(authorize.searchParams.get('login_hint'), 'ops@contoso.test');
      const redirect = new URL(authorize.searchParams.get('redirect_uri') ?? '');
      const port = Number(redirect.port);
      assert.equal(port, loopbackPortOf(openedUrls[0]!), `redirect_uri ${redirect.href} names the listener's port`);
      assert.equal(await acceptsConnections(port), true, 'the core listens for the browser while waiting');

      await page.keyboard.press('Space');
      const alert = page.getByRole('alert').filter({ hasText: 'Sign-in cancelled' });
      await alert.waitFor();
      assert.ok((await alert.innerText()).includes(ERROR_HINTS.SIGN_IN_CANCELLED));
      await waitUntil(async () => !(await acceptsConnections(port)), LISTENER_CLOSE_WAIT_MS, `the loopback listener on port ${port} to close`);
      assert.equal(await page.getByLabel('Account id').inputValue(), 'ops', 'the form keeps what was typed');

      // Back to the accounts with Shift+Tab and an arrow key: nothing was connected.
      for (let presses = 0; presses < 10 && (await focusedId(page)) !== 'tab-connect'; presses += 1) await page.keyboard.press('Shift+Tab');
      assert.equal(await focusedId(page), 'tab-connect');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focusedId(page), 'tab-accounts');
      assert.equal(await page.locator('#panel-accounts').isVisible(), true);
      await card(page, 'sales').getByText('Active', { exact: true }).waitFor();
      assert.equal(await card(page, 'ops').count(), 0, 'the cancelled account was not saved');
    } finally {
      browserMode = 'sign-in';
      await closeChecked(harness);
    }
  });
});
