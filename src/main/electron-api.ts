/**
 * The slice of Electron the desktop shell uses, as small structural interfaces.
 *
 * The composition root (main.ts) passes the real `electron` module, and the compiler checks
 * that it fits these shapes; tests pass test/fakes/fake-electron.ts instead. Nothing outside
 * main.ts imports `electron`, so every other module of the shell
 * loads in plain Node, where `import 'electron'` would crash.
 */

/** An Electron event whose default can be prevented (before-quit, will-navigate, …). */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface LoginItemSettingsInput {
  openAtLogin: boolean;
  path?: string;
  args?: string[];
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  whenReady(): Promise<void>;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  readonly isPackaged: boolean;
  /** macOS only; undefined elsewhere. */
  readonly dock?: { hide(): void } | undefined;
  setAppUserModelId(id: string): void;
  setLoginItemSettings(settings: LoginItemSettingsInput): void;
  getLoginItemSettings(): { openAtLogin: boolean };
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
}

export interface WindowPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  spellcheck: boolean;
  navigateOnDragDrop: boolean;
}

export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  autoHideMenuBar: boolean;
  backgroundColor: string;
  webPreferences: WindowPreferences;
}

export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export interface WindowOpenDetails {
  url: string;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export interface WebContentsLike {
  readonly id: number;
  readonly session: SessionLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent & { url?: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent & { url?: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadFile(path: string, options?: { hash?: string }): Promise<void>;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  removeMenu(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface IpcInvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** A menu item as Menu.buildFromTemplate takes it (the subset the tray uses). */
export interface MenuItemOptions {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemOptions[];
  click?: () => void;
}

export interface TrayLike {
  setImage(image: string): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

export interface MessageBoxInput {
  type: 'none' | 'info' | 'error' | 'question' | 'warning';
  buttons: string[];
  defaultId: number;
  cancelId: number;
  title: string;
  message: string;
  detail: string;
}

export interface ElectronApi {
  app: AppLike;
  BrowserWindow: new (options: WindowOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  shell: { openExternal(url: string): Promise<void> };
  Menu: { buildFromTemplate(template: MenuItemOptions[]): unknown };
  /** Tray images are passed as file paths; names ending in "Template" are macOS template images. */
  Tray: new (image: string) => TrayLike;
  Notification: { isSupported(): boolean } & (new (options: { title: string; body: string }) => NotificationLike);
  clipboard: { writeText(text: string): void };
  dialog: {
    showMessageBox(options: MessageBoxInput): Promise<{ response: number }>;
    showErrorBox(title: string, content: string): void;
  };
}
