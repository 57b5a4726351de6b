/**
 * The `tokentray` command line, read once: options, the command's name and its arguments.
 *
 * Shared by both ways a command is started (main.ts, and daemon-fast-path.ts for the commands
 * a running daemon answers), so a command line means the same thing, and is refused with
 * the same words, whichever one reads it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Proto } from '../shared/account-status.js';
import { TokentrayError } from '../shared/tokentray-error.js';

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

/** Commands with subcommands: `account add`, `config get`, … */
const GROUPS = ['account', 'config', 'vault', 'emailengine'];
/** Groups whose subcommand is required (`config` alone shows its help). */
const SUBCOMMAND_REQUIRED: Record<string, string> = {
  account: 'add, list or remove',
  vault: 'reset',
  emailengine: 'connect, status or disconnect',
};

function parseOptions(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export type CommandOptions = ReturnType<typeof parseOptions>['values'];

export interface CommandLine {
  values: CommandOptions;
  /** The first word (`account`), absent for a bare `tokentray`. */
  group: string | undefined;
  /** The whole command's name: `account add`, `token`, … */
  name: string | undefined;
  /** The command's own arguments, after its name. */
  args: string[];
  /** Every positional word, for "unknown command" messages. */
  positionals: string[];
}

/** The commands a running daemon answers in milliseconds (daemon-fast-path.ts). */
export const DAEMON_ANSWERED_COMMANDS: ReadonlySet<string> = new Set(['token', 'status', 'server-url']);

export function usage(message: string, command?: string): TokentrayError {
  return new TokentrayError('USAGE', message, { hint: command ? `Run \`tokentray ${command} --help\`.` : 'Run `tokentray --help`.' });
}

export function parseCommandLine(argv: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw usage((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  const [group, sub, ...rest] = positionals;
  const grouped = group !== undefined && GROUPS.includes(group);
  const name = grouped && sub ? `${group} ${sub}` : group;
  const args = grouped ? rest : [sub, ...rest].filter((x): x is string => x !== undefined);
  return { values, group, name, args, positionals };
}

/** Refuses `tokentray account` and the like before anything runs (help and version aside). */
export function requireSubcommand(line: CommandLine): void {
  const { group, name } = line;
  if (group !== undefined && name === group && group in SUBCOMMAND_REQUIRED) {
    throw usage(`"${group}" needs a subcommand: ${SUBCOMMAND_REQUIRED[group]}.`);
  }
}

export function expectArguments(line: CommandLine, count: number, what: string): void {
  if (line.args.length !== count) throw usage(`${line.name} takes ${what}.`, line.name);
}

/** `token <id> [--proto imap|smtp|api] [--json]` */
export function tokenArguments(line: CommandLine): { id: string; proto: Proto | undefined; json: boolean } {
  expectArguments(line, 1, 'one account id');
  const proto = line.values.proto;
  if (proto !== undefined && proto !== 'imap' && proto !== 'smtp' && proto !== 'api') throw usage(`--proto must be imap, smtp or api, not "${proto}".`, line.name);
  return { id: line.args[0] as string, proto, json: line.values.json === true };
}
