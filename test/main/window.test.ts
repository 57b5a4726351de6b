import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logging/logger.js';
import { MainWindow, WINDOW_HEIGHT_PX, WINDOW_WIDTH_PX } from '../../src/main/window.js';
import { IPC_EVENTS } from '../../src/shared/ipc-contract.js';
import { FakeEvent, FakeWebContents, createFakeElectron, ipcEventFrom } from '../fakes/fake-electron.js';

const PATHS = { preload: '/app/dist/preload/preload.cjs', indexHtml: '/app/dist/renderer/index.html' };

function open(platform: NodeJS.Platform = 'linux') {
  const electron = createFakeElectron({ platform });
  const window = new MainWindow(electron, { paths: PATHS, platform, logger: silentLogger });
  window.show();
  const created = electron.windows[0];
  assert.ok(created, 'a BrowserWindow was created');
  return { electron, window, created };
}

describe('main window', () => {
  it('is sandboxed, context-isolated, without Node, and loads the preload from dist', () => {
    const { created } = open();
    assert.deepEqual(created.options.webPreferences, {
      preload: PATHS.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
    assert.equal(created.options.width, WINDOW_WIDTH_PX);
    assert.equal(created.options.height, WINDOW_HEIGHT_PX);
    assert.ok(created.options.minWidth > 0 && created.options.minHeight > 0);
    assert.equal(created.options.show, false, 'shown on ready-to-show, not before');
  });

  it('loads only the local renderer file, on the requested section', () => {
    const electron = createFakeElectron();
    const window = new MainWindow(electron, { paths: PATHS, platform: 'linux', logger: silentLogger });
    window.show('settings');
    assert.deepEqual(electron.windows[0]!.loaded, [{ path: PATHS.indexHtml, options: { hash: 'settings' } }]);
    assert.equal(electron.windows[0]!.shown, 0);
    electron.windows[0]!.emit('ready-to-show');
    assert.equal(electron.windows[0]!.shown, 1);
  });

  it('prevents every navigation, redirect and webview', () => {
    const { created } = open();
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const attempt = new FakeEvent('https://evil.example/');
      created.webContents.emit(event, attempt);
      assert.equal(attempt.defaultPrevented, true, `${event} prevented`);
    }
  });

  it('denies new windows, even for Microsoft URLs', () => {
    const { created } = open();
    const handler = created.webContents.windowOpenHandler;
    assert.ok(handler);
    assert.deepEqual(handler({ url: 'https://evil.example/' }), { action: 'deny' });
    assert.deepEqual(handler({ url: 'https://login.microsoftonline.com/' }), { action: 'deny' });
  });

  it('denies every permission request', () => {
    const { created } = open();
    const answers: boolean[] = [];
    created.webContents.session.permissionRequestHandler?.(created.webContents, 'notifications', (granted) => answers.push(granted));
    created.webContents.session.permissionRequestHandler?.(created.webContents, 'media', (granted) => answers.push(granted));
    assert.deepEqual(answers, [false, false]);
    assert.equal(created.webContents.session.permissionCheckHandler?.(created.webContents, 'clipboard-read'), false);
  });

  it('removes the menu bar except on macOS, where the Edit shortcuts need it', () => {
    assert.equal(open('linux').created.menuRemoved, true);
    assert.equal(open('win32').created.menuRemoved, true);
    assert.equal(open('darwin').created.menuRemoved, false);
  });

  it('focuses the existing window instead of opening a second one, and switches section', () => {
    const { electron, window, created } = open();
    created.minimized = true;
    window.show('connect');
    assert.equal(electron.windows.length, 1);
    assert.equal(created.minimized, false);
    assert.ok(created.focused >= 1);
    assert.deepEqual(created.webContents.sent.at(-1), { channel: IPC_EVENTS.showView, args: ['connect'] });
  });

  it('opens a new window after the previous one was closed', () => {
    const { electron, window, created } = open();
    created.close();
    assert.equal(window.window, null);
    window.show();
    assert.equal(electron.windows.length, 2);
  });

  describe('trusted senders', () => {
    it('accepts the top frame of our window showing our page', () => {
      const { window, created } = open();
      assert.equal(window.isTrustedSender(ipcEventFrom(created.webContents)), true);
      created.webContents.mainFrame = { url: 'file:///app/dist/renderer/index.html#activity', parent: null };
      assert.equal(window.isTrustedSender(ipcEventFrom(created.webContents)), true, 'the hash does not matter');
    });

    it('rejects another WebContents, another page, a subframe and a vanished frame', () => {
      const { window, created } = open();
      const other = new FakeWebContents();
      other.mainFrame = created.webContents.mainFrame;
      assert.equal(window.isTrustedSender(ipcEventFrom(other)), false, 'other web contents');
      assert.equal(window.isTrustedSender(ipcEventFrom(created.webContents, { url: 'https://evil.example/', parent: null })), false, 'remote page');
      assert.equal(window.isTrustedSender(ipcEventFrom(created.webContents, { url: 'file:///tmp/other.html', parent: null })), false, 'other file');
      assert.equal(window.isTrustedSender(ipcEventFrom(created.webContents, { url: 'file:///app/dist/renderer/index.html', parent: {} })), false, 'subframe');
      assert.equal(window.isTrustedSender({ sender: created.webContents, senderFrame: null }), false, 'no frame');
    });

    it('rejects everything once the window is closed', () => {
      const { window, created } = open();
      const event = ipcEventFrom(created.webContents);
      created.close();
      assert.equal(window.isTrustedSender(event), false);
    });
  });
});
