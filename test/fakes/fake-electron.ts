/**
 * A recording stand-in for the slice of Electron in src/main/electron-api.ts.
 *
 * Each `createFakeElectron()` is independent: windows, trays, notifications, IPC handlers,
 * opened URLs and clipboard text are recorded per instance, and a test can fire the events
 * Electron would (`window.webContents.emit('will-navigate', event)`, `app.emit('second-instance')`).
 */
import type {
  AppLike,
  BrowserWindowLike,
  ElectronApi,
  FrameLike,
  IpcInvokeEventLike,
  IpcMainLike,
  LoginItemSettingsInput,
  MenuItemOptions,
  MessageBoxInput,
  NotificationLike,
  SessionLike,
  TrayLike,
  WebContentsLike,
  WindowOpenDetails,
  WindowOptions,
} from '../../src/main/electron-api.js';

type Listener = (...args: never[]) => unknown;

export class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== wrapped));
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => unknown)(...args);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url?: string) {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeSession implements SessionLike {
  permissionRequestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((webContents: unknown, permission: string) => boolean) | null = null;
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void {
    this.permissionCheckHandler = handler;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends FakeEmitter implements WebContentsLike {
  readonly id = nextWebContentsId++;
  readonly session = new FakeSession();
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: WindowOpenDetails) => { action: 'deny' }) | null = null;
  destroyed = false;
  /** The frame the page runs in; tests point its url at the loaded file. */
  mainFrame: FrameLike = { url: 'about:blank', parent: null };

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends FakeEmitter implements BrowserWindowLike {
  readonly webContents = new FakeWebContents();
  readonly loaded: Array<{ path: string; options?: { hash?: string } }> = [];
  shown = 0;
  focused = 0;
  minimized = false;
  destroyed = false;
  menuRemoved = false;

  constructor(readonly options: WindowOptions) {
    super();
  }
  async loadFile(path: string, options?: { hash?: string }): Promise<void> {
    this.loaded.push({ path, options });
    this.webContents.mainFrame = { url: `file://${path}${options?.hash ? `#${options.hash}` : ''}`, parent: null };
  }
  show(): void {
    this.shown += 1;
  }
  focus(): void {
    this.focused += 1;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  /** What the user closing the window does. */
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();

  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    // Like Electron: a second handler for one channel is an error.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke does in the page: runs the handler with the given sender. */
  async invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    // IPC copies arguments and results with structured clone, dropping prototypes and functions.
    const result = await handler(event, ...structuredClone(args));
    return structuredClone(result);
  }
}

export class FakeTray extends FakeEmitter implements TrayLike {
  readonly images: string[];
  toolTip = '';
  menu: { template: MenuItemOptions[] } | null = null;
  menuSets = 0;
  destroyed = false;

  constructor(image: string) {
    super();
    this.images = [image];
  }
  get image(): string {
    return this.images.at(-1)!;
  }
  setImage(image: string): void {
    this.images.push(image);
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu as { template: MenuItemOptions[] };
    this.menuSets += 1;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeNotification extends FakeEmitter implements NotificationLike {
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  click(): void {
    this.emit('click');
  }
}

export class FakeApp extends FakeEmitter implements AppLike {
  lockGranted = true;
  quitRequests = 0;
  /** True once a quit went through (before-quit not prevented). */
  exited = false;
  isPackaged = false;
  dock: { hidden: boolean; hide(): void } | undefined;
  appUserModelId: string | null = null;
  loginItem: LoginItemSettingsInput = { openAtLogin: false };
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;

  constructor(
    readonly userData: string,
    platform: NodeJS.Platform,
    readonly appPath = '/opt/tokentray/resources/app.asar',
  ) {
    super();
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.dock = platform === 'darwin' ? { hidden: false, hide: () => void (this.dock!.hidden = true) } : undefined;
  }

  requestSingleInstanceLock(): boolean {
    return this.lockGranted;
  }
  quit(): void {
    this.quitRequests += 1;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.exited = true;
  }
  whenReady(): Promise<void> {
    return this.#ready;
  }
  /** Fires "ready" (the app waits on whenReady()). */
  ready(): void {
    this.#resolveReady();
  }
  getPath(name: 'userData'): string {
    if (name !== 'userData') throw new Error(`unexpected getPath(${String(name)})`);
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  setLoginItemSettings(settings: LoginItemSettingsInput): void {
    this.loginItem = { ...settings };
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItem.openAtLogin };
  }
}

export interface FakeElectron extends ElectronApi {
  app: FakeApp;
  ipcMain: FakeIpcMain;
  windows: FakeBrowserWindow[];
  trays: FakeTray[];
  notifications: FakeNotification[];
  openedUrls: string[];
  clipboardText: string[];
  messageBoxes: MessageBoxInput[];
  errorBoxes: Array<{ title: string; content: string }>;
  /** Answers for the next showMessageBox calls (button index); default 1 = Cancel. */
  messageBoxAnswers: number[];
}

export function createFakeElectron(options: { userData?: string; platform?: NodeJS.Platform } = {}): FakeElectron {
  const windows: FakeBrowserWindow[] = [];
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const openedUrls: string[] = [];
  const clipboardText: string[] = [];
  const messageBoxes: MessageBoxInput[] = [];
  const errorBoxes: Array<{ title: string; content: string }> = [];
  const messageBoxAnswers: number[] = [];

  class RecordedWindow extends FakeBrowserWindow {
    constructor(windowOptions: WindowOptions) {
      super(windowOptions);
      windows.push(this);
    }
  }
  class RecordedTray extends FakeTray {
    constructor(image: string) {
      super(image);
      trays.push(this);
    }
  }
  class RecordedNotification extends FakeNotification {
    static isSupported(): boolean {
      return true;
    }
    constructor(notificationOptions: { title: string; body: string }) {
      super(notificationOptions);
      notifications.push(this);
    }
  }

  return {
    app: new FakeApp(options.userData ?? '/home/user/.config/tokentray', options.platform ?? 'linux'),
    BrowserWindow: RecordedWindow,
    ipcMain: new FakeIpcMain(),
    shell: {
      openExternal: async (url: string) => {
        openedUrls.push(url);
      },
    },
    Menu: { buildFromTemplate: (template: MenuItemOptions[]) => ({ template }) },
    Tray: RecordedTray,
    Notification: RecordedNotification,
    clipboard: { writeText: (text: string) => void clipboardText.push(text) },
    dialog: {
      showMessageBox: async (input: MessageBoxInput) => {
        messageBoxes.push(input);
        return { response: messageBoxAnswers.shift() ?? input.cancelId };
      },
      showErrorBox: (title: string, content: string) => void errorBoxes.push({ title, content }),
    },
    windows,
    trays,
    notifications,
    openedUrls,
    clipboardText,
    messageBoxes,
    errorBoxes,
    messageBoxAnswers,
  };
}

/** An IPC event as Electron builds it for a message from `window`'s page (or another sender). */
export function ipcEventFrom(webContents: FakeWebContents, frame: FrameLike = webContents.mainFrame): IpcInvokeEventLike {
  return { sender: webContents, senderFrame: frame };
}
