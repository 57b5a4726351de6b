import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, silentLogger } from '../../src/core/logging/logger.js';
import { ExternalLinks, HELP_LINKS } from '../../src/main/external-urls.js';
import { MAX_CLIENT_SECRET_CHARS, invokeWindowMethod, registerIpcHandlers } from '../../src/main/ipc.js';
import { SignInSessions } from '../../src/main/sign-in-sessions.js';
import { createWindowBackend } from '../../src/main/window-backend.js';
import { MainWindow } from '../../src/main/window.js';
import { createBridge, type IpcRendererLike } from '../../src/preload/create-bridge.js';
import { IPC_CHANNELS, IPC_EVENTS, WINDOW_METHODS, type WindowApi, type WindowView } from '../../src/shared/ipc-contract.js';
import type { StatusReport } from '../../src/shared/account-status.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { createWindowClient } from '../../renderer/client.js';
import { FakeEmitter, FakeWebContents, createFakeElectron, ipcEventFrom, type FakeElectron } from '../fakes/fake-electron.js';
import { FAKE_DEVICE_CODE, FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';

const PATHS = { preload: '/app/dist/preload/preload.cjs', indexHtml: '/app/dist/renderer/index.html' };

/** ipcRenderer for a page living in `contents`: invoke goes through the fake ipcMain with that sender. */
class FakeIpcRenderer extends FakeEmitter implements IpcRendererLike {
  constructor(
    private readonly electron: FakeElectron,
    private readonly contents: FakeWebContents,
  ) {
    super();
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.electron.ipcMain.invoke(channel, ipcEventFrom(this.contents), ...args);
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((l) => l !== listener));
    return this;
  }
}

function setup() {
  const electron = createFakeElectron();
  const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
  const window = new MainWindow(electron, { paths: PATHS, platform: 'linux', logger: silentLogger });
  window.show();
  const contents = electron.windows[0]!.webContents;
  const links = new ExternalLinks((url) => electron.shell.openExternal(url), () => api.getSettings(), silentLogger);
  const signIns = new SignInSessions(api, (url) => links.openSignInUrl(url));
  const backend = createWindowBackend({
    api,
    signIns,
    copyText: (text) => electron.clipboard.writeText(text),
    openHelp: (topic) => links.openHelp(topic),
  });
  const unregister = registerIpcHandlers(electron.ipcMain, backend, (event) => window.isTrustedSender(event), silentLogger);
  const ourPage = createBridge(new FakeIpcRenderer(electron, contents));
  const foreignContents = new FakeWebContents();
  foreignContents.mainFrame = contents.mainFrame;
  const foreignPage = createBridge(new FakeIpcRenderer(electron, foreignContents));
  return { electron, api, ourPage, foreignPage, unregister, contents };
}

describe('IPC contract', () => {
  it('registers one channel per window method, and none for getToken', () => {
    const { electron } = setup();
    assert.deepEqual([...electron.ipcMain.handlers.keys()].sort(), Object.values(IPC_CHANNELS).sort());
    assert.ok(!(WINDOW_METHODS as string[]).includes('getToken'));
    assert.ok(!Object.values(IPC_CHANNELS).some((channel) => channel.includes('get-token')));
  });

  it('exposes named functions only: no getToken, no ipcRenderer, frozen', () => {
    const { ourPage } = setup();
    assert.deepEqual(Object.keys(ourPage).sort(), [...WINDOW_METHODS, 'onDeviceCode', 'onShowView', 'onSignInsChanged', 'onStatusChanged'].sort());
    for (const value of Object.values(ourPage)) assert.equal(typeof value, 'function');
    assert.equal('getToken' in ourPage, false);
    for (const name of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync']) assert.equal(name in ourPage, false, name);
    assert.ok(Object.isFrozen(ourPage));
  });

  it('answers our own page with plain data from the core', async () => {
    const { ourPage, api } = setup();
    const result = await ourPage.status();
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && result.value, api.report());
  });

  it('refuses a foreign sender before the core is called', async () => {
    const { foreignPage, api, electron, contents } = setup();
    const before = api.calls.length;
    for (const call of [() => foreignPage.status(), () => foreignPage.removeAccount('sales'), () => foreignPage.copyServerUrl()]) {
      const result = await call();
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'INTERNAL');
    }
    // A subframe of our own window is refused too.
    await assert.rejects(
      electron.ipcMain.invoke(IPC_CHANNELS.removeAccount, ipcEventFrom(contents, { url: contents.mainFrame.url, parent: {} }), 'sales'),
      /unknown sender/,
    );
    assert.equal(api.calls.length, before);
    assert.ok(api.accounts.has('sales'));
    assert.deepEqual(electron.clipboardText, []);
  });

  it('carries a TokentrayError across as data, and the window rebuilds it', async () => {
    const { ourPage } = setup();
    const result = await ourPage.removeAccount('ghost');
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && Object.keys(result.error).sort(), ['code', 'details', 'hint', 'message']);
    assert.equal(!result.ok && result.error.code, 'ACCOUNT_NOT_FOUND');
    const client = createWindowClient(ourPage);
    await assert.rejects(client.removeAccount('ghost'), (error: unknown) => {
      assert.ok(error instanceof TokentrayError);
      assert.equal(error.code, 'ACCOUNT_NOT_FOUND');
      assert.match(error.hint, /tokentray account list/);
      return true;
    });
  });

  it('keeps the field that was wrong in a CONFIG_INVALID error', async () => {
    const { ourPage } = setup();
    const result = await ourPage.setSetting('tenant', 'not a tenant!');
    assert.equal(!result.ok && result.error.code, 'CONFIG_INVALID');
    assert.equal(!result.ok && result.error.details.key, 'tenant');
  });

  it('turns an unexpected exception into INTERNAL without leaking token-like text', async () => {
    const backend = { status: async () => Promise.reject(new Error(`boom eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${'s'.repeat(30)}`)) } as unknown as WindowApi;
    const result = await invokeWindowMethod(backend, 'status', []);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'INTERNAL');
    assert.ok(!result.ok && !result.error.message.includes('eyJ'), 'redacted');
  });

  it('rejects malformed arguments with USAGE and never calls the core', async () => {
    const { electron, contents, api } = setup();
    const before = api.calls.length;
    const event = ipcEventFrom(contents);
    const bad: Array<[string, unknown[]]> = [
      [IPC_CHANNELS.setSetting, ['notASetting', 1]],
      [IPC_CHANNELS.setSetting, ['tenant']],
      [IPC_CHANNELS.connectAccount, [{ id: 5 }]],
      [IPC_CHANNELS.connectAccount, [{ id: 'a', profile: 'pop3' }]],
      [IPC_CHANNELS.removeAccount, [{ id: 'sales' }]],
      [IPC_CHANNELS.recentRequests, [1e9]],
      [IPC_CHANNELS.copyText, [42]],
      [IPC_CHANNELS.openHelp, ['https://evil.example/']],
      [IPC_CHANNELS.connectAccount, [{ id: 'a', deviceCode: 'yes' }]],
      [IPC_CHANNELS.openDeviceCodePage, [{ id: 'sales' }]],
      [IPC_CHANNELS.openDeviceCodePage, [42]],
    ];
    for (const [channel, args] of bad) {
      const result = (await electron.ipcMain.invoke(channel, event, ...args)) as { ok: boolean; error?: { code: string } };
      assert.equal(result.ok, false, channel);
      assert.equal(result.error?.code, 'USAGE', channel);
    }
    assert.equal(api.calls.length, before);
    assert.deepEqual(electron.openedUrls, []);
  });

  it('takes the Google client secret write-only on its own channel: string or null, Google only, bounded', async () => {
    const { electron, contents, api, ourPage } = setup();
    const event = ipcEventFrom(contents);
    const before = api.calls.length;
    const bad: unknown[][] = [
      ['google', 42],
      ['google', { secret: 'GOCSPX-abcdefghijklmnop' }],
      ['google', ['GOCSPX-abcdefghijklmnop']],
      ['google', undefined],
      ['google'],
      ['microsoft', 'GOCSPX-abcdefghijklmnop'],
      ['Google', 'GOCSPX-abcdefghijklmnop'],
      [{ provider: 'google' }, 'GOCSPX-abcdefghijklmnop'],
      ['google', `GOCSPX-${'x'.repeat(MAX_CLIENT_SECRET_CHARS)}`],
      ['google', 'GOCSPX-abcdefghijklmnop', 'extra'],
    ];
    for (const args of bad) {
      const result = (await electron.ipcMain.invoke(IPC_CHANNELS.setClientSecret, event, ...args)) as { ok: boolean; error?: { code: string; message: string } };
      assert.equal(result.ok, false, JSON.stringify(args).slice(0, 60));
      assert.equal(result.error?.code, 'USAGE');
      assert.ok(!JSON.stringify(result).includes('GOCSPX'), 'the refusal does not echo the secret');
    }
    assert.equal(api.calls.length, before, 'the core was never called');
    assert.equal(api.googleSecretSet, false);

    assert.deepEqual(await ourPage.setClientSecret('google', 'GOCSPX-abcdefghijklmnop'), { ok: true, value: null }, 'nothing comes back');
    assert.equal(api.googleSecretSet, true);
    const status = await ourPage.status();
    assert.deepEqual(status.ok && status.value.clientSecrets, { google: true }, 'the window learns only that one is set');
    assert.ok(!JSON.stringify(status).includes('GOCSPX'));
    assert.deepEqual(await ourPage.setClientSecret('google', null), { ok: true, value: null });
    assert.equal(api.googleSecretSet, false);
    // The core's own shape check answers as a named error through the envelope.
    const short = await ourPage.setClientSecret('google', 'short');
    assert.equal(!short.ok && short.error.code, 'USAGE');
  });

  it('refuses the secret from a foreign sender without logging it', async () => {
    const electron = createFakeElectron();
    const api = new FakeTokentrayApi();
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => void lines.push(line), level: 'debug' });
    const backend = createWindowBackend({ api, signIns: new SignInSessions(api, async () => undefined), copyText: () => undefined, openHelp: async () => undefined });
    registerIpcHandlers(electron.ipcMain, backend, () => false, logger);
    await assert.rejects(electron.ipcMain.invoke(IPC_CHANNELS.setClientSecret, ipcEventFrom(new FakeWebContents()), 'google', 'GOCSPX-foreign-sender-secret'), /unknown sender/);
    assert.equal(api.googleSecretSet, false);
    assert.ok(lines.some((line) => line.includes('setClientSecret')), 'the refusal is logged');
    assert.ok(!lines.some((line) => line.includes('GOCSPX')), 'without the secret');
  });

  it('passes only the known connect fields to the core, and opens the sign-in page from main', async () => {
    const { ourPage, api, electron } = setup();
    const request = { id: 'ops', email: 'ops@contoso.com', profile: 'graph', sharedMailbox: null, extra: 'ignored' } as never;
    const answer = ourPage.connectAccount(request);
    const { request: received, authorizeUrl } = await api.waitForSignIn('ops');
    assert.deepEqual(received, { id: 'ops', email: 'ops@contoso.com', profile: 'graph', sharedMailbox: null });
    assert.deepEqual(electron.openedUrls, [authorizeUrl]);
    api.completeSignIn('ops');
    const result = await answer;
    assert.equal(result.ok && result.value.state.kind, 'active');
  });

  it('runs a device-code sign-in from main: the code goes to the page as an event, its page opens by account id', async () => {
    const electron = createFakeElectron();
    const api = new FakeTokentrayApi();
    const opened: string[] = [];
    const signIns = new SignInSessions(api, async () => assert.fail('no browser for a device code'), async (url) => void opened.push(url));
    const events: Array<{ id: string; userCode: string }> = [];
    signIns.onDeviceCode((id, prompt) => void events.push({ id, userCode: prompt.userCode }));
    const backend = createWindowBackend({ api, signIns, copyText: () => undefined, openHelp: async () => undefined });
    registerIpcHandlers(electron.ipcMain, backend, () => true, silentLogger);
    const event = ipcEventFrom(new FakeWebContents());
    const answer = electron.ipcMain.invoke(IPC_CHANNELS.connectAccount, event, { id: 'kiosk', profile: 'outlook', deviceCode: true }) as Promise<{ ok: boolean }>;
    const { request } = await api.waitForSignIn('kiosk');
    assert.equal(request.deviceCode, true);
    assert.deepEqual(events, [{ id: 'kiosk', userCode: FAKE_DEVICE_CODE.userCode }]);
    assert.equal(signIns.pending()[0]?.deviceCode?.verificationUri, FAKE_DEVICE_CODE.verificationUri);
    assert.deepEqual(await electron.ipcMain.invoke(IPC_CHANNELS.openDeviceCodePage, event, 'kiosk'), { ok: true, value: null });
    assert.deepEqual(opened, [FAKE_DEVICE_CODE.verificationUri]);
    const other = (await electron.ipcMain.invoke(IPC_CHANNELS.openDeviceCodePage, event, 'sales')) as { ok: boolean; error?: { code: string } };
    assert.equal(other.error?.code, 'SIGN_IN_CANCELLED', 'no code is waiting for that account');
    api.completeSignIn('kiosk');
    assert.equal((await answer).ok, true);
    assert.deepEqual(signIns.pending(), [], 'the code is forgotten with its sign-in');
    const late = (await electron.ipcMain.invoke(IPC_CHANNELS.openDeviceCodePage, event, 'kiosk')) as { ok: boolean };
    assert.equal(late.ok, false);
    assert.equal(opened.length, 1);
  });

  it('copies the EmailEngine URL in main: the secret never reaches the page', async () => {
    const { ourPage, api, electron } = setup();
    const copied = await ourPage.copyServerUrl();
    assert.deepEqual(copied, { ok: true, value: null });
    assert.deepEqual(electron.clipboardText, [await api.serverUrl()]);
    const rotated = await ourPage.rotateServerSecret();
    assert.deepEqual(rotated, { ok: true, value: null }, 'the new secret is not returned');
    assert.match(electron.clipboardText.at(-1)!, new RegExp(api.secret));
    assert.notEqual(electron.clipboardText[0], electron.clipboardText[1]);
  });

  it('opens help pages only from the fixed list', async () => {
    const { ourPage, electron } = setup();
    assert.deepEqual(await ourPage.openHelp('register-app'), { ok: true, value: null });
    assert.deepEqual(electron.openedUrls, [HELP_LINKS['register-app']]);
  });

  it('removes every handler on unregister', () => {
    const { electron, unregister } = setup();
    unregister();
    assert.equal(electron.ipcMain.handlers.size, 0);
  });

  it('delivers events to the page without the IPC event object, and unsubscribes', () => {
    const electron = createFakeElectron();
    const ipc = new FakeIpcRenderer(electron, new FakeWebContents());
    const bridge = createBridge(ipc);
    const reports: unknown[][] = [];
    const views: WindowView[] = [];
    const stop = bridge.onStatusChanged((...args: unknown[]) => void reports.push(args));
    bridge.onShowView((view) => void views.push(view));
    const codes: unknown[] = [];
    bridge.onDeviceCode((code) => void codes.push(code));
    const code = { id: 'kiosk', prompt: { verificationUri: 'https://microsoft.com/devicelogin', userCode: 'ABCD-EFGH', expiresAt: 1, message: null } };
    ipc.emit(IPC_EVENTS.deviceCode, {}, code);
    ipc.emit(IPC_EVENTS.deviceCode, {}, { id: 'kiosk', prompt: { userCode: 7 } });
    ipc.emit(IPC_EVENTS.deviceCode, {}, 'ABCD-EFGH');
    const underWay: string[][] = [];
    bridge.onSignInsChanged((ids) => void underWay.push(ids));
    ipc.emit(IPC_EVENTS.signInsChanged, {}, ['sales', 'kiosk']);
    ipc.emit(IPC_EVENTS.signInsChanged, {}, [{ id: 'sales' }]);
    ipc.emit(IPC_EVENTS.signInsChanged, {}, 'sales');
    const report: StatusReport = { accounts: [], server: { running: true, url: null, error: null } };
    ipc.emit(IPC_EVENTS.statusChanged, { sender: 'secret-event-object' }, report);
    ipc.emit(IPC_EVENTS.showView, {}, 'connect');
    ipc.emit(IPC_EVENTS.showView, {}, 'javascript:alert(1)');
    stop();
    ipc.emit(IPC_EVENTS.statusChanged, {}, report);
    assert.deepEqual(reports, [[report]]);
    assert.deepEqual(views, ['connect']);
    assert.deepEqual(codes, [code], 'a malformed code event is dropped');
    assert.deepEqual(underWay, [['sales', 'kiosk']], 'only a list of ids is passed on');
  });
});
