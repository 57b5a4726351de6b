/**
 * The `tokentray` command line: the headless shell's composition root.
 *
 * Each command lives in its own module under commands/ and is imported only when it runs,
 * so `--help` or `token` (answered by a running daemon) never loads MSAL, the auth server or
 * the settings library. To add a command: a module in commands/, a case below, help in usage.ts.
 */
import { readFileSync } from 'node:fs';
import { isProviderId, isScopeProfile } from '../shared/providers.js';
import { EXIT_OK, EXIT_USAGE } from '../shared/error-codes.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import { createLogger } from '../core/logging/logger.js';
import { defaultHome, ensureDataDirectory } from '../core/storage/paths.js';
import type { EarlyVaultKey } from '../core/control/remote-core.js';
import { interruption, type CommandEnv } from './command-env.js';
import { DAEMON_ANSWERED_COMMANDS, expectArguments, parseCommandLine, requireSubcommand, tokenArguments, usage } from './command-line.js';
import { processOutput, reportError, type Output } from './output.js';
import { COMMAND_HELP, MAIN_HELP } from './usage.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], output: Output = processOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let debug = false;
  try {
    const line = parseCommandLine(argv);
    const { values, group, name, args, positionals } = line;
    debug = values.debug === true;
    if (values.version) {
      output.out(version());
      return EXIT_OK;
    }
    requireSubcommand(line);
    if (values.help || !group) {
      output.out((name && (COMMAND_HELP[name] ?? COMMAND_HELP[group ?? ''])) || MAIN_HELP);
      return group || values.help ? EXIT_OK : EXIT_USAGE;
    }
    const home = values.home ?? defaultHome(env);
    const logger = createLogger({ level: debug ? 'debug' : 'warn' });
    // Every command, even `config get`: create the data directory owner-only, or tighten it,
    // or refuse one another user owns, before a file in it is read or written.
    await ensureDataDirectory(home);
    const vaultKey: Promise<EarlyVaultKey> | undefined = name !== undefined && DAEMON_ANSWERED_COMMANDS.has(name) ? import('./connect-api.js').then((api) => api.readVaultKeyEarly(home)) : undefined;
    vaultKey?.catch(() => undefined); // reported by the command that awaits it
    const context: CommandEnv = {
      home,
      logger,
      output,
      env,
      interrupted: interruption(),
      // The core's modules load only for a command that uses it.
      withApi: async (run) => (await import('./connect-api.js')).withApi(home, logger, run, vaultKey),
    };
    const expect = (count: number, what: string): void => expectArguments(line, count, what);

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
        const { id, proto, json } = tokenArguments(line);
        return await (await import('./commands/token-command.js')).tokenCommand(context, id, proto, json);
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
