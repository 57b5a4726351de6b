import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logging/logger.js';
import { SignInSessions } from '../../src/main/sign-in-sessions.js';
import { performTrayAction, type TrayActionContext } from '../../src/main/tray-actions.js';
import {
  MENU_LINE_MAX_CHARS,
  RECENT_FAILURE_WINDOW_MS,
  buildTrayModel,
  formatRemaining,
  type TrayAction,
  type TrayInput,
  type TrayMenuItem,
} from '../../src/main/tray-model.js';
import type { AccountState, AccountStatus, RequestRecord, StatusReport } from '../../src/shared/account-status.js';
import type { WindowView } from '../../src/shared/ipc-contract.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';

const NOW = Date.UTC(2025, 0, 15, 10, 0, 0);
const MIN = 60_000;
const utcClock = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
const RUNNING = { running: true, url: 'http://127.0.0.1:7411/', error: null };

function account(id: string, state: AccountState, overrides: Partial<AccountStatus> = {}): AccountStatus {
  return fakeAccount(id, { state, ...overrides }, NOW);
}

function model(accounts: AccountStatus[], overrides: Partial<TrayInput> & { server?: StatusReport['server'] } = {}) {
  const { server, ...rest } = overrides;
  return buildTrayModel({
    report: { accounts, server: server ?? RUNNING },
    recentRequests: [],
    now: NOW,
    signingIn: new Set(),
    startAtLogin: false,
    formatClock: utcClock,
    ...rest,
  });
}

function labels(items: readonly TrayMenuItem[]): string[] {
  return items.map((item) => (item.type === 'separator' ? '---' : item.label));
}

function accountItem(items: readonly TrayMenuItem[], id: string): Extract<TrayMenuItem, { type: 'submenu' }> {
  const found = items.find((item) => item.type === 'submenu' && item.label.startsWith(`${id}:`));
  assert.ok(found && found.type === 'submenu', `no menu line for ${id} in ${JSON.stringify(labels(items))}`);
  return found;
}

function actionOf(items: readonly TrayMenuItem[], label: string): TrayAction {
  for (const item of items) {
    if ((item.type === 'action' || item.type === 'checkbox') && item.label === label) return item.action;
    if (item.type === 'submenu') {
      try {
        return actionOf(item.items, label);
      } catch {
        // keep looking
      }
    }
  }
  throw new Error(`no menu item "${label}"`);
}

function request(accountId: string, outcome: string, at: number): RequestRecord {
  return { at, account: accountId, proto: 'imap', outcome, status: outcome === 'ok' ? 200 : 401, latencyMs: 4, client: '127.0.0.1' };
}

describe('tray model: one line per account state', () => {
  // A Record over every kind: adding a state to AccountState fails to compile until it is covered here.
  const cases: Record<AccountState['kind'], { state: AccountState; line: string; icon: 'ok' | 'attention'; first: string }> = {
    'signed-out': { state: { kind: 'signed-out' }, line: 'sales: signed out — sign in to use it', icon: 'attention', first: 'Sign in' },
    active: { state: { kind: 'active', expiresAt: NOW + 52 * MIN + 30_000 }, line: 'sales: valid for 52 min', icon: 'ok', first: 'Sign in again' },
    refreshing: { state: { kind: 'refreshing', expiresAt: NOW + 2 * MIN }, line: 'sales: refreshing…', icon: 'ok', first: 'Sign in again' },
    'needs-sign-in': {
      state: { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } },
      line: 'sales: needs sign-in — password changed',
      icon: 'attention',
      first: 'Sign in again',
    },
    failing: {
      state: { kind: 'failing', error: 'network down', retryAt: NOW + 42 * MIN, expiresAt: NOW + 20 * MIN },
      line: 'sales: retrying at 10:42 — network down',
      icon: 'ok',
      first: 'Sign in again',
    },
  };

  for (const [kind, expected] of Object.entries(cases)) {
    it(`shows "${expected.line}" for a ${kind} account, icon ${expected.icon}`, () => {
      const tray = model([account('sales', expected.state)]);
      const line = accountItem(tray.menu, 'sales');
      assert.equal(line.label, expected.line);
      assert.equal(tray.icon, expected.icon);
      assert.deepEqual(labels(line.items), ['Microsoft · Outlook IMAP/SMTP · sales@contoso.com', '---', expected.first, 'Copy account id', '---', 'Remove…']);
      assert.equal(line.items[0]!.type, 'info', 'the identity line is not clickable');
      assert.deepEqual(actionOf(line.items, expected.first), { kind: 'sign-in', accountId: 'sales' });
      assert.deepEqual(actionOf(line.items, 'Copy account id'), { kind: 'copy-account-id', accountId: 'sales' });
      assert.deepEqual(actionOf(line.items, 'Remove…'), { kind: 'remove-account', accountId: 'sales' });
    });
  }

  it('counts down in hours and minutes, rounding down', () => {
    assert.equal(formatRemaining(65 * MIN + 59_000), '1 h 05 min');
    assert.equal(formatRemaining(59_000), '<1 min');
    assert.equal(model([account('a', { kind: 'active', expiresAt: NOW + 90 * MIN })]).menu.find((i) => i.type === 'submenu')?.label, 'a: valid for 1 h 30 min');
  });

  it('says an expired active token is being replaced rather than showing a negative time', () => {
    assert.equal(accountItem(model([account('a', { kind: 'active', expiresAt: NOW - MIN })]).menu, 'a').label, 'a: token expired — refreshing soon');
  });

  it('turns the icon to attention when a failing account has no usable token left', () => {
    const tray = model([account('a', { kind: 'failing', error: 'network down', retryAt: NOW + MIN, expiresAt: null })]);
    assert.equal(tray.icon, 'attention');
    assert.equal(tray.tooltip, 'tokentray — EmailEngine requests failing for a');
  });

  it('shows "signing in…" with a Cancel item while a browser sign-in is open', () => {
    const tray = model([account('sales', { kind: 'needs-sign-in', reason: { code: 'x', summary: 'expired' } })], { signingIn: new Set(['sales']) });
    const line = accountItem(tray.menu, 'sales');
    assert.equal(line.label, 'sales: signing in… finish in your browser');
    assert.deepEqual(actionOf(line.items, 'Cancel sign-in'), { kind: 'cancel-sign-in', accountId: 'sales' });
    assert.throws(() => actionOf(line.items, 'Sign in again'));
  });

  it("names each account's provider beside its profile, for both providers", () => {
    const tray = model([
      account('mail', { kind: 'signed-out' }, { provider: 'google', profile: 'gmail-api', email: null, user: 'mail' }),
      account('ann', { kind: 'active', expiresAt: NOW + 52 * MIN }, { provider: 'google', profile: 'gmail', email: 'ann@gmail.com', user: 'ann@gmail.com' }),
      account('sales', { kind: 'active', expiresAt: NOW + 52 * MIN }, { profile: 'graph' }),
    ]);
    assert.deepEqual(accountItem(tray.menu, 'ann').items[0], { type: 'info', label: 'Google · Gmail IMAP/SMTP · ann@gmail.com' });
    assert.deepEqual(accountItem(tray.menu, 'mail').items[0], { type: 'info', label: 'Google · Gmail API · not signed in yet' });
    assert.deepEqual(accountItem(tray.menu, 'sales').items[0], { type: 'info', label: 'Microsoft · Microsoft Graph · sales@contoso.com' });
  });

  it('clips a long error so the menu stays narrow', () => {
    const tray = model([account('a', { kind: 'failing', error: 'x'.repeat(200), retryAt: NOW, expiresAt: null })]);
    const line = accountItem(tray.menu, 'a').label;
    assert.equal(line.length, MENU_LINE_MAX_CHARS);
    assert.ok(line.endsWith('…'));
  });

  it('sorts accounts by id', () => {
    const tray = model([account('zeta', { kind: 'signed-out' }), account('alpha', { kind: 'signed-out' })]);
    assert.deepEqual(
      tray.menu.filter((i) => i.type === 'submenu').map((i) => (i.type === 'submenu' ? i.label.split(':')[0] : '')),
      ['alpha', 'zeta'],
    );
  });
});

describe('tray model: server and request states', () => {
  it('shows the stopped icon and the reason first when the auth server is not running', () => {
    const tray = model([account('a', { kind: 'active', expiresAt: NOW + MIN * 30 })], {
      server: { running: false, url: null, error: 'port 7411 is in use' },
    });
    assert.equal(tray.icon, 'stopped');
    assert.equal(tray.tooltip, 'tokentray — auth server stopped: port 7411 is in use');
    assert.deepEqual(tray.menu[0], { type: 'info', label: 'Auth server stopped — port 7411 is in use' });
  });

  it('prefers stopped over attention', () => {
    const tray = model([account('a', { kind: 'signed-out' })], { server: { running: false, url: null, error: null } });
    assert.equal(tray.icon, 'stopped');
    assert.equal(tray.tooltip, 'tokentray — auth server stopped');
  });

  it('turns to attention when the latest recent request of an account failed', () => {
    const accounts = [account('a', { kind: 'active', expiresAt: NOW + 30 * MIN })];
    const failing = model(accounts, { recentRequests: [request('a', 'ok', NOW - 5 * MIN), request('a', 'NEEDS_SIGN_IN', NOW - MIN)] });
    assert.equal(failing.icon, 'attention');
    assert.equal(failing.tooltip, 'tokentray — EmailEngine requests failing for a');
    const recovered = model(accounts, { recentRequests: [request('a', 'NEEDS_SIGN_IN', NOW - 5 * MIN), request('a', 'ok', NOW - MIN)] });
    assert.equal(recovered.icon, 'ok');
    const old = model(accounts, { recentRequests: [request('a', 'IDP_UNAVAILABLE', NOW - RECENT_FAILURE_WINDOW_MS - 1)] });
    assert.equal(old.icon, 'ok');
  });

  it('summarises several accounts in the tooltip', () => {
    const ok = [account('a', { kind: 'active', expiresAt: NOW + MIN * 30 }), account('b', { kind: 'active', expiresAt: NOW + MIN * 30 })];
    assert.equal(model(ok).tooltip, 'tokentray — 2 accounts ready');
    assert.equal(model([ok[0]!]).tooltip, 'tokentray — a ready');
    const two = [account('a', { kind: 'signed-out' }), account('b', { kind: 'needs-sign-in', reason: { code: 'c', summary: 's' } })];
    assert.equal(model(two).tooltip, 'tokentray — 2 accounts need sign-in');
  });

  it('offers the fixed items, and an empty-state line without accounts', () => {
    const tray = model([], { startAtLogin: true });
    assert.equal(tray.icon, 'ok');
    assert.equal(tray.tooltip, 'tokentray — no accounts connected');
    assert.deepEqual(labels(tray.menu), [
      'No accounts connected yet',
      '---',
      'Connect account…',
      'Copy EmailEngine URL',
      'Open tokentray',
      '---',
      'Start at login',
      '---',
      'Quit tokentray',
    ]);
    const checkbox = tray.menu.find((item) => item.type === 'checkbox');
    assert.deepEqual(checkbox, { type: 'checkbox', label: 'Start at login', checked: true, action: { kind: 'set-start-at-login', enabled: false } });
  });
});

describe('tray actions are wired to the API', () => {
  function setup(api: FakeTokentrayApi) {
    const record = {
      copied: [] as string[],
      windows: [] as Array<WindowView | undefined>,
      notifications: [] as Array<{ title: string; body: string }>,
      confirmations: [] as string[],
      startAtLogin: [] as boolean[],
      quits: 0,
      opened: [] as string[],
      confirmAnswer: true,
    };
    const signIns = new SignInSessions(api, async (url) => void record.opened.push(url));
    const ctx: TrayActionContext = {
      api,
      signIns,
      copyText: (text) => void record.copied.push(text),
      showWindow: (view) => void record.windows.push(view),
      confirm: async (question) => {
        record.confirmations.push(question.message);
        return record.confirmAnswer;
      },
      setStartAtLogin: async (enabled) => void record.startAtLogin.push(enabled),
      notify: (title, body) => void record.notifications.push({ title, body }),
      quit: () => void (record.quits += 1),
      now: () => NOW,
      logger: silentLogger,
    };
    const menu = () =>
      buildTrayModel({ report: api.report(), recentRequests: [], now: NOW, signingIn: signIns.inProgress(), startAtLogin: false, formatClock: utcClock }).menu;
    return { record, ctx, signIns, menu };
  }

  it('"Sign in again" re-connects the same identity in the browser and reports success', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW, accounts: [fakeAccount('sales', { user: 'shared@contoso.com' }, NOW)] });
    api.revoke('sales');
    const { record, ctx, signIns, menu } = setup(api);
    const done = performTrayAction(actionOf(accountItem(menu(), 'sales').items, 'Sign in again'), ctx);
    const { request: sent, authorizeUrl } = await api.waitForSignIn('sales');
    assert.deepEqual(sent, { id: 'sales', email: 'sales@contoso.com', profile: 'outlook', sharedMailbox: 'shared@contoso.com' });
    assert.deepEqual(record.opened, [authorizeUrl]);
    assert.deepEqual([...signIns.inProgress()], ['sales']);
    assert.equal(accountItem(menu(), 'sales').label, 'sales: signing in… finish in your browser');
    api.completeSignIn('sales');
    await done;
    assert.deepEqual(record.notifications, [{ title: 'sales is signed in', body: 'Token valid for 1 h 00 min.' }]);
    assert.equal(accountItem(menu(), 'sales').label, 'sales: valid for 1 h 00 min');
  });

  it('"Cancel sign-in" cancels through the API without a failure notification', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW, accounts: [fakeAccount('sales', {}, NOW)] });
    const { record, ctx, menu } = setup(api);
    const done = performTrayAction({ kind: 'sign-in', accountId: 'sales' }, ctx);
    await api.waitForSignIn('sales');
    await performTrayAction(actionOf(accountItem(menu(), 'sales').items, 'Cancel sign-in'), ctx);
    await done;
    assert.ok(api.calls.some((call) => call.method === 'cancelSignIn' && call.args[0] === 'sales'));
    assert.deepEqual(record.notifications, []);
  });

  it('a failed sign-in is reported with the fix-it hint', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW, accounts: [fakeAccount('sales', {}, NOW)] });
    const { record, ctx } = setup(api);
    const done = performTrayAction({ kind: 'sign-in', accountId: 'sales' }, ctx);
    await api.waitForSignIn('sales');
    api.failSignIn('sales', new TokentrayError('SIGN_IN_WRONG_USER', 'Signed in as bob@contoso.com, not sales@contoso.com.'));
    await done;
    assert.equal(record.notifications.length, 1);
    assert.equal(record.notifications[0]!.title, 'sales: sign-in did not finish');
    assert.match(record.notifications[0]!.body, /bob@contoso\.com.*Sign in with the address you entered/);
  });

  it('"Copy account id" and "Copy EmailEngine URL" put text on the clipboard', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW, accounts: [fakeAccount('sales', {}, NOW)] });
    const { record, ctx, menu } = setup(api);
    await performTrayAction(actionOf(menu(), 'Copy account id'), ctx);
    await performTrayAction(actionOf(menu(), 'Copy EmailEngine URL'), ctx);
    assert.deepEqual(record.copied, ['sales', await api.serverUrl()]);
    assert.equal(record.notifications[0]!.title, 'EmailEngine URL copied');
  });

  it('"Remove…" asks first and removes only when confirmed', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW, accounts: [fakeAccount('sales', {}, NOW)] });
    const { record, ctx, menu } = setup(api);
    record.confirmAnswer = false;
    await performTrayAction(actionOf(menu(), 'Remove…'), ctx);
    assert.ok(api.accounts.has('sales'));
    record.confirmAnswer = true;
    await performTrayAction(actionOf(menu(), 'Remove…'), ctx);
    assert.ok(!api.accounts.has('sales'));
    assert.deepEqual(record.confirmations, ['Remove the account "sales"?', 'Remove the account "sales"?']);
  });

  it('window, start-at-login and quit items reach their ports', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW });
    const { record, ctx, menu } = setup(api);
    await performTrayAction(actionOf(menu(), 'Connect account…'), ctx);
    await performTrayAction(actionOf(menu(), 'Open tokentray'), ctx);
    await performTrayAction(actionOf(menu(), 'Start at login'), ctx);
    await performTrayAction(actionOf(menu(), 'Quit tokentray'), ctx);
    assert.deepEqual(record.windows, ['connect', undefined]);
    assert.deepEqual(record.startAtLogin, [true]);
    assert.equal(record.quits, 1);
  });

  it('an action that fails becomes a notification, never an unhandled rejection', async () => {
    const api = new FakeTokentrayApi({ now: () => NOW });
    const { record, ctx } = setup(api);
    await performTrayAction({ kind: 'remove-account', accountId: 'ghost' }, ctx);
    assert.equal(record.notifications[0]!.title, 'tokentray could not do that');
    assert.match(record.notifications[0]!.body, /No account "ghost"\. Check the id/);
  });
});

describe("tray model: EmailEngine's side", () => {
  const valid: AccountState = { kind: 'active', expiresAt: NOW + 52 * MIN };
  const view = (state: string, response: string | null = null) =>
    ({ presence: 'registered', state, lastError: response ? { response, serverResponseCode: null } : null, checkedAt: NOW, managed: true, hint: null, error: null }) as NonNullable<AccountStatus['emailengine']>;
  const linked = { connected: true, url: 'http://127.0.0.1:3000', version: '2.79.2', licensed: true, authServer: { kind: 'this', url: 'http://127.0.0.1:7411/authentication' }, checkedAt: NOW, error: null, warnings: [] } as NonNullable<StatusReport['emailengine']>;
  const withLink = (accounts: AccountStatus[], emailengine = linked) =>
    buildTrayModel({ report: { accounts, server: RUNNING, emailengine }, recentRequests: [], now: NOW, signingIn: new Set(), startAtLogin: false, formatClock: utcClock });

  it("puts EmailEngine's state on each account's menu line, and stays calm when both sides agree", () => {
    const built = withLink([account('sales', valid, { emailengine: view('connected') })]);
    assert.equal(accountItem(built.menu, 'sales').label, 'sales: valid for 52 min · EmailEngine: connected');
    assert.equal(built.icon, 'ok');
    assert.equal(built.tooltip, 'tokentray — sales ready');
  });

  it('turns on attention for a mismatch, with the hint in the line\'s submenu and the tooltip', () => {
    const built = withLink([account('sales', valid, { emailengine: view('authenticationError', 'AUTHENTICATE failed') })]);
    const line = accountItem(built.menu, 'sales');
    assert.equal(line.label, 'sales: valid for 52 min · EmailEngine: authenticationError');
    assert.deepEqual(line.items[1], { type: 'info', label: 'EmailEngine: IMAP disabled for this mailbox?' });
    assert.equal(line.items[2]!.type, 'separator');
    assert.equal(built.icon, 'attention');
    assert.equal(built.tooltip, 'tokentray — EmailEngine: sales — IMAP disabled for this mailbox?');
  });

  it('turns on attention when EmailEngine itself fails: not answering, authServer elsewhere or outdated', () => {
    const accounts = [account('sales', valid, { emailengine: view('connected') })];
    const down = withLink(accounts, { ...linked, error: { code: 'EMAILENGINE_UNREACHABLE', message: 'ECONNREFUSED' } });
    assert.equal(down.icon, 'attention');
    assert.equal(down.tooltip, 'tokentray — EmailEngine: not answering');
    const elsewhere = withLink(accounts, { ...linked, authServer: { kind: 'other', url: 'http://10.0.0.9/' } });
    assert.equal(elsewhere.icon, 'attention');
    assert.match(elsewhere.tooltip, /authServer points elsewhere/);
    assert.match(withLink(accounts, { ...linked, authServer: { kind: 'this-outdated', url: 'x' } }).tooltip, /old secret/);
  });

  it('keeps an EmailEngine that is still connecting, or one not connected at all, out of the attention state', () => {
    assert.equal(withLink([account('sales', valid, { emailengine: view('connecting') })]).icon, 'ok');
    const none = withLink([account('sales', valid, { emailengine: null })], { ...linked, connected: false, authServer: null });
    assert.equal(none.icon, 'ok');
    assert.equal(accountItem(none.menu, 'sales').label, 'sales: valid for 52 min', 'no EmailEngine part without EmailEngine');
  });
});
