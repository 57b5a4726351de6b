/** `tokentray account add | list | remove`. */
import type { ScopeProfile } from '../../shared/account-status.js';
import { EXIT_OK } from '../../shared/error-codes.js';
import { describeAccountState } from '../../shared/state-text.js';
import type { CommandEnv } from '../command-env.js';
import { withApi } from '../connect-api.js';
import { openBrowser } from '../open-browser.js';

export async function accountAddCommand(
  env: CommandEnv,
  args: { id: string; email: string | null; profile: ScopeProfile | undefined; sharedMailbox: string | null | undefined; noBrowser: boolean },
): Promise<number> {
  return withApi(env.home, env.logger, async ({ api }) => {
    // Ctrl-C ends the sign-in (and closes its loopback listener) wherever it runs.
    env.interrupted.then(() => api.cancelSignIn(args.id)).catch(() => undefined);
    const status = await api.connectAccount(
      { id: args.id, email: args.email, ...(args.profile ? { profile: args.profile } : {}), ...(args.sharedMailbox !== undefined ? { sharedMailbox: args.sharedMailbox } : {}) },
      {
        onAuthorizeUrl: async (url) => {
          if (args.noBrowser) {
            env.output.err(`Open this URL in a browser to sign in (waiting; Ctrl-C cancels):\n${url}`);
            return;
          }
          try {
            await openBrowser(url, env.env);
            env.output.err('A browser window opened for the Microsoft sign-in (waiting; Ctrl-C cancels).');
            env.output.err(`If it did not, open this URL yourself:\n${url}`);
          } catch (error) {
            env.output.err(`tokentray: could not open a browser (${(error as Error).message}). Open this URL yourself (waiting; Ctrl-C cancels):\n${url}`);
          }
        },
      },
    );
    env.output.out(`Connected ${status.id} as ${status.email ?? '?'} (${status.profile}): ${describeAccountState(status.state, Date.now())}.`);
    return EXIT_OK;
  });
}

export async function accountListCommand(env: CommandEnv, json: boolean): Promise<number> {
  return withApi(env.home, env.logger, async ({ api }) => {
    const accounts = await api.listAccounts();
    if (json) env.output.out(JSON.stringify(accounts, null, 2));
    else if (accounts.length === 0) env.output.out('No accounts yet. Connect one with `tokentray account add <id>`.');
    else for (const account of accounts) env.output.out(`${account.id}\t${account.email ?? '-'}\t${account.profile}${account.user !== account.email ? `\tuser=${account.user}` : ''}`);
    return EXIT_OK;
  });
}

export async function accountRemoveCommand(env: CommandEnv, id: string): Promise<number> {
  return withApi(env.home, env.logger, async ({ api }) => {
    await api.removeAccount(id);
    env.output.out(`Removed ${id}. Remember to remove it from EmailEngine too.`);
    return EXIT_OK;
  });
}
