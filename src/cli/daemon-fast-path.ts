/**
 * `token`, `status` and `server-url` answered by a running daemon, started as fast as Node can.
 *
 * Scripts call `tokentray token` in loops and a daemon answers it within milliseconds, so the
 * command's cost is nearly all start-up. This module is built on its own into one CommonJS
 * file (dist/cli-bundle/daemon-fast-path.cjs, scripts/build-cli.mjs) that bin/tokentray.cjs
 * requires first: no ES-module loader, and one file to read instead of a dozen chunks.
 *
 * It takes nothing else on. Any other command line, a malformed one, help, or no daemon
 * answering gives null, and the entry point hands the same arguments to main.ts, which says
 * what it always says (the help, the usage error) or runs the command against a core of its
 * own. The command line is read by the same code (command-line.ts) and the commands are the
 * same modules: only the way they reach the core differs.
 */
import { connectToDaemon, readDaemonVaultKey, type EarlyVaultKey } from '../core/control/remote-core.js';
import { createLogger } from '../core/logging/logger.js';
import { defaultHome, ensureDataDirectory } from '../core/storage/paths.js';
import { interruption, type ApiConnector, type CommandEnv } from './command-env.js';
import { DAEMON_ANSWERED_COMMANDS, expectArguments, parseCommandLine, requireSubcommand, tokenArguments, type CommandLine } from './command-line.js';
import { serverUrlCommand } from './commands/server-url-command.js';
import { statusCommand } from './commands/status-command.js';
import { tokenCommand } from './commands/token-command.js';
import { processOutput, reportError, type Output } from './output.js';

/** Thrown (and caught below) when no daemon runs: the full CLI takes the command over. */
class NoDaemon extends Error {}

function daemonOnly(home: string, vaultKey: Promise<EarlyVaultKey>): ApiConnector {
  return async (run) => {
    const daemon = await connectToDaemon(home, undefined, vaultKey);
    if (!daemon) throw new NoDaemon();
    return run({ api: daemon, local: null });
  };
}

/** The command to run, or null when the line is not one this path takes on as it stands. */
function commandOf(line: CommandLine): ((env: CommandEnv) => Promise<number>) | null {
  const { values, name } = line;
  if (values.help || values.version || name === undefined || !DAEMON_ANSWERED_COMMANDS.has(name)) return null;
  try {
    requireSubcommand(line);
    if (name === 'token') {
      const { id, proto, json } = tokenArguments(line);
      return (env) => tokenCommand(env, id, proto, json);
    }
    expectArguments(line, 0, 'no arguments');
    return name === 'status' ? (env) => statusCommand(env, values.json === true) : (env) => serverUrlCommand(env, values.rotate === true);
  } catch {
    return null; // a usage error: main.ts reports it
  }
}

/** The command's exit code, or null: then run main.ts with the same arguments. */
export async function answerFromDaemon(argv: string[], output: Output = processOutput, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch {
    return null;
  }
  const command = commandOf(line);
  if (command === null) return null;
  const debug = line.values.debug === true;
  const home = line.values.home ?? defaultHome(env);
  try {
    await ensureDataDirectory(home);
  } catch {
    return null; // a data directory to refuse: main.ts says why
  }
  const vaultKey = readDaemonVaultKey(home);
  vaultKey.catch(() => undefined); // reported by the command, which awaits it
  const context: CommandEnv = {
    home,
    logger: createLogger({ level: debug ? 'debug' : 'warn' }),
    output,
    env,
    interrupted: interruption(),
    withApi: daemonOnly(home, vaultKey),
  };
  try {
    return await command(context);
  } catch (error) {
    if (error instanceof NoDaemon) return null;
    return reportError(error, output, debug);
  }
}
