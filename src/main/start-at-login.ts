/**
 * "Start at login": a login item on macOS and Windows, an XDG autostart entry on Linux.
 *
 * Electron's setLoginItemSettings does nothing on Linux, so there we write
 * ~/.config/autostart/tokentray.desktop ($XDG_CONFIG_HOME respected). For an AppImage the
 * entry must start the .AppImage file ($APPIMAGE), not the binary inside its temporary mount.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/storage/atomic-file.js';
import type { AppLike } from './electron-api.js';

export const AUTOSTART_FILE_NAME = 'tokentray.desktop';

/**
 * Quotes one Exec argument as the Desktop Entry spec asks.
 *
 * Reserved characters force "…" quoting with \\ " ` $ backslash-escaped; then the string-value
 * escape doubles every backslash again (the spec's "four backslashes" rule), and % is doubled
 * because it starts a field code.
 */
export function quoteExecArgument(arg: string): string {
  const text = arg.replace(/%/g, '%%');
  if (text !== '' && !/[\s"'\\`$<>~|&;*?#()]/.test(text)) return text;
  return `"${text.replace(/(["`$\\])/g, '\\$1')}"`.replace(/\\/g, '\\\\');
}

export function linuxAutostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=tokentray',
    'Comment=Keeps Outlook / Microsoft 365 tokens fresh for EmailEngine',
    `Exec=${command.map(quoteExecArgument).join(' ')}`,
    'Icon=tokentray',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  app: Pick<AppLike, 'setLoginItemSettings' | 'getLoginItemSettings' | 'isPackaged' | 'getAppPath'>;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  execPath: string;
}

export class StartAtLogin {
  readonly #options: StartAtLoginOptions;

  constructor(options: StartAtLoginOptions) {
    this.#options = options;
  }

  /** The autostart file on Linux. */
  get autostartFile(): string {
    const configHome = this.#options.env.XDG_CONFIG_HOME || join(this.#options.homeDir, '.config');
    return join(configHome, 'autostart', AUTOSTART_FILE_NAME);
  }

  /** The command that starts this app: the AppImage, the packaged binary, or electron + app dir in development. */
  launchCommand(): string[] {
    const { env, app, execPath } = this.#options;
    if (env.APPIMAGE) return [env.APPIMAGE];
    return app.isPackaged ? [execPath] : [execPath, app.getAppPath()];
  }

  isEnabled(): boolean {
    if (this.#options.platform === 'linux') return existsSync(this.autostartFile);
    return this.#options.app.getLoginItemSettings().openAtLogin;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const { platform, app } = this.#options;
    if (platform === 'darwin' || platform === 'win32') {
      app.setLoginItemSettings({ openAtLogin: enabled });
      return;
    }
    const file = this.autostartFile;
    if (!enabled) {
      await rm(file, { force: true });
      return;
    }
    await mkdir(join(file, '..'), { recursive: true });
    // Atomically: a crash mid-write must not leave a half entry the session manager chokes
    // on, and a link planted at the name is replaced, not written through.
    await writeFileAtomic(file, linuxAutostartEntry(this.launchCommand()), 0o644);
  }
}
