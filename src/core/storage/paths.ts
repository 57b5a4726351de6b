/**
 * Where tokentray keeps its data directory, and the checks that make it safe to use.
 *
 * The default is the same folder Electron's `app.getPath('userData')` gives an app named
 * "tokentray", so the tray app and the command line share one settings file and one vault.
 */
import { chmodSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { OWNER_ONLY_DIRECTORY_MODE, currentUid, translateDiskFull, unsafeFile } from './file-safety.js';

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

const STICKY_BIT = 0o1000;

/**
 * Checks that only this user (and root) can rename or replace what is inside `directory`.
 *
 * A folder above the data directory that another user owns, or that anyone may write
 * without the sticky bit (which /tmp has), lets that user move the data directory away and
 * put their own in its place. Group-writable folders are accepted: with per-user groups
 * (the Debian and Fedora default) the group is the user alone.
 */
export function assertAncestorsSafe(directory: string, uid: number): void {
  for (let current = dirname(directory), previous = directory; current !== previous; previous = current, current = dirname(current)) {
    const stats = lstatSync(current);
    if (stats.uid !== uid && stats.uid !== 0) throw unsafeFile(directory, `the folder ${current} above it belongs to another user (uid ${stats.uid}), who could replace it`);
    if ((stats.mode & 0o002) !== 0 && (stats.mode & STICKY_BIT) === 0) throw unsafeFile(directory, `the folder ${current} above it is writable by every user`);
  }
}

/**
 * Creates the data directory, or makes an existing one owner-only (0700), on every start.
 *
 * Refuses a directory that belongs to another user (DATA_DIR_UNSAFE, saying how to fix it)
 * instead of handing that user our secrets. A data directory that is itself a symbolic link
 * (a dotfile manager's doing) is followed once and its target checked the same way.
 * Returns the checked real path.
 *
 * Blocking calls on purpose: a handful of metadata calls on local folders cost microseconds
 * each, a promise-based call a round trip through libuv's thread pool, and every command runs
 * this before anything else (`tokentray token` spent about 5 ms here, waiting).
 */
export async function ensureDataDirectory(home: string): Promise<string> {
  try {
    mkdirSync(home, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw translateDiskFull(error, home);
  }
  const uid = currentUid();
  if (uid === null) return home; // Windows: %APPDATA% is per-user by ACL
  const real = realpathSync(home);
  const stats = lstatSync(real);
  if (!stats.isDirectory()) throw unsafeFile(home, 'it is not a directory');
  if (stats.uid !== uid) {
    throw unsafeFile(home, `it belongs to another user (uid ${stats.uid}); run \`sudo chown -R ${uid} ${real}\` if it is yours, or use another --home`);
  }
  if ((stats.mode & 0o777) !== OWNER_ONLY_DIRECTORY_MODE) chmodSync(real, OWNER_ONLY_DIRECTORY_MODE);
  assertAncestorsSafe(real, uid);
  return real;
}
