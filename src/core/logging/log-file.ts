/**
 * A log sink that appends to a file in the data directory, for the desktop app (whose stderr
 * nobody sees). Lines reach it already redacted by the logger.
 *
 * Owner-only (0600). When the file passes `maxBytes` it is renamed to `<file>.1` (replacing
 * the previous one) and a new file is started, so the log never grows without bound.
 *
 * Opened with O_NOFOLLOW and checked to be a regular file this user owns: a symbolic link
 * planted as tokentray.log (say, to ~/.bashrc) is not written through. Such a log, like a
 * full disk, silently drops lines rather than take the app down.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { APPEND_FLAGS, OWNER_ONLY_FILE_MODE, currentUid } from '../storage/file-safety.js';
import type { LogSink } from './logger.js';

export const LOG_FILE_MAX_BYTES = 1024 * 1024;

/** Opens the log for appending; null when it is a link, not a regular file, or not ours. */
function openLog(path: string): { fd: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, APPEND_FLAGS, OWNER_ONLY_FILE_MODE);
  } catch {
    return null;
  }
  const stats = fstatSync(fd);
  const uid = currentUid();
  if (!stats.isFile() || (uid !== null && stats.uid !== uid)) {
    closeSync(fd);
    return null;
  }
  return { fd, size: stats.size };
}

export function createFileSink(path: string, maxBytes = LOG_FILE_MAX_BYTES): LogSink {
  let log: { fd: number; size: number } | null = null;
  return (line) => {
    const data = Buffer.from(`${line}\n`);
    try {
      log ??= openLog(path);
      if (!log) return;
      if (log.size + data.length > maxBytes && log.size > 0) {
        closeSync(log.fd);
        log = null;
        renameSync(path, `${path}.1`); // rename replaces a link at <file>.1, never writes through it
        log = openLog(path);
        if (!log) return;
      }
      // Synchronous: a crash right after an error line must not lose that line.
      writeSync(log.fd, data);
      log.size += data.length;
    } catch {
      // Logging must never take the app down (disk full, directory removed).
    }
  };
}

/** Writes every line to each sink. */
export function teeSinks(...sinks: LogSink[]): LogSink {
  return (line) => {
    for (const sink of sinks) sink(line);
  };
}
