/**
 * Where tokentray keeps its data directory.
 *
 * The default is the same folder Electron's `app.getPath('userData')` gives an app named
 * "tokentray", so the tray app and the command line share one settings file and one vault.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'tokentray';

export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TOKENTRAY_HOME) return env.TOKENTRAY_HOME;
  switch (platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
  }
}

/** The files inside a data directory (settings.ts names the settings file, config.json). */
export function dataFiles(home: string): { vault: string; lock: string; log: string } {
  return {
    vault: join(home, 'vault.bin'),
    lock: join(home, 'tokentray.lock'),
    log: join(home, 'tokentray.log'),
  };
}
