/**
 * The `tokentray` commands. Each takes parsed arguments and the core API, never argv.
 */
import type { Proto, ScopeProfile } from '../shared/account-status.js';
import { SETTING_KEYS, type SettingKey } from '../shared/settings-shape.js';
import { describeAccountState } from '../shared/state-text.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import { EXIT_NEEDS_SIGN_IN, EXIT_OK } from '../shared/error-codes.js';
import type { CLOUDS} from '../core/identity/microsoft/clouds.js';
import { scopesFor } from '../core/identity/microsoft/clouds.js';
import type { Logger } from '../core/logging/logger.js';
import { openCore } from '../core/open-core.js';
import { KeytarSecretStore } from '../core/storage/keytar-secret-store.js';
import { dataFiles } from '../core/storage/paths.js';
import { readLock } from '../core/storage/process-lock.js';
import { SettingsStore, createConfBackend, environmentVariableFor, isSettingKey, parseSetting } from '../core/storage/settings.js';
import { Vault } from '../core/storage/vault.js';
import { withApi } from './connect-api.js';
import { openBrowser } from './open-browser.js';
import type { Output } from './output.js';

export interface CommandEnv {
  home: string;
  logger: Logger;
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks the command to stop (Ctrl-C). */
  interrupted: Promise<void>;
}

function usage(message: string, hint?: string): TokentrayError {
  return new TokentrayError('USAGE', message, hint ? { hint } : {});
}

export async function serveCommand(env: CommandEnv): Promise<number> {
  const core = await openCore({ home: env.home, role: 'daemon', logger: env.logger });
  try {
    const settings = await core.getSettings();
    if (!settings.clientId) env.output.err(`tokentray: no client id configured yet; ${firstRunHint()}`);
    await core.start();
    const report = await core.status();
    env.output.out(`tokentray ready: auth server ${report.server.url ?? '(not running)'} serving ${report.accounts.length} account(s); Ctrl-C stops`);
    await env.interrupted;
    env.output.err('tokentray: stopping…');
    return EXIT_OK;
  } finally {
    await core.close();
  }
}

function firstRunHint(): string {
  return 'register an app in Azure (README, "Azure app registration") and run `tokentray config set clientId <id>`.';
}

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

export async function tokenCommand(env: CommandEnv, id: string, proto: Proto | undefined, json: boolean): Promise<number> {
  return withApi(env.home, env.logger, async ({ api }) => {
    const answer = await api.getToken(id, proto);
    if (json) env.output.out(JSON.stringify({ user: answer.user, accessToken: answer.accessToken, expiresAt: new Date(answer.expiresAt).toISOString() }));
    else env.output.out(answer.accessToken);
    return EXIT_OK;
  });
}

export async function statusCommand(env: CommandEnv, json: boolean): Promise<number> {
  return withApi(env.home, env.logger, async ({ api, local }) => {
    if (local) await local.probeAll(); // no daemon: find out the real state now
    const report = await api.status();
    if (json) {
      env.output.out(JSON.stringify(report, null, 2));
    } else {
      const now = Date.now();
      const server = report.server.running ? `running at ${report.server.url}` : local ? 'not running (start the tray app or `tokentray serve`)' : `stopped${report.server.error ? `: ${report.server.error}` : ''}`;
      env.output.out(`auth server: ${server}`);
      if (report.server.running) env.output.out('  the URL for EmailEngine, with its secret: `tokentray server-url`');
      if (report.accounts.length === 0) env.output.out('accounts: none yet (`tokentray account add <id>`)');
      for (const account of report.accounts) {
        const code = account.state.kind === 'needs-sign-in' ? ` (${account.state.reason.code})` : '';
        env.output.out(`${account.id} (${account.email ?? '?'}, ${account.profile}): ${describeAccountState(account.state, now)}${code}`);
        if (account.lastRequest) {
          const r = account.lastRequest;
          env.output.out(`  last EmailEngine request: ${new Date(r.at).toISOString()} proto=${r.proto} ${r.outcome} (${r.latencyMs.toFixed(1)} ms)`);
        }
        if (account.lastError && account.state.kind !== 'active') env.output.out(`  last error: ${account.lastError.message}`);
      }
    }
    return report.accounts.some((account) => account.state.kind === 'needs-sign-in') ? EXIT_NEEDS_SIGN_IN : EXIT_OK;
  });
}

export async function serverUrlCommand(env: CommandEnv, rotate: boolean): Promise<number> {
  return withApi(env.home, env.logger, async ({ api }) => {
    env.output.out(rotate ? await api.rotateServerSecret() : await api.serverUrl());
    if (rotate) env.output.err('tokentray: secret rotated; set the new URL as EmailEngine\'s authServer.');
    return EXIT_OK;
  });
}

export async function configGetCommand(env: CommandEnv, key: string | undefined, json: boolean): Promise<number> {
  // Reading settings needs neither the vault nor the daemon: read the file directly.
  const store = new SettingsStore(createConfBackend(env.home), env.env);
  if (key !== undefined && !isSettingKey(key)) throw usage(`Unknown setting "${key}".`, `Known keys: ${SETTING_KEYS.join(', ')}.`);
  const settings = store.read();
  if (key) {
    const value = settings[key];
    env.output.out(json ? JSON.stringify(value) : value === null ? 'null' : Array.isArray(value) ? value.join(',') : String(value));
    return EXIT_OK;
  }
  if (json) {
    env.output.out(JSON.stringify(settings, null, 2));
    return EXIT_OK;
  }
  const overridden = new Set(store.overriddenKeys());
  for (const name of SETTING_KEYS) {
    const value = settings[name];
    const shown = value === null ? 'null' : Array.isArray(value) ? value.join(',') || '(none)' : String(value);
    env.output.out(`${name} = ${shown}${overridden.has(name) ? `   (from ${environmentVariableFor(name)})` : ''}`);
  }
  if (!settings.clientId) {
    env.output.out('');
    env.output.out(azureGuide(settings.cloud));
  }
  return EXIT_OK;
}

export function azureGuide(cloud: keyof typeof CLOUDS): string {
  return [
    'No clientId yet. Register an app in Azure (Entra ID → App registrations → New registration):',
    '  1. Supported account types: your organisation (or any, to match the "tenant" setting).',
    '  2. Redirect URI: platform "Public client/native (mobile & desktop)", value http://localhost',
    '  3. Authentication → "Allow public client flows": Yes.',
    '  4. API permissions (delegated):',
    `       outlook profile: ${scopesFor(cloud, 'outlook').join(', ')}`,
    `       graph profile:   ${scopesFor(cloud, 'graph').join(', ')}`,
    '  5. Copy the "Application (client) ID" and run: tokentray config set clientId <that id>',
  ].join('\n');
}

export async function configSetCommand(env: CommandEnv, key: string, value: string): Promise<number> {
  if (!isSettingKey(key)) throw usage(`Unknown setting "${key}".`, `Known keys: ${SETTING_KEYS.join(', ')}.`);
  const parsed = parseSetting(key as SettingKey, value, 'tokentray config set');
  const lock = await readLock(dataFiles(env.home).lock);
  if (lock?.control) {
    // A running daemon applies the change at once (e.g. restarts the auth server on a new port).
    await withApi(env.home, env.logger, ({ api }) => api.setSetting(key as SettingKey, parsed));
  } else {
    new SettingsStore(createConfBackend(env.home), env.env).set(key as SettingKey, parsed);
  }
  const overriddenBy = environmentVariableFor(key as SettingKey);
  env.output.out(`${key} = ${Array.isArray(parsed) ? parsed.join(',') : String(parsed)}`);
  if (env.env[overriddenBy]) env.output.err(`tokentray: note: ${overriddenBy} is set and overrides this value.`);
  return EXIT_OK;
}

export async function vaultResetCommand(env: CommandEnv, confirmed: boolean): Promise<number> {
  if (!confirmed) throw usage('vault reset forgets every connected account.', 'Run `tokentray vault reset --yes` to confirm.');
  const lock = await readLock(dataFiles(env.home).lock);
  if (lock?.control) throw new TokentrayError('ALREADY_RUNNING', `tokentray is running (pid ${lock.pid}); quit it before resetting the vault.`);
  const keptAs = await Vault.reset(dataFiles(env.home).vault, new KeytarSecretStore());
  env.output.out(keptAs ? `The old vault was moved to ${keptAs}. Connect your accounts again with \`tokentray account add <id>\`.` : 'There was no vault to reset.');
  return EXIT_OK;
}

