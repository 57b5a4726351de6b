/**
 * What a command that changed the auth-server URL (rotated secret, port, host) says about
 * EmailEngine: the core updates its authServer in the same step; this reports how it went.
 */
import { ERROR_HINTS, EXIT_FAILURE, EXIT_OK } from '../../shared/error-codes.js';
import type { EmailEngineStatus } from '../../shared/emailengine.js';
import type { CommandEnv } from '../command-env.js';

export function reportAuthServerFollowed(env: CommandEnv, status: EmailEngineStatus, what: string): number {
  if (!status.connected) {
    env.output.err(`tokentray: ${what}; set the new URL (\`tokentray server-url\`) as EmailEngine's authServer, or connect EmailEngine (\`tokentray emailengine connect\`) so it follows by itself.`);
    return EXIT_OK;
  }
  if (status.error) {
    env.output.err(`tokentray: ${what}, but EmailEngine's authServer was not updated: ${status.error.message}`);
    env.output.err(`  hint: ${ERROR_HINTS[status.error.code]}`);
    return EXIT_FAILURE;
  }
  env.output.err(`tokentray: ${what}; EmailEngine's authServer at ${status.url} was updated in the same step.`);
  return EXIT_OK;
}
