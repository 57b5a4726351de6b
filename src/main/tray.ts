/**
 * The tray icon: turns a TrayModel into Electron's Tray and Menu, nothing more.
 *
 * The context menu is set again on every render because Linux AppIndicator only picks up a
 * changed menu through a new setContextMenu call.
 */
import { join } from 'node:path';
import type { ElectronApi, MenuItemOptions, TrayLike } from './electron-api.js';
import type { TrayAction, TrayIconState, TrayMenuItem, TrayModel } from './tray-model.js';

/**
 * The icon file for a state. macOS gets black-and-alpha template images (the system tints
 * them for light and dark menu bars; "@2x" is picked up automatically), Windows an ICO with
 * several sizes, Linux a coloured PNG that reads on light and dark panels.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return `tray-${state}Template.png`;
    case 'win32':
      return `tray-${state}.ico`;
    default:
      return `tray-${state}.png`;
  }
}

export function toMenuTemplate(items: readonly TrayMenuItem[], dispatch: (action: TrayAction) => void): MenuItemOptions[] {
  return items.map((item): MenuItemOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, click: () => dispatch(item.action) };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => dispatch(item.action) };
      case 'submenu':
        return { label: item.label, submenu: toMenuTemplate(item.items, dispatch) };
    }
  });
}

export class TrayController {
  readonly #electron: Pick<ElectronApi, 'Tray' | 'Menu'>;
  readonly #iconsDir: string;
  readonly #platform: NodeJS.Platform;
  readonly #dispatch: (action: TrayAction) => void;
  #tray: TrayLike | null = null;
  #icon: TrayIconState | null = null;

  constructor(
    electron: Pick<ElectronApi, 'Tray' | 'Menu'>,
    options: { iconsDir: string; platform: NodeJS.Platform; dispatch: (action: TrayAction) => void },
  ) {
    this.#electron = electron;
    this.#iconsDir = options.iconsDir;
    this.#platform = options.platform;
    this.#dispatch = options.dispatch;
  }

  render(model: TrayModel): void {
    const path = join(this.#iconsDir, trayIconFile(model.icon, this.#platform));
    if (!this.#tray) {
      this.#tray = new this.#electron.Tray(path);
      // Windows users expect a left click to open the app; elsewhere a click opens the menu.
      if (this.#platform === 'win32') this.#tray.on('click', () => this.#dispatch({ kind: 'open-window' }));
    } else if (model.icon !== this.#icon) {
      this.#tray.setImage(path);
    }
    this.#icon = model.icon;
    this.#tray.setToolTip(model.tooltip);
    this.#tray.setContextMenu(this.#electron.Menu.buildFromTemplate(toMenuTemplate(model.menu, this.#dispatch)));
  }

  destroy(): void {
    this.#tray?.destroy();
    this.#tray = null;
  }
}
