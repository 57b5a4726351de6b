/**
 * `tokentray emailengine connect | status | disconnect`: the link to EmailEngine.
 *
 * The API token is read from stdin (when it is not a terminal) or from a hidden prompt, never
 * from argv: a token on the command line would sit in the shell history and in every
 * process listing on the machine.
 */
import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { EXIT_FAILURE, EXIT_OK, ERROR_HINTS } from '../../shared/error-codes.js';
import type { EmailEngineCheck, EmailEnginePreflight, EmailEngineStatus, AuthServerTarget } from '../../shared/emailengine.js';
import { describeBothSides } from '../../shared/emailengine-hints.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { CommandEnv } from '../command-env.js';

/** Where the token comes from; tests pass their own streams. */
export interface TokenInput {
  stdin: Readable & { isTTY?: boolean };
  /** The terminal to prompt on (stderr), when stdin is a terminal. */
  prompt: Writable;
}

const MAX_TOKEN_INPUT_BYTES = 4096;

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > MAX_TOKEN_INPUT_BYTES) throw new TokentrayError('EMAILENGINE_TOKEN_INVALID', 'The input on stdin is too long to be an EmailEngine API token.');
  }
  return text;
}

/** Reads a line without echoing it (the terminal shows nothing while the token is typed). */
function promptHidden(input: TokenInput): Promise<string> {
  return new Promise((resolve, reject) => {
    input.prompt.write('EmailEngine API token (input hidden): ');
    // readline echoes what is typed to its output: give it one that discards everything.
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
    const rl = createInterface({ input: input.stdin, output: muted, terminal: true });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      input.prompt.write('\n');
      resolve(line);
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) reject(new TokentrayError('EMAILENGINE_TOKEN_INVALID', 'No EmailEngine API token was entered.'));
    });
  });
}

export async function readToken(input: TokenInput): Promise<string> {
  const raw = input.stdin.isTTY ? await promptHidden(input) : await readAll(input.stdin);
  const token = raw.trim();
  if (!token) {
    throw new TokentrayError('EMAILENGINE_TOKEN_INVALID', 'No EmailEngine API token was given on stdin.', {
      hint: `Pipe it in, e.g. \`tokentray emailengine connect --url URL < token-file\`, or run it in a terminal to be prompted. ${ERROR_HINTS.EMAILENGINE_TOKEN_INVALID}`,
    });
  }
  return token;
}

function mark(check: EmailEngineCheck): string {
  switch (check.outcome) {
    case 'ok':
      return 'ok  ';
    case 'warn':
      return 'warn';
    case 'fail':
      return 'FAIL';
    case 'skipped':
      return ' -  ';
  }
}

function printPreflight(env: CommandEnv, preflight: EmailEnginePreflight): void {
  env.output.err(`Checking EmailEngine at ${preflight.url}:`);
  for (const check of preflight.checks) {
    env.output.err(`  [${mark(check)}] ${check.id}: ${check.message}`);
    if ((check.outcome === 'warn' || check.outcome === 'fail') && check.code) env.output.err(`         ${ERROR_HINTS[check.code]}`);
  }
}

function describeTarget(target: AuthServerTarget | null): string {
  if (!target) return 'not checked';
  switch (target.kind) {
    case 'unset':
      return 'not set';
    case 'this':
      return `this tokentray (${target.url})`;
    case 'this-outdated':
      return `this tokentray, with an old secret (${target.url})`;
    case 'other':
      return `another server: ${target.url}`;
  }
}

export async function emailEngineConnectCommand(env: CommandEnv, args: { url: string; replace: boolean }, input: TokenInput): Promise<number> {
  const token = await readToken(input);
  return env.withApi(async ({ api }) => {
    printPreflight(env, await api.checkEmailEngine({ url: args.url, token }));
    const result = await api.connectEmailEngine({ url: args.url, token, replace: args.replace });
    const verb = { set: 'set to', replaced: 'replaced: now', updated: 'updated to', unchanged: 'already' }[result.authServer];
    env.output.out(`EmailEngine connected at ${result.status.url}; its authServer ${verb} ${describeTarget(result.status.authServer)}.`);
    if (result.registered.length > 0) env.output.out(`Registered in EmailEngine: ${result.registered.join(', ')}.`);
    for (const failure of result.failed) {
      env.output.err(`tokentray: ${failure.id} was not registered in EmailEngine: ${failure.message}`);
      env.output.err(`  hint: ${ERROR_HINTS[failure.code]}`);
    }
    return result.failed.length > 0 ? EXIT_FAILURE : EXIT_OK;
  });
}

function statusLines(status: EmailEngineStatus): string[] {
  if (!status.connected) return [`EmailEngine: not connected. ${ERROR_HINTS.EMAILENGINE_NOT_CONNECTED}`];
  const facts = [status.version ? `EmailEngine ${status.version}` : null, status.licensed === true ? 'licensed' : status.licensed === false ? 'UNLICENSED' : null].filter(Boolean);
  const lines = [`EmailEngine: connected at ${status.url}${facts.length ? ` (${facts.join(', ')})` : ''}`, `  authServer: ${describeTarget(status.authServer)}`];
  if (status.error) lines.push(`  problem: ${status.error.message}`, `    hint: ${ERROR_HINTS[status.error.code]}`);
  for (const warning of status.warnings) lines.push(`  warning: ${warning.message}`, `    hint: ${ERROR_HINTS[warning.code]}`);
  return lines;
}

export async function emailEngineStatusCommand(env: CommandEnv, json: boolean): Promise<number> {
  return env.withApi(async ({ api }) => {
    const status = await api.emailEngineStatus(true);
    const report = await api.status();
    const orphans = status.connected && !status.error ? await api.emailEngineOrphans().catch(() => []) : [];
    if (json) {
      env.output.out(JSON.stringify({ emailengine: status, accounts: report.accounts.map((account) => ({ id: account.id, emailengine: account.emailengine ?? null })), orphans }, null, 2));
      return status.connected && !status.error ? EXIT_OK : EXIT_FAILURE;
    }
    for (const line of statusLines(status)) env.output.out(line);
    if (status.connected) {
      for (const account of report.accounts) {
        env.output.out(`${account.id}: ${describeBothSides(account) ?? ''}`);
        if (account.emailengine?.lastError) env.output.out(`  EmailEngine's last error: ${account.emailengine.lastError.response}`);
        if (account.emailengine?.hint) env.output.out(`  hint: ${account.emailengine.hint}`);
      }
      for (const orphan of orphans) {
        env.output.out(`${orphan.id}: in EmailEngine, not connected here (${orphan.state}); connect it with \`tokentray account add ${orphan.id}${orphan.profile === 'outlook' ? '' : ` --profile ${orphan.profile}`}\``);
      }
    }
    return status.connected && !status.error ? EXIT_OK : EXIT_FAILURE;
  });
}

export async function emailEngineDisconnectCommand(env: CommandEnv): Promise<number> {
  return env.withApi(async ({ api }) => {
    const before = await api.emailEngineStatus();
    await api.disconnectEmailEngine();
    env.output.out(
      before.connected
        ? `Disconnected from EmailEngine at ${before.url}. Its authServer and accounts were left as they are (they keep asking this tokentray while it runs).`
        : 'No EmailEngine was connected.',
    );
    return EXIT_OK;
  });
}
