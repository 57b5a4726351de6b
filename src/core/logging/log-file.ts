/**
 * A log sink that appends to a file in the data directory, for the desktop app (whose stderr
 * nobody sees). Lines reach it already redacted by the logger.
 *
 * Owner-only (0600). When the file passes `maxBytes` it is renamed to `<file>.1` (replacing
 * the previous one) and a new file is started, so the log never grows without bound.
 */
import { appendFileSync, renameSync, statSync } from 'node:fs';
import type { LogSink } from './logger.js';

export const LOG_FILE_MAX_BYTES = 1024 * 1024;

export function createFileSink(path: string, maxBytes = LOG_FILE_MAX_BYTES): LogSink {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // No log yet.
  }
  return (line) => {
    const data = `${line}\n`;
    try {
      if (size + data.length > maxBytes && size > 0) {
        renameSync(path, `${path}.1`);
        size = 0;
      }
      // Synchronous: a crash right after an error line must not lose that line.
      appendFileSync(path, data, { mode: 0o600 });
      size += Buffer.byteLength(data);
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
