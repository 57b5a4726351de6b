/**
 * The tokentray window: one small, locked-down BrowserWindow showing dist/renderer.
 *
 * Follows Electron's security checklist: context isolation, the sandbox, no Node in the page,
 * web security on, no webview, navigation and new windows refused, every permission request
 * denied. Only the local file is ever loaded; the page talks to main through the preload.
 */
import { pathToFileURL } from 'node:url';
import type { Logger } from '../core/logging/logger.js';
import { IPC_EVENTS, type IpcEventPayloads, type WindowView } from '../shared/ipc-contract.js';
import type { BrowserWindowLike, ElectronApi, IpcInvokeEventLike, WindowOptions } from './electron-api.js';

export const WINDOW_WIDTH_PX = 420;
export const WINDOW_HEIGHT_PX = 560;
export const WINDOW_MIN_WIDTH_PX = 360;
export const WINDOW_MIN_HEIGHT_PX = 440;

export interface WindowPaths {
  /** dist/preload/preload.cjs (CommonJS: sandboxed preloads cannot be ES modules). */
  preload: string;
  /** dist/renderer/index.html */
  indexHtml: string;
}

export function windowOptions(paths: WindowPaths, prefersDark: boolean): WindowOptions {
  return {
    width: WINDOW_WIDTH_PX,
    height: WINDOW_HEIGHT_PX,
    minWidth: WINDOW_MIN_WIDTH_PX,
    minHeight: WINDOW_MIN_HEIGHT_PX,
    show: false,
    title: 'tokentray',
    autoHideMenuBar: true,
    // Matches the page background so the first frame does not flash white in dark mode.
    backgroundColor: prefersDark ? '#17191c' : '#f6f7f9',
    webPreferences: {
      preload: paths.preload,
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
    },
  };
}

/** The page URL without hash or query, as Chromium reports it for a loaded file. */
function documentUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    parsed.search = '';
    return parsed.href;
  } catch {
    return null;
  }
}

export class MainWindow {
  readonly #electron: Pick<ElectronApi, 'BrowserWindow'>;
  readonly #paths: WindowPaths;
  readonly #platform: NodeJS.Platform;
  readonly #logger: Logger;
  readonly #prefersDark: () => boolean;
  readonly #expectedUrl: string;
  #window: BrowserWindowLike | null = null;

  constructor(
    electron: Pick<ElectronApi, 'BrowserWindow'>,
    options: { paths: WindowPaths; platform: NodeJS.Platform; logger: Logger; prefersDark?: () => boolean },
  ) {
    this.#electron = electron;
    this.#paths = options.paths;
    this.#platform = options.platform;
    this.#logger = options.logger;
    this.#prefersDark = options.prefersDark ?? (() => false);
    this.#expectedUrl = pathToFileURL(options.paths.indexHtml).href;
  }

  /** The live window, if one is open. */
  get window(): BrowserWindowLike | null {
    return this.#window && !this.#window.isDestroyed() ? this.#window : null;
  }

  /** Opens (or focuses) the window, on the given section. */
  show(view?: WindowView): void {
    const existing = this.window;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      if (view) this.send(IPC_EVENTS.showView, view);
      return;
    }
    const window = this.#create();
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.loadFile(this.#paths.indexHtml, view ? { hash: view } : undefined).catch((error: unknown) => {
      this.#logger.error('could not load the window', { error: error instanceof Error ? error : String(error) });
    });
  }

  send<E extends keyof IpcEventPayloads>(event: E, payload: IpcEventPayloads[E]): void {
    const window = this.window;
    if (window && !window.webContents.isDestroyed()) window.webContents.send(event, payload);
  }

  /**
   * True only for messages from our own window's top frame showing our own page.
   *
   * Checks both the WebContents (another window, a devtools extension) and the frame URL
   * (an iframe, or the page after an unexpected navigation).
   */
  isTrustedSender(event: IpcInvokeEventLike): boolean {
    const window = this.window;
    if (!window || event.sender !== window.webContents) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent) return false;
    return documentUrl(frame.url) === this.#expectedUrl;
  }

  #create(): BrowserWindowLike {
    const window = new this.#electron.BrowserWindow(windowOptions(this.#paths, this.#prefersDark()));
    // No application menu on Windows/Linux; macOS keeps the default one for Edit shortcuts.
    if (this.#platform !== 'darwin') window.removeMenu();
    const contents = window.webContents;
    contents.on('will-navigate', (event) => {
      event.preventDefault();
      this.#logger.warn('blocked a navigation away from the app page', { url: event.url ?? null });
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      this.#logger.warn('blocked a new window', { url });
      return { action: 'deny' };
    });
    contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    contents.session.setPermissionCheckHandler(() => false);
    window.on('closed', () => {
      if (this.#window === window) this.#window = null;
    });
    this.#window = window;
    return window;
  }
}
