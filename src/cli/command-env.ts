/**
 * What every `tokentray` command receives: parsed global options and the process's edges.
 *
 * Kept apart from the commands so the entry point can type the context without importing
 * any command (each is loaded only when it runs).
 */
import type { Logger } from '../core/logging/logger.js';
import type { EarlyVaultKey } from '../core/control/remote-core.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import type { Output } from './output.js';

export interface CommandEnv {
  home: string;
  logger: Logger;
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks the command to stop (Ctrl-C). */
  interrupted: Promise<void>;
  /**
   * The vault key, being read from the keychain since the command started: set by main.ts
   * for the commands a running daemon answers (their longest wait), for withApi to use.
   */
  vaultKey?: Promise<EarlyVaultKey>;
}

export function usageError(message: string, hint?: string): TokentrayError {
  return new TokentrayError('USAGE', message, hint ? { hint } : {});
}
