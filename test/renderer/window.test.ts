import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { validateAccountId } from '../../src/shared/account-id.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';
import { windowTests } from './window-harness.js';

const MIN = 60_000;
const open = windowTests();

/** A realistic set of accounts for the screenshots and the accounts view. */
function populated(): FakeTokentrayApi {
  const now = Date.now();
  const api = new FakeTokentrayApi({
    accounts: [
      fakeAccount('sales', { state: { kind: 'active', expiresAt: now + 52 * MIN + 20_000 } }, now),
      fakeAccount('support', { user: 'helpdesk@contoso.com', state: { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } } }, now),
      fakeAccount('reports', { profile: 'graph', state: { kind: 'failing', error: 'Microsoft sign-in unreachable', retryAt: now + 3 * MIN, expiresAt: now + 18 * MIN } }, now),
    ],
  });
  api.accounts.set('support', {
    ...api.accounts.get('support')!,
    lastError: { code: 'NEEDS_SIGN_IN', message: 'The refresh token was revoked (AADSTS50173: password changed).', at: now - 4 * MIN },
  });
  api.recordRequest({ account: 'sales', proto: 'imap', at: now - 2 * MIN, latencyMs: 2 });
  api.recordRequest({ account: 'sales', proto: 'smtp', at: now - 90_000, latencyMs: 3 });
  api.recordRequest({ account: 'support', proto: 'imap', outcome: 'NEEDS_SIGN_IN', status: 401, at: now - 60_000, latencyMs: 1 });
  api.recordRequest({ account: 'reports', proto: 'api', at: now - 30_000, latencyMs: 148 });
  return api;
}

const card = (page: Page, id: string) => page.locator(`article[data-account="${id}"]`);

async function focused(page: Page): Promise<{ id: string; role: string | null; text: string; outline: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return {
      id: element?.id ?? '',
      role: element?.getAttribute('role') ?? null,
      text: (element?.textContent ?? '').trim(),
      outline: element ? getComputedStyle(element).outlineStyle : 'none',
    };
  });
}

describe('tokentray window (real renderer in Chromium)', () => {
  it('connects an account: id, e-mail and profile, waits for the browser, then shows it active', async () => {
    const api = new FakeTokentrayApi();
    const { page, openedUrls, screenshot } = await open(api, { view: 'connect' });
    await page.getByLabel('Account id').fill('sales');
    await page.getByLabel('Microsoft 365 address (optional)').fill('sales@contoso.com');
    await page.getByRole('radio', { name: /Microsoft Graph/ }).check();
    assert.equal(await page.getByLabel('Shared mailbox (optional)').isVisible(), false, 'shared mailbox is an IMAP option');
    await page.getByRole('radio', { name: /Outlook IMAP\/SMTP/ }).check();
    await page.getByLabel('Shared mailbox (optional)').fill('orders@contoso.com');
    await screenshot('connect-light');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();

    const { request, authorizeUrl } = await api.waitForSignIn('sales');
    assert.deepEqual(request, { id: 'sales', email: 'sales@contoso.com', profile: 'outlook', sharedMailbox: 'orders@contoso.com' });
    assert.deepEqual(openedUrls, [authorizeUrl], 'main opened the sign-in page, the page never saw its URL');
    await page.getByRole('heading', { name: 'Waiting for the browser…' }).waitFor();
    assert.equal((await focused(page)).id, 'connect-cancel', 'focus moves to Cancel');
    await screenshot('connect-waiting-light');

    api.completeSignIn('sales');
    await page.getByRole('heading', { name: 'sales is connected' }).waitFor();
    await screenshot('connect-done-light');
    await page.getByRole('button', { name: 'Show accounts' }).click();
    await card(page, 'sales').getByText('Active', { exact: true }).waitFor();
    assert.match(await card(page, 'sales').innerText(), /sales@contoso\.com · Outlook IMAP\/SMTP \(Microsoft\) · mailbox orders@contoso\.com/);
    assert.match(await card(page, 'sales').innerText(), /Token valid for (59|60) min/);
  });

  it('shows an account that needs sign-in with the fix-it hint, and recovers it with "Sign in again"', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
    const { page } = await open(api);
    await card(page, 'sales').getByText('Active', { exact: true }).waitFor();

    api.revoke('sales');
    const sales = card(page, 'sales');
    await sales.getByText('Needs sign-in', { exact: true }).waitFor();
    const text = await sales.innerText();
    assert.match(text, /Password changed \(AADSTS50173\)/);
    assert.ok(text.includes(ERROR_HINTS.NEEDS_SIGN_IN), 'the hint from error-codes.ts is shown');
    assert.equal(await page.locator('#tab-accounts-badge').innerText(), '1');
    assert.equal(await page.getByRole('tab', { name: 'Accounts, 1 needs sign-in' }).count(), 1);

    await sales.getByRole('button', { name: 'Sign in again' }).click();
    const { request } = await api.waitForSignIn('sales');
    assert.deepEqual(request, { id: 'sales', email: 'sales@contoso.com', profile: 'outlook', sharedMailbox: null });
    await sales.getByText('Waiting for the browser… finish signing in there.').waitFor();
    assert.equal(await sales.getByRole('button', { name: 'Cancel sign-in' }).isVisible(), true);

    api.completeSignIn('sales');
    await sales.getByText('Active', { exact: true }).waitFor();
    await sales.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.equal(await sales.locator('.callout').count(), 0, 'the problem is gone');
    assert.equal(await page.locator('#tab-accounts-badge').isVisible(), false);
  });

  it('shows a sign-in started from the tray while the window is open, and cancels it from the card', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
    const harness = await open(api);
    const sales = card(harness.page, 'sales');
    api.revoke('sales');
    await sales.getByText('Needs sign-in', { exact: true }).waitFor();

    // The tray's "Sign in again" goes to main's sign-ins, not through this window.
    const fromTray = harness.signIns.start({ id: 'sales', email: 'sales@contoso.com', profile: 'outlook', sharedMailbox: null });
    await api.waitForSignIn('sales');
    await sales.getByText('Signing in…', { exact: true }).waitFor();
    await sales.getByText('Waiting for the browser… finish signing in there.').waitFor();
    assert.equal(await sales.getByRole('button', { name: 'Sign in again' }).isVisible(), false, 'no second sign-in offered');

    await sales.getByRole('button', { name: 'Cancel sign-in' }).click();
    await assert.rejects(fromTray, (error: TokentrayError) => error.code === 'SIGN_IN_CANCELLED');
    await sales.getByRole('button', { name: 'Sign in again' }).waitFor();
    assert.equal(await sales.getByText('Signing in…', { exact: true }).count(), 0);
    assert.ok(!harness.calls.some((call) => call.method === 'connectAccount'), 'the window started nothing');
  });

  it('shows every sign-in main has under way when the window opens', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales'), fakeAccount('support')] });
    api.revoke('sales');
    api.revoke('support');
    const harness = await open(api);
    const started = ['sales', 'support'].map((id) => harness.signIns.start({ id, email: `${id}@contoso.com`, profile: 'outlook', sharedMailbox: null }));
    await Promise.all([api.waitForSignIn('sales'), api.waitForSignIn('support')]);
    // A fresh page on the same main: it learns of both from pendingSignIns alone.
    await harness.page.reload();
    for (const id of ['sales', 'support']) await card(harness.page, id).getByText('Signing in…', { exact: true }).waitFor();
    api.completeSignIn('sales');
    api.completeSignIn('support');
    await Promise.all(started);
    for (const id of ['sales', 'support']) await card(harness.page, id).getByText('Active', { exact: true }).waitFor();
    assert.equal(await harness.page.getByText('Signing in…', { exact: true }).count(), 0);
  });

  it('saves a changed setting through the API and shows a refused value next to its field', async () => {
    const api = new FakeTokentrayApi();
    const { page } = await open(api, { view: 'settings' });
    const tenant = page.getByLabel('Tenant', { exact: true });
    assert.equal(await tenant.inputValue(), 'organizations');
    await tenant.fill('contoso.com');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('dialog', { name: 'Change where sign-in goes?' }).getByRole('button', { name: 'Change sign-in settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal(api.settings.tenant, 'contoso.com');

    await tenant.fill('not a tenant!');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('dialog', { name: 'Change where sign-in goes?' }).getByRole('button', { name: 'Change sign-in settings' }).click();
    await page.locator('#setting-tenant-error').getByText(/Invalid value "not a tenant!" for setting "tenant"/).waitFor();
    assert.equal(await tenant.getAttribute('aria-invalid'), 'true');
    assert.equal((await focused(page)).id, 'setting-tenant');
    assert.equal(api.settings.tenant, 'contoso.com');

    await page.getByRole('checkbox', { name: /Start at login/ }).check();
    await page.getByText('tokentray will start when you log in.').waitFor();
    assert.equal(api.settings.startAtLogin, true);
  });

  it('validates the account id as you type, with the core rule, and never submits a bad one', async () => {
    const api = new FakeTokentrayApi();
    const { page, calls } = await open(api, { view: 'connect' });
    const id = page.getByLabel('Account id');
    const error = page.locator('#connect-id-error');
    await id.fill('bad\u202eid');
    assert.equal(await error.innerText(), validateAccountId('bad\u202eid'), 'the same message as the core');
    assert.match(await error.innerText(), /control, invisible formatting/);
    assert.equal(await id.getAttribute('aria-invalid'), 'true');
    await id.fill('cafe\u0301');
    assert.match(await error.innerText(), /NFC/);
    await id.fill('x'.repeat(257));
    assert.match(await error.innerText(), /at most 256 characters/);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    assert.equal(calls.filter((call) => call.method === 'connectAccount').length, 0);
    assert.equal((await focused(page)).id, 'connect-id');
    await id.fill('sales@contoso.com');
    assert.equal(await error.isVisible(), false, 'an EmailEngine-style id is fine');
    await id.fill('constructor');
    assert.equal(await error.isVisible(), false);
    assert.equal(await id.getAttribute('aria-invalid'), 'false');
  });

  it('is usable with the keyboard alone: tabs, the connect form, Enter and Escape', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
    const { page } = await open(api);
    await page.keyboard.press('Tab');
    let now = await focused(page);
    assert.equal(now.id, 'tab-accounts', 'the selected tab is the first stop');
    assert.notEqual(now.outline, 'none', 'focus is visible');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused(page)).id, 'tab-connect');
    assert.equal(await page.locator('#tab-connect').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#panel-connect').isVisible(), true);
    await page.keyboard.press('End');
    assert.equal((await focused(page)).id, 'tab-activity');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'tab-connect');

    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'connect-id');
    await page.keyboard.type('ops');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'connect-email');
    await page.keyboard.type('ops@contoso.com');
    await page.keyboard.press('Tab');
    const microsoft = page.locator('input[name="provider"][value="microsoft"]');
    assert.equal(await microsoft.evaluate((element) => element === document.activeElement), true, 'the provider choice comes next');
    assert.equal(await microsoft.isChecked(), true, 'Microsoft selected');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).role, null);
    await page.keyboard.press('ArrowDown'); // Outlook → Graph
    assert.equal(await page.getByRole('radio', { name: /Microsoft Graph/ }).isChecked(), true);
    await page.keyboard.press('Tab');
    now = await focused(page);
    assert.equal(now.id, 'connect-submit', 'the hidden shared-mailbox field is skipped');
    assert.notEqual(now.outline, 'none');
    await page.keyboard.press('Enter');

    const { request } = await api.waitForSignIn('ops');
    assert.deepEqual(request, { id: 'ops', email: 'ops@contoso.com', profile: 'graph', sharedMailbox: null });
    await page.getByRole('heading', { name: 'Waiting for the browser…' }).waitFor();
    assert.equal((await focused(page)).id, 'connect-cancel');
    await page.keyboard.press('Escape');
    await page.getByText('Sign-in cancelled', { exact: true }).waitFor();
    assert.deepEqual(api.pendingSignIns(), []);

    await page.keyboard.press('Control+1');
    assert.equal((await focused(page)).id, 'tab-accounts');
    assert.equal(await page.locator('#panel-accounts').isVisible(), true);
  });

  it('cancels a sign-in with the Cancel button and explains how to start again', async () => {
    const api = new FakeTokentrayApi();
    const { page, calls } = await open(api, { view: 'connect' });
    await page.getByLabel('Account id').fill('sales');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await api.waitForSignIn('sales');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Sign-in cancelled' });
    await alert.waitFor();
    assert.ok((await alert.innerText()).includes(ERROR_HINTS.SIGN_IN_CANCELLED));
    assert.deepEqual(calls.find((call) => call.method === 'cancelSignIn')?.args, ['sales']);
    assert.equal(await page.getByLabel('Account id').inputValue(), 'sales', 'the form keeps what was typed');
  });

  it('shows a sign-in failure with the code title, message and hint', async () => {
    const api = new FakeTokentrayApi();
    const { page } = await open(api, { view: 'connect' });
    await page.getByLabel('Account id').fill('sales');
    await page.getByLabel('Microsoft 365 address (optional)').fill('sales@contoso.com');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await api.waitForSignIn('sales');
    api.failSignIn('sales', new TokentrayError('SIGN_IN_WRONG_USER', 'You signed in as bob@contoso.com, not sales@contoso.com.'));
    const alert = page.getByRole('alert').filter({ hasText: 'Signed in as someone else' });
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /bob@contoso\.com/);
    assert.ok(text.includes(ERROR_HINTS.SIGN_IN_WRONG_USER));
  });

  it('lists recent requests without ever showing a token or the server secret', async () => {
    const api = populated();
    const { page, screenshot } = await open(api, { view: 'activity' });
    const rows = page.locator('.activity-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 4);
    assert.match(await rows.nth(1).innerText(), /support\s+IMAP\s+Needs sign-in/);
    assert.match(await rows.nth(0).innerText(), /reports\s+Graph\s+OK/);
    assert.match(await page.locator('.activity-summary').innerText(), /^4 requests, 1 failed/);
    await screenshot('activity-light');
    const everything = await page.evaluate(() => document.documentElement.outerHTML);
    assert.ok(!everything.includes('fake-access-token'));
    assert.ok(!everything.includes(api.secret));
    assert.equal(await page.evaluate(() => 'getToken' in (window.tokentray ?? {})), false);
  });

  it('asks before changing where sign-in goes, and notes settings an environment variable overrides', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
    api.settings.authority = 'https://adfs.contoso.com/adfs';
    const { page, calls } = await open(api, { view: 'settings', overriddenSettings: ['cloud', 'authority'] });
    const cloudNote = page.locator('#setting-cloud-note');
    await cloudNote.getByText('Set by the environment variable TOKENTRAY_CLOUD: that value is in use, whatever is saved here.').waitFor();
    assert.equal(await page.locator('#setting-tenant-note').isVisible(), false, 'only overridden settings get a note');
    assert.match(await page.getByLabel('Cloud').getAttribute('aria-describedby') ?? '', /setting-cloud-note/, 'the note is announced with the field');
    await page.locator('#setting-authority-note').getByText(/Sign-in goes to https:\/\/adfs\.contoso\.com\/adfs \(an authority override from the environment variable TOKENTRAY_AUTHORITY\)/).waitFor();

    // Changing the cloud asks first; declining changes nothing.
    await page.getByLabel('Cloud').selectOption('gcc-high');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change where sign-in goes?' });
    await dialog.getByText(/stop getting new tokens \("signed in with another authority"\) until you change it back or sign them in again\. Their tokens are kept\./).waitFor();
    assert.equal((await focused(page)).text, 'Cancel', 'the safe answer has focus');
    await page.keyboard.press('Escape');
    await page.getByText('Nothing was changed.').waitFor();
    assert.equal(api.settings.cloud, 'global');
    assert.equal(calls.filter((call) => call.method === 'setSetting').length, 0, 'nothing reached main');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByRole('button', { name: 'Change sign-in settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal(api.settings.cloud, 'gcc-high');

    // The port does not move sign-in: saved without a question.
    const asked = calls.length;
    await page.getByLabel('Auth-server port').fill('7500');
    await page.getByRole('button', { name: 'Save changes' }).click();
    for (let i = 0; i < 50 && api.settings.port !== 7500; i += 1) await page.waitForTimeout(20);
    assert.equal(api.settings.port, 7500);
    assert.equal(await dialog.count(), 0, 'no dialog for the port');
    assert.ok(calls.slice(asked).some((call) => call.method === 'setSetting' && call.args[0] === 'port'));
  });

  it('copies the EmailEngine URL and rotates the secret in main, after a confirmation', async () => {
    const api = new FakeTokentrayApi();
    const { page, copied } = await open(api, { view: 'settings' });
    await page.getByRole('button', { name: 'Copy EmailEngine URL' }).click();
    await page.getByText(/EmailEngine URL copied/).waitFor();
    assert.deepEqual(copied, [await api.serverUrl()]);
    assert.equal(await page.locator('#server-url').innerText(), 'http://127.0.0.1:7411/', 'shown without credentials');

    const before = api.secret;
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the auth-server secret?' });
    await dialog.waitFor();
    assert.equal((await focused(page)).text, 'Cancel', 'the safe answer has focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(api.secret, before);
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/New secret created/).waitFor();
    assert.notEqual(api.secret, before);
    assert.equal(copied.at(-1), await api.serverUrl());
  });

  it('removes an account only after confirmation', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales'), fakeAccount('ops')] });
    const { page } = await open(api);
    await card(page, 'ops').getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.ok(api.accounts.has('ops'));
    await card(page, 'ops').getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove account' }).click();
    await card(page, 'ops').waitFor({ state: 'detached' });
    assert.ok(!api.accounts.has('ops'));
    assert.equal(await card(page, 'sales').count(), 1);
  });

  it('guides a first run through the Azure registration with copyable exact values', async () => {
    const api = new FakeTokentrayApi({ settings: { clientId: null } });
    const { page, copied, openedUrls, screenshot } = await open(api, { view: 'settings' });
    const guide = page.locator('#guide-microsoft');
    assert.equal(await guide.getAttribute('open'), '');
    assert.equal(await page.locator('#guide-google').getAttribute('open'), null, 'the Google guide waits until Google is chosen');
    const text = await guide.innerText();
    for (const value of ['Mobile and desktop applications', 'http://localhost', 'IMAP.AccessAsUser.All', 'SMTP.Send', 'offline_access', 'Mail.ReadWrite', 'Mail.Send', 'User.Read']) {
      assert.ok(text.includes(value), value);
    }
    await screenshot('settings-first-run-light');
    await screenshot('settings-first-run-light-full', { tall: true });
    await page.getByRole('button', { name: 'Copy http://localhost' }).click();
    await page.getByRole('button', { name: 'Copy IMAP.AccessAsUser.All' }).click();
    assert.deepEqual(copied, ['http://localhost', 'IMAP.AccessAsUser.All']);
    await page.getByRole('button', { name: "Microsoft's registration guide" }).click();
    await page.waitForFunction(() => true);
    assert.equal(openedUrls.length, 1);
    assert.match(openedUrls[0]!, /^https:\/\/learn\.microsoft\.com\//);

    await page.getByLabel('Application (client) ID').fill('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal(api.settings.clientId, '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
    await page.getByRole('tab', { name: 'Accounts' }).click();
    assert.equal(await page.getByText('Finish the setup first').isVisible(), false);
  });

  it('tells the user when the auth server is stopped', async () => {
    const api = populated();
    api.setServer({ running: false, url: null, error: 'Port 7411 is already in use' });
    const { page } = await open(api, { view: 'settings' });
    assert.equal(await page.locator('#server-pill').innerText(), 'Auth server stopped');
    assert.match(await page.locator('.server-state').innerText(), /Stopped: Port 7411 is already in use/);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`renders every view in the ${colorScheme} theme (screenshots)`, async () => {
      const api = populated();
      const { page, screenshot, showView } = await open(api, { colorScheme });
      await card(page, 'sales').waitFor();
      await screenshot(`accounts-${colorScheme}`);
      await screenshot(`accounts-${colorScheme}-full`, { tall: true });
      await showView('connect');
      await page.getByLabel('Account id').fill('finance');
      await screenshot(`connect-${colorScheme}`);
      await showView('settings');
      await screenshot(`settings-${colorScheme}`);
      await screenshot(`settings-${colorScheme}-full`, { tall: true });
      await showView('activity');
      await page.locator('.activity-table tbody tr').first().waitFor();
      await screenshot(`activity-${colorScheme}`);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, colorScheme === 'dark' ? 'rgb(22, 24, 27)' : 'rgb(244, 245, 247)');
    });
  }

  it('shows the first-run guide in the dark theme too (screenshot)', async () => {
    const api = new FakeTokentrayApi({ settings: { clientId: null } });
    const { screenshot, page } = await open(api, { view: 'settings', colorScheme: 'dark' });
    await page.locator('#guide-microsoft[open]').waitFor();
    await screenshot('settings-first-run-dark');
  });
});
