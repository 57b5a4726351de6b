/**
 * What every `tokentray` command receives: parsed global options and the process's edges.
 *
 * Kept apart from the commands so the entry point can type the context without importing
 * any command (each is loaded only when it runs).
 */
import type { Logger } from '../core/logging/logger.js';
import type { OpenedCore } from '../core/open-core.js';
import type { TokentrayApi } from '../shared/tokentray-api.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import type { Output } from './output.js';

export interface CommandContext {
  api: TokentrayApi;
  /** Set when the command runs the core itself (no daemon). */
  local: OpenedCore | null;
}

/**
 * Runs a command's work against the core. main.ts's goes through the running daemon, or
 * opens the core for the command when none runs (connect-api.ts); the daemon fast path's
 * only ever reaches a daemon (daemon-fast-path.ts).
 */
export type ApiConnector = <T>(run: (context: CommandContext) => Promise<T>) => Promise<T>;

export interface CommandEnv {
  home: string;
  logger: Logger;
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks the command to stop (Ctrl-C). */
  interrupted: Promise<void>;
  withApi: ApiConnector;
}

export function usageError(message: string, hint?: string): TokentrayError {
  return new TokentrayError('USAGE', message, hint ? { hint } : {});
}

/** Resolves at the first Ctrl-C (SIGINT) or SIGTERM. */
export function interruption(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      // Removed after this signal's dispatch, not during it: signal-exit (loaded later, with
      // the core) re-raises the signal when it finds itself the only listener left.
      setImmediate(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
