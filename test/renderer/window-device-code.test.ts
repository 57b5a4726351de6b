/**
 * Device-code sign-in in the real window (Chromium, fake core): the option in Connect, the
 * link and the code with their Copy buttons, the live countdown, Cancel, each outcome with the
 * core's named error, the offer when no browser opens, and Google's refusal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { FAKE_DEVICE_CODE, FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';
import { windowTests, type WindowHarness } from './window-harness.js';

const open = windowTests({ view: 'connect' });

const focusedId = (h: WindowHarness): Promise<string> => h.page.evaluate(() => document.activeElement?.id ?? '');

/** Fills Connect for `id` and starts a sign-in with a code on another device; resolves once the code shows. */
async function startCodeSignIn(h: WindowHarness, id: string, email?: string): Promise<void> {
  await h.page.getByLabel('Account id').fill(id);
  if (email !== undefined) await h.page.getByLabel('Microsoft 365 address (optional)').fill(email);
  await h.page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
  await h.page.locator('#connect-device-code').waitFor();
}

/** The window closed and opened again: a new renderer, while main keeps the sign-in going. */
async function reopen(h: WindowHarness): Promise<void> {
  await h.page.reload();
  await h.page.waitForSelector('body:not(.loading)');
}

describe('Connect with a code on another device (real renderer in Chromium)', () => {
  it('shows the link and the code, copies and opens them, counts down, and connects when approved', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api);
    const { page, calls, copied, openedUrls } = h;
    await page.getByLabel('Account id').fill('kiosk');
    await page.getByLabel('Microsoft 365 address (optional)').fill('kiosk@contoso.com');
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();

    const { request } = await api.waitForSignIn('kiosk');
    assert.equal(request.deviceCode, true, 'the window asked for a device code');
    assert.deepEqual(calls.find((call) => call.method === 'connectAccount')?.args, [{ id: 'kiosk', email: 'kiosk@contoso.com', profile: 'outlook', sharedMailbox: null, deviceCode: true }]);
    await page.getByRole('heading', { name: 'Sign in on another device' }).waitFor();
    const code = page.locator('#connect-device-code');
    await code.waitFor();
    assert.equal(await code.innerText(), FAKE_DEVICE_CODE.userCode);
    assert.equal(await page.locator('#connect-device-url').innerText(), FAKE_DEVICE_CODE.verificationUri);
    assert.match(await page.locator('#connect-device-announcement').textContent() ?? '', /open https:\/\/microsoft\.com\/devicelogin and enter the code FAKE-C0DE/);
    assert.equal(await page.locator('#connect-device-status').innerText(), 'Waiting for the sign-in on the other device…');
    assert.match(await page.locator('#connect-device').innerText(), /Sign in as kiosk@contoso\.com/);
    assert.equal(await focusedId(h), 'connect-device-cancel', 'focus moves to Cancel');
    assert.equal(openedUrls.length, 0, 'no browser is opened by itself');

    const expiry = page.locator('#connect-device-expiry');
    assert.match(await expiry.innerText(), /^The code expires in 1[45]:\d\d\.$/);
    const first = await expiry.innerText();
    await page.waitForFunction((shown) => document.getElementById('connect-device-expiry')?.textContent !== shown, first, { timeout: 3000 });
    assert.match(await expiry.innerText(), /^The code expires in 1[45]:\d\d\.$/, 'the countdown is live');
    await h.screenshot('connect-device-code-light');

    await page.getByRole('button', { name: 'Copy code' }).click();
    await page.getByRole('button', { name: 'Copy link' }).click();
    assert.deepEqual(copied, [FAKE_DEVICE_CODE.userCode, FAKE_DEVICE_CODE.verificationUri]);
    await page.getByRole('button', { name: `Open ${FAKE_DEVICE_CODE.verificationUri} in this computer's browser` }).click();
    await page.getByText('The sign-in page opened in your browser: enter the code there.').waitFor();
    assert.deepEqual(openedUrls, [FAKE_DEVICE_CODE.verificationUri], 'main opened the page it holds for this sign-in');
    assert.deepEqual(calls.filter((call) => call.method === 'openDeviceCodePage').map((call) => call.args), [['kiosk']], 'the window named the account, not a URL');

    api.completeSignIn('kiosk');
    await page.getByRole('heading', { name: 'kiosk is connected' }).waitFor();
  });

  it('shows the code again in a window opened after the one that started the sign-in was closed, and follows it to its end', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api);
    const { page } = h;
    await startCodeSignIn(h, 'kiosk', 'kiosk@contoso.com');
    await reopen(h); // main still waits for the code to be entered on the other device
    const code = page.locator('#connect-device-code');
    await code.waitFor();
    assert.equal(await code.innerText(), FAKE_DEVICE_CODE.userCode);
    assert.equal(await page.locator('#connect-device-url').innerText(), FAKE_DEVICE_CODE.verificationUri);
    assert.match(await page.locator('#connect-device').innerText(), /Sign in as kiosk@contoso\.com/);
    assert.equal(await page.getByLabel('Account id').inputValue(), 'kiosk', 'the form behind it holds the same request');
    api.completeSignIn('kiosk');
    await page.getByRole('heading', { name: 'kiosk is connected' }).waitFor();
  });

  it('lets a reopened window cancel the sign-in it shows again, with the core\'s words', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api);
    const { page, calls } = h;
    await startCodeSignIn(h, 'kiosk');
    await reopen(h);
    await page.locator('#connect-device-code').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in cancelled' }).waitFor();
    assert.deepEqual(calls.filter((call) => call.method === 'cancelSignIn').map((call) => call.args), [['kiosk']]);
    assert.deepEqual(api.pendingSignIns(), []);
  });

  it('Cancel (and Escape) ends the polling and says how to start again', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api);
    const { page, calls } = h;
    await startCodeSignIn(h, 'kiosk');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Sign-in cancelled' });
    await alert.waitFor();
    assert.ok((await alert.innerText()).includes(ERROR_HINTS.SIGN_IN_CANCELLED));
    assert.deepEqual(calls.find((call) => call.method === 'cancelSignIn')?.args, ['kiosk']);
    assert.deepEqual(api.pendingSignIns(), []);
    assert.equal(await page.locator('#connect-offer').count(), 0, 'a cancel offers nothing more');
    assert.equal(await page.getByLabel('Account id').inputValue(), 'kiosk', 'the form keeps what was typed');

    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    await page.locator('#connect-device-code').waitFor();
    await page.keyboard.press('Escape');
    await alert.waitFor();
    assert.deepEqual(api.pendingSignIns(), []);
    // The code's page is gone with the sign-in: main refuses to open it.
    const stale = await page.evaluate(() => window.tokentray!.openDeviceCodePage('kiosk'));
    assert.equal(stale.ok, false);
  });

  it('shows a declined code and an expired one with the core\'s words, offering a new code', async () => {
    const api = new FakeTokentrayApi();
    api.deviceCodeLifetimeMs = 2500;
    const h = await open(api);
    const { page } = h;
    await page.getByLabel('Account id').fill('kiosk');
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    await page.locator('#connect-device-code').waitFor();
    await page.getByText('The code has expired.').waitFor({ timeout: 5000 });
    api.failSignIn('kiosk', new TokentrayError('SIGN_IN_TIMEOUT', 'The device code expired before the sign-in was completed.'));
    const expired = page.getByRole('alert').filter({ hasText: 'The device code expired before the sign-in was completed.' });
    await expired.waitFor();
    assert.ok((await expired.innerText()).includes(ERROR_HINTS.SIGN_IN_TIMEOUT));
    assert.equal(await focusedId(h), 'connect-offer-device', 'focus is on the way forward');

    api.deviceCodeLifetimeMs = 15 * 60_000;
    await page.getByRole('button', { name: 'Get a new code' }).click();
    await api.waitForSignIn('kiosk');
    await page.locator('#connect-device-code').waitFor();
    api.failSignIn('kiosk', new TokentrayError('SIGN_IN_CONSENT_DENIED', 'The device-code sign-in was declined on the other device.'));
    const denied = page.getByRole('alert').filter({ hasText: 'declined on the other device' });
    await denied.waitFor();
    assert.ok((await denied.innerText()).includes(ERROR_HINTS.SIGN_IN_CONSENT_DENIED));
    assert.equal(await page.getByRole('button', { name: 'Get a new code' }).isVisible(), true);
  });

  it('offers the code at once when no browser can be opened here', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api, {
      openExternal: async () => {
        throw new Error('xdg-open: no method available for opening the URL');
      },
    });
    const { page } = h;
    await page.getByLabel('Account id').fill('server');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The system browser could not be opened.' });
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-error-code'), 'BROWSER_OPEN_FAILED');
    const offer = page.locator('#connect-offer');
    assert.match(await offer.innerText(), /No browser opened on this computer/);
    assert.equal(await focusedId(h), 'connect-offer-device', 'the offer has the focus');
    await h.screenshot('connect-browser-failed-offer-light');
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).first().click();
    const { request } = await api.waitForSignIn('server');
    assert.equal(request.deviceCode, true);
    assert.equal(request.id, 'server', 'the same account');
    await page.locator('#connect-device-code').waitFor();
    api.completeSignIn('server');
    await page.getByRole('heading', { name: 'server is connected' }).waitFor();
  });

  it('offers the code on an account card whose "Sign in again" found no browser', async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('support', { user: 'helpdesk@contoso.com', state: { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } } })] });
    const h = await open(api, {
      view: 'accounts',
      openExternal: async () => {
        throw new Error('xdg-open: no method available for opening the URL');
      },
    });
    const { page } = h;
    const card = page.locator('article[data-account="support"]');
    await card.getByRole('button', { name: 'Sign in again' }).click();
    const problem = card.locator('[data-error-code="BROWSER_OPEN_FAILED"]');
    await problem.waitFor();
    await problem.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    const { request } = await api.waitForSignIn('support');
    assert.deepEqual(request, { id: 'support', email: 'support@contoso.com', profile: 'outlook', sharedMailbox: 'helpdesk@contoso.com', deviceCode: true }, 'the same identity and mailbox');
    assert.equal(await page.locator('#panel-connect').isVisible(), true);
    await page.locator('#connect-device-code').waitFor();
    assert.equal(await focusedId(h), 'connect-device-cancel');
    api.completeSignIn('support');
    await page.getByRole('heading', { name: 'support is connected' }).waitFor();
  });

  it('offers to cancel a sign-in for the same id that is still open elsewhere', async () => {
    const api = new FakeTokentrayApi();
    const h = await open(api);
    const { page } = h;
    // As if a window since closed (or the tray) had started it: main still waits for it.
    void page.evaluate(() => window.tokentray!.connectAccount({ id: 'kiosk', profile: 'outlook', deviceCode: true }));
    await api.waitForSignIn('kiosk');
    await page.getByLabel('Account id').fill('kiosk');
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    await page.locator('[data-error-code="SIGN_IN_IN_PROGRESS"]').waitFor();
    assert.equal(await focusedId(h), 'connect-offer-cancel');
    await page.getByRole('button', { name: 'Cancel the open sign-in' }).click();
    await page.getByText('The open sign-in for "kiosk" was cancelled: you can start again.').waitFor();
    assert.deepEqual(api.pendingSignIns(), []);
    assert.equal(await page.locator('#connect-offer').count(), 0);
    await page.getByRole('button', { name: 'Sign in with a code on another device' }).click();
    await page.locator('#connect-device-code').waitFor();
    api.completeSignIn('kiosk');
    await page.getByRole('heading', { name: 'kiosk is connected' }).waitFor();
  });

  it('is not offered for Google, with the reason', async () => {
    const api = new FakeTokentrayApi({ settings: { 'google.clientId': '1234567890-abcdefghijklmnop.apps.googleusercontent.com' } });
    await api.setClientSecret('google', 'GOCSPX-window-test-secret-0123456789');
    const { page, screenshot } = await open(api);
    const button = page.getByRole('button', { name: 'Sign in with a code on another device' });
    assert.equal(await button.isEnabled(), true, 'Microsoft offers it');
    await page.locator('input[name="provider"][value="google"]').check();
    assert.equal(await button.isDisabled(), true);
    const note = page.locator('#connect-device-note');
    assert.match(await note.innerText(), /not available for Google/);
    assert.ok((await note.innerText()).includes(ERROR_HINTS.DEVICE_CODE_UNSUPPORTED));
    assert.equal(await button.getAttribute('aria-describedby'), 'connect-device-note');
    await screenshot('connect-google-no-device-code-light', { tall: true });
    // Even a page that asks anyway gets the core's named refusal.
    const forced = await page.evaluate(() => window.tokentray!.connectAccount({ id: 'g', profile: 'gmail', deviceCode: true }));
    assert.equal(!forced.ok && forced.error.code, 'DEVICE_CODE_UNSUPPORTED');
    await page.locator('input[name="provider"][value="microsoft"]').check();
    assert.equal(await note.isVisible(), false);
  });
});
