/** `tokentray server-url [--rotate]`: the authServer URL (with its secret) for EmailEngine. */
import { EXIT_OK } from '../../shared/error-codes.js';
import type { CommandEnv } from '../command-env.js';
import { reportAuthServerFollowed } from './emailengine-follow.js';

export async function serverUrlCommand(env: CommandEnv, rotate: boolean): Promise<number> {
  return env.withApi(async ({ api }) => {
    env.output.out(rotate ? await api.rotateServerSecret() : await api.serverUrl());
    if (rotate) return reportAuthServerFollowed(env, await api.emailEngineStatus(), 'secret rotated');
    return EXIT_OK;
  });
}
