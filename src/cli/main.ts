/**
 * The `tokentray` command line: the headless shell's composition root.
 *
 * Each command lives in its own module under commands/ and is imported only when it runs,
 * so `--help` or `token` (answered by a running daemon) never loads MSAL, the auth server or
 * the settings library. To add a command: a module in commands/, a case below, help in usage.ts.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Proto } from '../shared/account-status.js';
import { isProviderId, isScopeProfile } from '../shared/providers.js';
import { EXIT_OK, EXIT_USAGE } from '../shared/error-codes.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import { createLogger } from '../core/logging/logger.js';
import { defaultHome, ensureDataDirectory } from '../core/storage/paths.js';
import type { EarlyVaultKey } from '../core/control/remote-core.js';
import type { CommandEnv } from './command-env.js';
import { processOutput, reportError, type Output } from './output.js';
import { COMMAND_HELP, MAIN_HELP } from './usage.js';

const OPTIONS = {
  home: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  email: { type: 'string' },
  profile: { type: 'string' },
  provider: { type: 'string' },
  'shared-mailbox': { type: 'string' },
  'no-browser': { type: 'boolean' },
  'device-code': { type: 'boolean' },
  proto: { type: 'string' },
  rotate: { type: 'boolean' },
  yes: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  url: { type: 'string' },
  replace: { type: 'boolean' },
  'keep-in-emailengine': { type: 'boolean' },
  'overwrite-emailengine': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];

function usage(message: string, command?: string): TokentrayError {
  return new TokentrayError('USAGE', message, { hint: command ? `Run \`tokentray ${command} --help\`.` : 'Run `tokentray --help`.' });
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function interruption(): Promise<void> {
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

/**
 * Begins reading the vault key while the command's modules load.
 *
 * For the commands a running daemon answers in milliseconds, the keychain read (keytar, and
 * on Linux a D-Bus exchange with the Secret Service in a worker thread) is their longest
 * wait; begun here it overlaps loading the command, the lock check and the first hello.
 * Only this user's own keychain is read, nothing is sent anywhere: the daemon still has to
 * prove it holds the key (remote-core.ts). Skipped when no daemon runs (the core reads it).
 */
function readVaultKeyEarly(home: string): Promise<EarlyVaultKey> {
  // One import, of a module the command loads anyway: no chunk of its own to fetch.
  const read = import('../core/control/remote-core.js').then((remote) => remote.readDaemonVaultKey(home));
  read.catch(() => undefined); // reported by the command that awaits it, if one does
  return read;
}

export async function main(argv: string[], output: Output = processOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let debug = false;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw usage((error as Error).message.split('\n')[0] ?? 'bad arguments');
    }
    const { values, positionals } = parsed;
    debug = values.debug === true;
    if (values.version) {
      output.out(version());
      return EXIT_OK;
    }
    const [group, sub, ...rest] = positionals;
    const name = group && ['account', 'config', 'vault', 'emailengine'].includes(group) && sub ? `${group} ${sub}` : group;
    if (group && ['account', 'vault', 'emailengine'].includes(group) && !sub) {
      throw usage(`"${group}" needs a subcommand: ${group === 'account' ? 'add, list or remove' : group === 'emailengine' ? 'connect, status or disconnect' : 'reset'}.`);
    }
    if (values.help || !group) {
      output.out((name && (COMMAND_HELP[name] ?? COMMAND_HELP[group ?? ''])) || MAIN_HELP);
      return group || values.help ? EXIT_OK : EXIT_USAGE;
    }
    const context: CommandEnv = {
      home: values.home ?? defaultHome(env),
      logger: createLogger({ level: debug ? 'debug' : 'warn' }),
      output,
      env,
      interrupted: interruption(),
    };
    // Every command, even `config get`: create the data directory owner-only, or tighten it,
    // or refuse one another user owns, before a file in it is read or written.
    await ensureDataDirectory(context.home);
    if (name === 'token' || name === 'status' || name === 'server-url') context.vaultKey = readVaultKeyEarly(context.home);
    const args = group === 'account' || group === 'config' || group === 'vault' || group === 'emailengine' ? rest : [sub, ...rest].filter((x): x is string => x !== undefined);
    const expect = (count: number, what: string): void => {
      if (args.length !== count) throw usage(`${name} takes ${what}.`, name);
    };

    switch (name) {
      case 'serve':
        expect(0, 'no arguments');
        return await (await import('./commands/serve-command.js')).serveCommand(context);
      case 'account add': {
        expect(1, 'one account id');
        const { profile, provider } = values;
        if (profile !== undefined && !isScopeProfile(profile)) throw usage(`--profile must be outlook, graph, gmail or gmail-api, not "${profile}".`, name);
        if (provider !== undefined && !isProviderId(provider)) throw usage(`--provider must be microsoft or google, not "${provider}".`, name);
        return await (await import('./commands/account-commands.js')).accountAddCommand(context, {
          id: args[0]!,
          email: values.email ?? null,
          provider,
          profile,
          sharedMailbox: values['shared-mailbox'],
          noBrowser: values['no-browser'] === true,
          deviceCode: values['device-code'] === true,
          overwriteInEmailEngine: values['overwrite-emailengine'] === true,
        });
      }
      case 'account list':
        expect(0, 'no arguments');
        return await (await import('./commands/account-commands.js')).accountListCommand(context, values.json === true);
      case 'account remove':
        expect(1, 'one account id');
        return await (await import('./commands/account-commands.js')).accountRemoveCommand(context, args[0]!, values['keep-in-emailengine'] === true);
      case 'token': {
        expect(1, 'one account id');
        const proto = values.proto;
        if (proto !== undefined && !['imap', 'smtp', 'api'].includes(proto)) throw usage(`--proto must be imap, smtp or api, not "${proto}".`, name);
        return await (await import('./commands/token-command.js')).tokenCommand(context, args[0]!, proto as Proto | undefined, values.json === true);
      }
      case 'status':
        expect(0, 'no arguments');
        return await (await import('./commands/status-command.js')).statusCommand(context, values.json === true);
      case 'server-url':
        expect(0, 'no arguments');
        return await (await import('./commands/server-url-command.js')).serverUrlCommand(context, values.rotate === true);
      case 'config get':
        if (args.length > 1) throw usage('config get takes at most one key.', 'config');
        return await (await import('./commands/config-commands.js')).configGetCommand(context, args[0], values.json === true);
      case 'config set':
        if (args.length !== 2) throw usage('config set takes a key and a value.', 'config');
        return await (await import('./commands/config-commands.js')).configSetCommand(context, args[0]!, args[1]!);
      case 'doctor':
        expect(0, 'no arguments');
        return await (await import('./commands/doctor-command.js')).doctorCommand(context, values.json === true);
      case 'activity':
        expect(0, 'no arguments');
        return await (await import('./commands/activity-command.js')).activityCommand(context, { follow: values.follow === true, json: values.json === true });
      case 'config set-secret':
        if (args.length !== 1) throw usage('config set-secret takes one name (google.clientSecret) and reads the secret from standard input.', 'config');
        return await (await import('./commands/client-secret-command.js')).clientSecretCommand(context, args[0]!);
      case 'vault reset':
        expect(0, 'no arguments besides --yes');
        return await (await import('./commands/vault-reset-command.js')).vaultResetCommand(context, values.yes === true);
      case 'emailengine connect': {
        expect(0, 'no arguments besides --url URL [--replace] (the token comes on stdin or from a prompt)');
        if (!values.url) throw usage('emailengine connect needs --url <EmailEngine URL>.', name);
        const { emailEngineConnectCommand } = await import('./commands/emailengine-commands.js');
        return await emailEngineConnectCommand(context, { url: values.url, replace: values.replace === true }, { stdin: process.stdin, prompt: process.stderr });
      }
      case 'emailengine status':
        expect(0, 'no arguments');
        return await (await import('./commands/emailengine-commands.js')).emailEngineStatusCommand(context, values.json === true);
      case 'emailengine disconnect':
        expect(0, 'no arguments');
        return await (await import('./commands/emailengine-commands.js')).emailEngineDisconnectCommand(context);
      default:
        throw usage(`Unknown command "${positionals.slice(0, 2).join(' ')}".`);
    }
  } catch (error) {
    const code = reportError(error, output, debug);
    // A fresh install: say exactly what to register (Azure, or Google for a Gmail account), not just "see the README".
    if (error instanceof TokentrayError && error.code === 'CLIENT_ID_MISSING') {
      const guide = error.details.provider === 'google' ? (await import('./google-guide.js')).googleGuide() : (await import('./azure-guide.js')).azureGuide('global');
      output.err(`\n${guide}`);
    }
    return code;
  }
}
