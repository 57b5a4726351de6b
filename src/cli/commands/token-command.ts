/** `tokentray token <id>`: print a currently valid access token. */
import type { Proto } from '../../shared/account-status.js';
import { EXIT_OK } from '../../shared/error-codes.js';
import type { CommandEnv } from '../command-env.js';

export async function tokenCommand(env: CommandEnv, id: string, proto: Proto | undefined, json: boolean): Promise<number> {
  return env.withApi(async ({ api }) => {
    const answer = await api.getToken(id, proto);
    if (json) env.output.out(JSON.stringify({ user: answer.user, accessToken: answer.accessToken, expiresAt: new Date(answer.expiresAt).toISOString() }));
    else env.output.out(answer.accessToken);
    return EXIT_OK;
  });
}
