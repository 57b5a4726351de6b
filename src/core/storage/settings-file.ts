/**
 * The settings file (config.json), read and written without following links.
 *
 * Same place and format as conf / electron-store (pretty-printed JSON with tabs), so files
 * written by earlier versions and by the desktop app read the same. conf is not used for
 * writing: its writer (atomically) resolves symbolic links first and writes through them,
 * so a link planted as config.json would send our settings into any file the user can
 * write. Here the file is opened with O_NOFOLLOW, must be a regular file this user owns,
 * and is replaced atomically (exclusive temp + rename, which replaces a link instead of
 * following it). Each read goes to the file, so the tray and `tokentray config set` see
 * each other's changes.
 */
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { SettingKey } from '../../shared/settings-shape.js';
import { tempPathFor } from './atomic-file.js';
import { EXCLUSIVE_CREATE_FLAGS, OWNER_ONLY_DIRECTORY_MODE, OWNER_ONLY_FILE_MODE, READ_FLAGS, assertOwnRegularFile, isSymlinkRefusal, translateDiskFull, unsafeFile } from './file-safety.js';

export interface SettingsFileBackend {
  get(key: SettingKey): unknown;
  set(key: SettingKey, value: unknown): void;
}

function readObject(path: string): Record<string, unknown> {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    if (isSymlinkRefusal(error)) throw unsafeFile(path, 'the settings file is a symbolic link; replace it with a regular file', error);
    throw error;
  }
  let text: string;
  try {
    assertOwnRegularFile(fstatSync(fd), path);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TokentrayError('CONFIG_INVALID', `The settings file ${path} is not valid JSON (it was left untouched).`, {
      cause: error,
      hint: `Fix or delete ${path}, then set the values again with \`tokentray config set KEY VALUE\`.`,
      details: { path },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TokentrayError('CONFIG_INVALID', `The settings file ${path} does not hold a JSON object (it was left untouched).`, {
      hint: `Fix or delete ${path}, then set the values again with \`tokentray config set KEY VALUE\`.`,
      details: { path },
    });
  }
  return parsed as Record<string, unknown>;
}

function writeObject(path: string, value: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  const temp = tempPathFor(path);
  const data = Buffer.from(JSON.stringify(value, undefined, '\t'));
  let fd: number;
  try {
    fd = openSync(temp, EXCLUSIVE_CREATE_FLAGS, OWNER_ONLY_FILE_MODE);
  } catch (error) {
    throw translateDiskFull(error, path);
  }
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    rmSync(temp, { force: true });
    throw translateDiskFull(error, path);
  }
  syncDirectory(dirname(path));
}

function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(directory, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function createSettingsFileBackend(directory: string, fileName: string): SettingsFileBackend {
  const path = join(directory, fileName);
  return {
    get: (key) => {
      const current = readObject(path);
      return Object.hasOwn(current, key) ? current[key] : undefined;
    },
    set: (key, value) => {
      const current = readObject(path);
      writeObject(path, { ...current, [key]: value });
    },
  };
}
