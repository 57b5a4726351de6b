/** `tokentray account add | list | remove`. */
import type { ScopeProfile } from '../../shared/scope-profile.js';
import { ERROR_HINTS, EXIT_FAILURE, EXIT_OK } from '../../shared/error-codes.js';
import { PROVIDER_LABELS, providerOfProfile, type ProviderId } from '../../shared/providers.js';
import { describeAccountState } from '../../shared/state-text.js';
import type { CommandEnv } from '../command-env.js';
import { openBrowser } from '../open-browser.js';

export async function accountAddCommand(
  env: CommandEnv,
  args: {
    id: string;
    email: string | null;
    provider?: ProviderId | undefined;
    profile: ScopeProfile | undefined;
    sharedMailbox: string | null | undefined;
    noBrowser: boolean;
    deviceCode?: boolean;
    overwriteInEmailEngine?: boolean;
  },
): Promise<number> {
  const provider = args.provider ?? (args.profile ? providerOfProfile(args.profile) : null);
  const label = provider ? PROVIDER_LABELS[provider] : 'browser';
  return env.withApi(async ({ api }) => {
    // Ctrl-C ends the sign-in (and closes its loopback listener) wherever it runs.
    env.interrupted.then(() => api.cancelSignIn(args.id)).catch(() => undefined);
    const status = await api.connectAccount(
      {
        id: args.id,
        email: args.email,
        ...(args.provider ? { provider: args.provider } : {}),
        ...(args.deviceCode ? { deviceCode: true } : {}),
        ...(args.profile ? { profile: args.profile } : {}),
        ...(args.sharedMailbox !== undefined ? { sharedMailbox: args.sharedMailbox } : {}),
        ...(args.overwriteInEmailEngine ? { overwriteInEmailEngine: true } : {}),
      },
      {
        onDeviceCode: (code) => {
          const minutes = Math.max(1, Math.round((code.expiresAt - Date.now()) / 60_000));
          env.output.err(`To sign in, open ${code.verificationUri} on any device and enter the code ${code.userCode}`);
          env.output.err(`(the code is valid for about ${minutes} min; waiting; Ctrl-C cancels)`);
        },
        onAuthorizeUrl: async (url) => {
          if (args.noBrowser) {
            env.output.err(`Open this URL in a browser to sign in (waiting; Ctrl-C cancels):\n${url}`);
            return;
          }
          try {
            await openBrowser(url, env.env);
            env.output.err(`A browser window opened for the ${label} sign-in (waiting; Ctrl-C cancels).`);
            env.output.err(`If it did not, open this URL yourself:\n${url}`);
          } catch (error) {
            env.output.err(`tokentray: could not open a browser (${(error as Error).message}). Open this URL yourself (waiting; Ctrl-C cancels):\n${url}`);
          }
        },
      },
    );
    env.output.out(`Connected ${status.id} as ${status.email ?? '?'} (${PROVIDER_LABELS[status.provider]}, ${status.profile}): ${describeAccountState(status.state, Date.now())}.`);
    const registration = status.emailengineRegistration;
    switch (registration?.kind) {
      case 'registered':
        env.output.out(`EmailEngine: ${registration.created ? 'registered' : 'updated'} the account (it connects within seconds; \`tokentray emailengine status\` shows it).`);
        break;
      case 'reconnected':
        env.output.out('EmailEngine: asked to reconnect the account now.');
        break;
      case 'failed':
        env.output.err(`tokentray: the account was not registered in EmailEngine: ${registration.message}`);
        env.output.err(`  hint: ${ERROR_HINTS[registration.code]}`);
        return EXIT_FAILURE;
      case 'not-connected':
      case undefined:
        break;
    }
    return EXIT_OK;
  });
}

export async function accountListCommand(env: CommandEnv, json: boolean): Promise<number> {
  return env.withApi(async ({ api }) => {
    const accounts = await api.listAccounts();
    if (json) env.output.out(JSON.stringify(accounts, null, 2));
    else if (accounts.length === 0) env.output.out('No accounts yet. Connect one with `tokentray account add <id>`.');
    else for (const account of accounts) env.output.out(`${account.id}\t${account.email ?? '-'}\t${account.provider}\t${account.profile}${account.user !== account.email ? `\tuser=${account.user}` : ''}`);
    return EXIT_OK;
  });
}

export async function accountRemoveCommand(env: CommandEnv, id: string, keepInEmailEngine = false): Promise<number> {
  return env.withApi(async ({ api }) => {
    const result = await api.removeAccount(id, { keepInEmailEngine });
    const side = result?.emailengine ?? { kind: 'not-connected' as const };
    switch (side.kind) {
      case 'removed':
        env.output.out(`Removed ${id} from tokentray and from EmailEngine.`);
        return EXIT_OK;
      case 'kept':
        env.output.out(`Removed ${id} from tokentray; kept it in EmailEngine (--keep-in-emailengine), where it fails to log in until connected here again.`);
        return EXIT_OK;
      case 'not-registered':
        env.output.out(`Removed ${id} from tokentray (EmailEngine did not have it).`);
        return EXIT_OK;
      case 'not-connected':
        env.output.out(`Removed ${id}. No EmailEngine is connected: remove it there yourself if it is registered.`);
        return EXIT_OK;
      case 'failed':
        env.output.out(`Removed ${id} from tokentray.`);
        env.output.err(`tokentray: it could not be removed from EmailEngine: ${side.message}`);
        env.output.err(`  hint: ${ERROR_HINTS[side.code]}`);
        return EXIT_FAILURE;
    }
  });
}
