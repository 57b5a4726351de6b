/** How the CLI prints: results on stdout, everything for humans (errors, progress) on stderr. */
import { TokentrayError } from '../shared/tokentray-error.js';
import { EXIT_FAILURE, exitCodeFor } from '../shared/error-codes.js';
import { redact } from '../core/logging/logger.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** One readable line plus a hint; returns the documented exit code. */
export function reportError(error: unknown, output: Output, debug: boolean): number {
  if (error instanceof TokentrayError) {
    output.err(`tokentray: ${redact(error.message)}`);
    output.err(`  hint: ${error.hint}`);
    if (debug && error.cause) output.err(`  cause: ${redact(String((error.cause as Error).stack ?? error.cause))}`);
    return exitCodeFor(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(`tokentray: unexpected error: ${redact(message)}`);
  output.err('  hint: This is a bug in tokentray; run again with --debug and report the output.');
  if (debug && error instanceof Error && error.stack) output.err(redact(error.stack));
  return EXIT_FAILURE;
}
