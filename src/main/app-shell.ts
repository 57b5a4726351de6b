/**
 * The desktop app's lifecycle, with Electron and the core passed in.
 *
 * main.ts is the composition root and hands the real `electron` module, `openCore` and the
 * settings-file backend to `runDesktopApp`; tests hand fakes. This file decides the
 * order of things: single-instance lock, core, auth server, IPC, tray, notifications, and a
 * quit that closes the core exactly once.
 */
import type { Logger } from '../core/logging/logger.js';
import type { OpenCoreOptions } from '../core/open-core.js';
import { environmentVariableFor, type SettingsBackend } from '../core/storage/settings.js';
import { SETTING_KEYS } from '../shared/settings-shape.js';
import type { TokentrayCore } from '../core/tokentray-core.js';
import type { RequestRecord, StatusReport } from '../shared/account-status.js';
import { IPC_EVENTS, type WindowView } from '../shared/ipc-contract.js';
import { isTokentrayError } from '../shared/tokentray-error.js';
import type { ElectronApi } from './electron-api.js';
import { ExternalLinks } from './external-urls.js';
import { registerIpcHandlers } from './ipc.js';
import { Notifier } from './notifier.js';
import { SignInSessions } from './sign-in-sessions.js';
import { StartAtLogin } from './start-at-login.js';
import { TrayController } from './tray.js';
import { performTrayAction, type TrayActionContext } from './tray-actions.js';
import { buildTrayModel, type TrayAction } from './tray-model.js';
import { createWindowBackend } from './window-backend.js';
import { MainWindow, type WindowPaths } from './window.js';

export const APP_USER_MODEL_ID = 'app.tokentray.desktop';
/** Rebuild the tray this often even without changes, so "valid for N min" counts down. */
export const TRAY_REFRESH_INTERVAL_MS = 30_000;
/** Request records looked at for the icon state and the "requests failing" notification. */
export const RECENT_REQUESTS_CONSIDERED = 50;

export interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface DesktopAppDeps {
  electron: ElectronApi;
  openCore(options: OpenCoreOptions): Promise<TokentrayCore>;
  /** A core driving the daemon (`tokentray serve`) that already owns `home`, or null if none. */
  attachToRunningCore?(home: string): Promise<TokentrayCore | null>;
  createSettingsBackend(userDataDir: string): SettingsBackend;
  logger: Logger;
  paths: WindowPaths & { trayIconsDir: string };
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  execPath: string;
  now(): number;
  timers: Timers;
  prefersDark?: () => boolean;
}

/** The running app's parts, returned for tests and for main.ts to keep a reference. */
export interface DesktopApp {
  core: TokentrayCore;
  window: MainWindow;
  tray: TrayController;
  signIns: SignInSessions;
  /** Rebuilds tray, notifications and the window's view from the core's current status. */
  refresh(report?: StatusReport): Promise<void>;
  /** What before-quit runs (once): stops timers and the tray, then closes the core. */
  shutdown(): Promise<void>;
}

function errorText(error: unknown): string {
  if (isTokentrayError(error)) return `${error.message}\n\n${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens the core for `home`; when `tokentray serve` already owns it, attaches to that daemon
 * instead (the tray then shows and drives the headless instance).
 */
async function openOrAttach(deps: DesktopAppDeps, home: string): Promise<TokentrayCore> {
  try {
    return await deps.openCore({ home, role: 'daemon', logger: deps.logger, settingsBackend: deps.createSettingsBackend(home) });
  } catch (error) {
    if (!isTokentrayError(error) || error.code !== 'ALREADY_RUNNING' || !deps.attachToRunningCore) throw error;
    const attached = await deps.attachToRunningCore(home);
    if (!attached) throw error;
    deps.logger.info(`attached to the tokentray already running for ${home}`);
    return attached;
  }
}

/** Starts the app; resolves to null when another instance already runs or the core cannot open. */
export async function runDesktopApp(deps: DesktopAppDeps): Promise<DesktopApp | null> {
  const { electron, logger } = deps;
  const { app } = electron;

  if (!app.requestSingleInstanceLock()) {
    logger.info('another tokentray window is already running; handing over to it');
    app.quit();
    return null;
  }

  const window = new MainWindow(electron, { paths: deps.paths, platform: deps.platform, logger: logger.child('window'), prefersDark: deps.prefersDark });
  app.on('second-instance', () => window.show());
  // macOS: opening the app again from Finder / Spotlight while it runs.
  app.on('activate', () => window.show());
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  app.dock?.hide();
  if (deps.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  const home = app.getPath('userData');
  let core: TokentrayCore;
  try {
    core = await openOrAttach(deps, home);
  } catch (error) {
    logger.error('could not open the core', { error: error instanceof Error ? error : String(error) });
    electron.dialog.showErrorBox('tokentray could not start', errorText(error));
    app.quit();
    return null;
  }

  let startError: string | null = null;
  try {
    await core.start();
  } catch (error) {
    // The tray still comes up: it shows the stopped state, and the window can fix the port.
    startError = isTokentrayError(error) ? error.message : String(error);
    logger.error('the auth server did not start', { error: error instanceof Error ? error : String(error) });
  }

  const links = new ExternalLinks((url) => electron.shell.openExternal(url), () => core.getSettings(), logger.child('links'));
  const signIns = new SignInSessions(core, (url) => links.openSignInUrl(url), (url) => links.openVerificationUrl(url));
  const startAtLogin = new StartAtLogin({ platform: deps.platform, app, env: deps.env, homeDir: deps.homeDir, execPath: deps.execPath });
  const copyText = (text: string): void => electron.clipboard.writeText(text);

  const setStartAtLogin = async (enabled: boolean): Promise<void> => {
    await startAtLogin.setEnabled(enabled);
    await core.setSetting('startAtLogin', enabled);
  };

  let notifier: Notifier | null = null;
  const actionContext: TrayActionContext = {
    api: core,
    signIns,
    copyText,
    showWindow: (view?: WindowView) => window.show(view),
    confirm: async (question) => {
      const { response } = await electron.dialog.showMessageBox({
        type: 'warning',
        buttons: [question.confirmLabel, 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        title: 'tokentray',
        message: question.message,
        detail: question.detail,
      });
      return response === 0;
    },
    setStartAtLogin,
    notify: (title, body) => notifier?.show(title, body),
    quit: () => app.quit(),
    now: deps.now,
    logger: logger.child('tray'),
  };
  const dispatch = (action: TrayAction): void => {
    void performTrayAction(action, actionContext);
  };
  notifier = new Notifier(electron, dispatch);

  const backend = createWindowBackend({
    api: core,
    signIns,
    copyText,
    openHelp: (topic) => links.openHelp(topic),
    applyStartAtLogin: (enabled) => startAtLogin.setEnabled(enabled),
    // The core in this process reads the same environment (a core attached over the control
    // channel may have its own; `tokentray config get` there names its overrides).
    overriddenSettings: () => SETTING_KEYS.filter((key) => (deps.env[environmentVariableFor(key)] ?? '') !== ''),
  });
  const unregisterIpc = registerIpcHandlers(electron.ipcMain, backend, (event) => window.isTrustedSender(event), logger.child('ipc'));
  const tray = new TrayController(electron, { iconsDir: deps.paths.trayIconsDir, platform: deps.platform, dispatch });

  // Refreshes never overlap: a change during a refresh schedules exactly one more.
  let running: Promise<void> | null = null;
  let again = false;
  const refreshOnce = async (given?: StatusReport): Promise<void> => {
    const now = deps.now();
    const [report, recent, settings] = await Promise.all([
      given ? Promise.resolve(given) : core.status(),
      core.recentRequests(RECENT_REQUESTS_CONSIDERED).catch((): RequestRecord[] => []),
      core.getSettings(),
    ]);
    const shown: StatusReport =
      startError && !report.server.running && !report.server.error ? { ...report, server: { ...report.server, error: startError } } : report;
    tray.render(buildTrayModel({ report: shown, recentRequests: recent, now, signingIn: signIns.inProgress(), startAtLogin: settings.startAtLogin }));
    notifier?.update(shown, recent, now);
    window.send(IPC_EVENTS.statusChanged, shown);
  };
  const refresh = async (given?: StatusReport): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        await refreshOnce(given);
        while (again) {
          again = false;
          await refreshOnce();
        }
      } catch (error) {
        logger.warn('could not refresh the tray', { error: error instanceof Error ? error : String(error) });
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const unsubscribe = core.onChange((report) => void refresh(report));
  const unsubscribeSignIns = signIns.onChange(() => {
    void refresh();
    // An open window shows a sign-in started from the tray (or a notification) as under way too.
    window.send(IPC_EVENTS.signInsChanged, [...signIns.inProgress()]);
  });
  // The window that asked for a device-code sign-in shows the code (it opens no browser).
  const unsubscribeDeviceCodes = signIns.onDeviceCode((id, prompt) => window.send(IPC_EVENTS.deviceCode, { id, prompt }));
  const timer = deps.timers.setInterval(() => void refresh(), TRAY_REFRESH_INTERVAL_MS);

  let shutdownPromise: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      deps.timers.clearInterval(timer);
      unsubscribe();
      unsubscribeSignIns();
      unsubscribeDeviceCodes();
      unregisterIpc();
      tray.destroy();
      await core.close();
    })();
    return shutdownPromise;
  };

  let readyToQuit = false;
  app.on('before-quit', (event) => {
    if (readyToQuit) return;
    event.preventDefault();
    shutdown()
      .catch((error: unknown) => logger.error('error while closing the core', { error: error instanceof Error ? error : String(error) }))
      .finally(() => {
        readyToQuit = true;
        app.quit();
      });
  });

  await refresh();

  try {
    const settings = await core.getSettings();
    // Re-register the login item at each start: the AppImage or install path may have moved.
    if (settings.startAtLogin) await startAtLogin.setEnabled(true);
    // First run: nothing works without an app registration (Azure's, or a Google client with
    // its secret), so show the guides.
    const googleReady = settings['google.clientId'] !== null && (await core.status()).clientSecrets?.google === true;
    if (settings.clientId === null && !googleReady) window.show('settings');
  } catch (error) {
    logger.warn('could not apply the start-up settings', { error: error instanceof Error ? error : String(error) });
  }

  return { core, window, tray, signIns, refresh, shutdown };
}
