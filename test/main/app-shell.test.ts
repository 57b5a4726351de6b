import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logging/logger.js';
import type { OpenCoreOptions } from '../../src/core/open-core.js';
import type { SettingsBackend } from '../../src/core/storage/settings.js';
import { APP_USER_MODEL_ID, TRAY_REFRESH_INTERVAL_MS, runDesktopApp, type DesktopApp } from '../../src/main/app-shell.js';
import type { MenuItemOptions } from '../../src/main/electron-api.js';
import { IPC_EVENTS } from '../../src/shared/ipc-contract.js';
import type { Settings } from '../../src/shared/settings-shape.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { createFakeElectron, type FakeElectron } from '../fakes/fake-electron.js';
import { FakeTokentrayCore, fakeAccount } from '../fakes/fake-tokentray-api.js';

const temp = mkdtempSync(join(tmpdir(), 'tokentray-shell-'));
after(() => rmSync(temp, { recursive: true, force: true }));

interface Harness {
  electron: FakeElectron;
  core: FakeTokentrayCore;
  openCoreCalls: OpenCoreOptions[];
  backendDirs: string[];
  intervals: Array<{ callback: () => void; ms: number; cleared: boolean }>;
  homeDir: string;
  started: Promise<DesktopApp | null>;
}

function launch(
  options: { platform?: NodeJS.Platform; settings?: Partial<Settings>; core?: FakeTokentrayCore; openCoreError?: unknown; lock?: boolean; runningCore?: FakeTokentrayCore } = {},
): Harness {
  const platform = options.platform ?? 'linux';
  const electron = createFakeElectron({ platform, userData: join(temp, 'userData') });
  electron.app.lockGranted = options.lock ?? true;
  const core = options.core ?? new FakeTokentrayCore({ settings: options.settings });
  const openCoreCalls: OpenCoreOptions[] = [];
  const backendDirs: string[] = [];
  const intervals: Harness['intervals'] = [];
  const backend: SettingsBackend = { get: () => undefined, set: () => undefined };
  const homeDir = mkdtempSync(join(temp, 'home-'));
  const started = runDesktopApp({
    electron,
    openCore: async (opts) => {
      openCoreCalls.push(opts);
      if (options.openCoreError) throw options.openCoreError;
      return core;
    },
    attachToRunningCore: async () => options.runningCore ?? null,
    createSettingsBackend: (dir) => {
      backendDirs.push(dir);
      return backend;
    },
    logger: silentLogger,
    paths: { preload: '/app/dist/preload/preload.cjs', indexHtml: '/app/dist/renderer/index.html', trayIconsDir: '/app/dist/tray' },
    platform,
    env: {},
    homeDir,
    execPath: '/opt/tokentray/tokentray',
    now: () => Date.now(),
    timers: {
      setInterval: (callback, ms) => {
        const entry = { callback, ms, cleared: false };
        intervals.push(entry);
        return entry;
      },
      clearInterval: (handle) => void ((handle as { cleared: boolean }).cleared = true),
    },
  });
  electron.app.ready();
  return { electron, core, openCoreCalls, backendDirs, intervals, homeDir, started };
}

function menuItem(electron: FakeElectron, label: string): MenuItemOptions {
  const search = (items: MenuItemOptions[]): MenuItemOptions | null => {
    for (const item of items) {
      if (item.label === label) return item;
      const inner = item.submenu ? search(item.submenu) : null;
      if (inner) return inner;
    }
    return null;
  };
  const found = search(electron.trays[0]?.menu?.template ?? []);
  assert.ok(found, `menu item ${label}`);
  return found;
}

describe('desktop app lifecycle', () => {
  it('hands over to the running instance when the single-instance lock is taken', async () => {
    const { electron, openCoreCalls, started } = launch({ lock: false });
    assert.equal(await started, null);
    assert.equal(electron.app.quitRequests, 1);
    assert.equal(openCoreCalls.length, 0);
    assert.equal(electron.trays.length, 0);
  });

  it('opens the core as the daemon on userData with the electron-store backend, starts it, and shows the tray', async () => {
    const { electron, core, openCoreCalls, backendDirs, started } = launch();
    const app = await started;
    assert.ok(app);
    assert.equal(openCoreCalls.length, 1);
    assert.equal(openCoreCalls[0]!.home, electron.app.userData);
    assert.equal(openCoreCalls[0]!.role, 'daemon');
    assert.deepEqual(backendDirs, [electron.app.userData]);
    assert.ok(openCoreCalls[0]!.settingsBackend);
    assert.equal(core.startCalls, 1);
    assert.equal(electron.trays.length, 1);
    assert.equal(electron.trays[0]!.image, '/app/dist/tray/tray-ok.png');
    assert.equal(electron.trays[0]!.toolTip, 'tokentray — no accounts connected');
    assert.ok(electron.trays[0]!.menuSets >= 1);
    assert.equal(electron.windows.length, 0, 'no window unless asked (or first run)');
    assert.equal(electron.app.listenerCount('window-all-closed'), 1, 'closing the window does not quit');
  });

  it('hides the Dock icon on macOS and sets the AppUserModelID on Windows', async () => {
    const mac = launch({ platform: 'darwin' });
    await mac.started;
    assert.equal(mac.electron.app.dock?.hidden, true);
    assert.equal(mac.electron.trays[0]!.image, '/app/dist/tray/tray-okTemplate.png');
    const win = launch({ platform: 'win32' });
    await win.started;
    assert.equal(win.electron.app.appUserModelId, APP_USER_MODEL_ID);
    assert.equal(win.electron.trays[0]!.image, '/app/dist/tray/tray-ok.ico');
  });

  it('focuses the window when a second instance starts', async () => {
    const { electron, started } = launch();
    await started;
    electron.app.emit('second-instance');
    assert.equal(electron.windows.length, 1);
    electron.windows[0]!.emit('ready-to-show');
    electron.app.emit('second-instance');
    assert.equal(electron.windows.length, 1);
    assert.ok(electron.windows[0]!.focused >= 2);
  });

  it('rebuilds the tray on every change and on the countdown timer, and pushes the status to the window', async () => {
    const { electron, core, intervals, started } = launch();
    const app = (await started)!;
    electron.app.emit('second-instance'); // open the window
    const tray = electron.trays[0]!;
    const before = tray.menuSets;
    core.addAccount(fakeAccount('sales'));
    await app.refresh();
    assert.ok(tray.menuSets > before, 'menu set again (AppIndicator needs it)');
    assert.ok(menuItem(electron, 'Copy account id'));
    const sent = electron.windows[0]!.webContents.sent.filter((message) => message.channel === IPC_EVENTS.statusChanged);
    assert.deepEqual((sent.at(-1)!.args[0] as { accounts: Array<{ id: string }> }).accounts.map((a) => a.id), ['sales']);
    const timer = intervals.find((entry) => entry.ms === TRAY_REFRESH_INTERVAL_MS);
    assert.ok(timer);
    const count = tray.menuSets;
    timer.callback();
    await app.refresh();
    assert.ok(tray.menuSets > count);
  });

  it('closes the core exactly once before quitting', async () => {
    const { electron, core, intervals, started } = launch();
    await started;
    electron.app.quit();
    assert.equal(electron.app.exited, false, 'the first quit waits for the core');
    electron.app.quit();
    await until(() => electron.app.exited);
    assert.equal(core.closeCalls, 1);
    assert.equal(electron.app.exited, true);
    assert.equal(electron.trays[0]!.destroyed, true);
    assert.ok(intervals.every((entry) => entry.cleared));
    assert.equal(electron.ipcMain.handlers.size, 0);
  });

  it('explains why it cannot start when the core cannot open, then quits', async () => {
    const error = new TokentrayError('ALREADY_RUNNING', 'tokentray is already running for this data directory (pid 4242).');
    const { electron, started } = launch({ openCoreError: error });
    assert.equal(await started, null);
    assert.equal(electron.errorBoxes.length, 1);
    assert.match(electron.errorBoxes[0]!.content, /pid 4242[\s\S]*stop it first/);
    assert.equal(electron.app.quitRequests, 1);
  });

  it('attaches to a running `tokentray serve` instead of refusing to start', async () => {
    const error = new TokentrayError('ALREADY_RUNNING', 'tokentray is already running for this data directory (pid 4242).');
    const daemon = new FakeTokentrayCore();
    const { electron, started } = launch({ openCoreError: error, runningCore: daemon });
    const app = await started;
    assert.ok(app);
    assert.equal(app.core, daemon);
    assert.equal(electron.errorBoxes.length, 0);
    assert.equal(electron.trays.length, 1);
  });

  it('stays up with the stopped icon and a notification when the auth server cannot start', async () => {
    const core = new FakeTokentrayCore();
    core.startError = new TokentrayError('PORT_IN_USE', 'Port 7411 is already in use.');
    const { electron, started } = launch({ core });
    assert.ok(await started);
    assert.equal(electron.trays[0]!.image, '/app/dist/tray/tray-stopped.png');
    assert.match(electron.trays[0]!.toolTip, /auth server stopped: Port 7411 is already in use/);
    assert.deepEqual(electron.notifications.map((n) => n.options.title), ['tokentray: the auth server could not start']);
  });

  it('opens the setup guide on first run', async () => {
    const { electron, started } = launch({ settings: { clientId: null } });
    await started;
    assert.equal(electron.windows.length, 1);
    assert.deepEqual(electron.windows[0]!.loaded[0]!.options, { hash: 'settings' });
  });

  it('does not open the setup guide when Google alone is set up', async () => {
    const core = new FakeTokentrayCore({ settings: { clientId: null, 'google.clientId': '1234567890-abcdefghijklmnop.apps.googleusercontent.com' } });
    await core.setClientSecret('google', 'GOCSPX-app-shell-test-secret-01');
    const { electron, started } = launch({ core });
    await started;
    assert.equal(electron.windows.length, 0, 'Gmail accounts can be connected: no first-run guide');
  });

  it('notifies once when an account needs sign-in; a click starts the sign-in in the browser', async () => {
    const core = new FakeTokentrayCore({ accounts: [fakeAccount('sales')] });
    const { electron, started } = launch({ core });
    const app = (await started)!;
    core.revoke('sales');
    await app.refresh();
    await app.refresh();
    const notices = electron.notifications.filter((n) => n.options.title === 'sales needs sign-in');
    assert.equal(notices.length, 1, 'not repeated for the same cause');
    assert.equal(electron.trays[0]!.image, '/app/dist/tray/tray-attention.png');
    notices[0]!.click();
    const { authorizeUrl } = await core.waitForSignIn('sales');
    assert.deepEqual(electron.openedUrls, [authorizeUrl]);
    await app.refresh();
    assert.ok(menuItem(electron, 'Cancel sign-in'), 'the tray says the sign-in is under way');
    core.completeSignIn('sales');
    await until(() => electron.notifications.some((n) => n.options.title === 'sales is signed in'));
    await app.refresh();
    assert.equal(electron.trays[0]!.image, '/app/dist/tray/tray-ok.png');
  });

  it('tells an open window of each sign-in under way that did not start there, and of its end', async () => {
    const core = new FakeTokentrayCore({ accounts: [fakeAccount('sales')] });
    const { electron, started } = launch({ core });
    const app = (await started)!;
    electron.app.emit('second-instance'); // open the window
    core.revoke('sales');
    await app.refresh();
    electron.notifications.find((n) => n.options.title === 'sales needs sign-in')!.click();
    await core.waitForSignIn('sales');
    const underWay = (): unknown[] => electron.windows[0]!.webContents.sent.filter((m) => m.channel === IPC_EVENTS.signInsChanged).map((m) => m.args[0]);
    assert.deepEqual(underWay(), [['sales']]);
    core.completeSignIn('sales');
    await until(() => underWay().length === 2);
    assert.deepEqual(underWay(), [['sales'], []]);
  });

  it('wires tray clicks: Connect account… opens the window on Connect, Copy EmailEngine URL copies', async () => {
    const { electron, core, started } = launch();
    await started;
    menuItem(electron, 'Connect account…').click?.();
    assert.deepEqual(electron.windows[0]!.loaded[0]!.options, { hash: 'connect' });
    menuItem(electron, 'Copy EmailEngine URL').click?.();
    await until(() => electron.clipboardText.length > 0);
    assert.deepEqual(electron.clipboardText, [await core.serverUrl()]);
  });

  it('registers the Linux autostart entry when "Start at login" is ticked', async () => {
    const { electron, core, homeDir, started } = launch();
    const app = (await started)!;
    menuItem(electron, 'Start at login').click?.();
    await until(() => core.settings.startAtLogin);
    assert.equal(existsSync(join(homeDir, '.config', 'autostart', 'tokentray.desktop')), true);
    await app.refresh();
    assert.equal(menuItem(electron, 'Start at login').checked, true);
    menuItem(electron, 'Start at login').click?.();
    await until(() => !core.settings.startAtLogin);
    assert.equal(existsSync(join(homeDir, '.config', 'autostart', 'tokentray.desktop')), false);
  });
});

/** Waits (briefly) for background work started by a click; fails instead of hanging. */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
