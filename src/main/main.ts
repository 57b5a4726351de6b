/**
 * The desktop app's composition root: the only module that imports `electron`.
 *
 * Builds the real parts (Electron APIs, the settings file, the core, file paths) and
 * hands them to runDesktopApp. Nothing here is a module-level singleton used elsewhere.
 */
import { BrowserWindow, Menu, Notification, Tray, app, clipboard, dialog, ipcMain, nativeTheme, shell } from 'electron';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createFileSink, teeSinks } from '../core/logging/log-file.js';
import { createLogger } from '../core/logging/logger.js';
import { dataFiles } from '../core/storage/paths.js';
import { createConfBackend } from '../core/storage/settings.js';
import { openCore } from '../core/open-core.js';
import { hardenProcess } from '../core/process-hardening.js';
import { installProcessGuard } from '../core/process-guard.js';
import { RemoteCore, connectToDaemon } from '../core/control/remote-core.js';
import { runDesktopApp } from './app-shell.js';
import type { ElectronApi } from './electron-api.js';

const fromHere = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

// First, before the log file or any secret exists: umask 077 and no core dumps.
const hardening = hardenProcess();

const electron: ElectronApi = { app, BrowserWindow, ipcMain, shell, Menu, Tray, Notification, clipboard, dialog };
// A desktop app's stderr is seen by nobody: log (redacted) to <userData>/tokentray.log too.
const logger = createLogger({
  component: 'desktop',
  level: process.env.TOKENTRAY_DEBUG ? 'debug' : 'info',
  sink: teeSinks((line) => process.stderr.write(`${line}\n`), createFileSink(dataFiles(app.getPath('userData')).log)),
});

for (const warning of hardening.warnings) logger.warn(warning);
// Faults nobody caught are logged (redacted) and survived; repeated ones quit the app the
// normal way (before-quit closes the core: socket removed, lock released).
installProcessGuard({
  logger: logger.child('guard'),
  cleanup: () =>
    new Promise<void>((resolve) => {
      app.once('will-quit', () => resolve());
      app.quit();
    }),
  exit: (code) => app.exit(code),
});

runDesktopApp({
  electron,
  openCore,
  attachToRunningCore: async (home) => {
    const client = await connectToDaemon(home);
    return client ? new RemoteCore(client) : null;
  },
  // Not electron-store: its writer follows a symbolic link planted as config.json.
  createSettingsBackend: createConfBackend,
  logger,
  paths: {
    // dist/main/main.js → dist/preload/preload.cjs (esbuild bundle), dist/renderer/index.html
    preload: fromHere('../preload/preload.cjs'),
    indexHtml: fromHere('../renderer/index.html'),
    // Copied from build/tray/ by scripts/build-renderer.mjs.
    trayIconsDir: fromHere('../tray/'),
  },
  platform: process.platform,
  env: process.env,
  homeDir: homedir(),
  execPath: process.execPath,
  now: () => Date.now(),
  timers: { setInterval: (callback, ms) => setInterval(callback, ms), clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout) },
  prefersDark: () => nativeTheme.shouldUseDarkColors,
}).catch((error: unknown) => {
  logger.error('tokentray failed to start', { error: error instanceof Error ? error : String(error) });
  app.exit(1);
});
