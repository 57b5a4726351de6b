/**
 * The last line of defence for long-running processes (`serve`, the desktop app).
 *
 * A fault nobody caught (an unhandled rejection, an exception thrown from a callback) is
 * logged through the redacting logger, never printed raw (a stack can hold request data).
 * A rejection leaves no half-run code behind, so the process keeps serving. An uncaught
 * exception may have left one operation half done, but the rest of the process (the auth
 * server, the refresher) is independent of it; it keeps serving too, unless faults repeat
 * (`maxFaults` within `faultWindowMs`: something is broken for good). Then it cleans up
 * (closes the core: control socket removed, lock released, vault flushed) and exits, so
 * no stale lock or socket is left behind. Cleanup has a deadline: a hung close must not
 * keep a broken process alive.
 */
import type { Logger } from './logging/logger.js';

export const MAX_FAULTS = 5;
export const FAULT_WINDOW_MS = 60_000;
export const CLEANUP_DEADLINE_MS = 5_000;
/** EX_SOFTWARE (sysexits.h): an internal software error. */
export const EXIT_AFTER_FAULTS = 70;

export interface ProcessGuardOptions {
  logger: Logger;
  /** Releases what other processes could trip over (lock, socket); called at most once. */
  cleanup: () => Promise<void>;
  exit?: (code: number) => void;
  now?: () => number;
  maxFaults?: number;
  faultWindowMs?: number;
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export function installProcessGuard(options: ProcessGuardOptions): () => void {
  const target = options.target ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? Date.now;
  const maxFaults = options.maxFaults ?? MAX_FAULTS;
  const windowMs = options.faultWindowMs ?? FAULT_WINDOW_MS;
  const log = options.logger;
  const faults: number[] = [];
  let stopping = false;

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log.error(`${maxFaults} unexpected faults within ${Math.round(windowMs / 1000)} s; cleaning up and exiting`);
    const deadline = setTimeout(() => exit(EXIT_AFTER_FAULTS), CLEANUP_DEADLINE_MS);
    deadline.unref();
    options
      .cleanup()
      .catch((error: unknown) => log.error('cleanup after faults failed', { error: error instanceof Error ? error : String(error) }))
      .finally(() => {
        clearTimeout(deadline);
        exit(EXIT_AFTER_FAULTS);
      });
  };

  const fault = (kind: string, error: unknown): void => {
    log.error(`${kind} (kept running)`, { error: error instanceof Error ? error : String(error) });
    const at = now();
    faults.push(at);
    while (faults.length > 0 && at - faults[0]! > windowMs) faults.shift();
    if (faults.length >= maxFaults) stop();
  };
  const onException = (error: unknown): void => fault('uncaught exception', error);
  const onRejection = (reason: unknown): void => fault('unhandled promise rejection', reason);
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('uncaughtException', onException);
    target.off('unhandledRejection', onRejection);
  };
}
