/**
 * `tokentray config set-secret google.clientSecret`: stores the Google OAuth client secret in
 * the vault.
 *
 * The secret is read from standard input (typed without echo on a terminal, or piped), never
 * from the command line: argv is readable by every user of the machine (ps, /proc).
 */
import { EXIT_OK } from '../../shared/error-codes.js';
import { usageError, type CommandEnv } from '../command-env.js';

const SECRET_NAMES = ['google.clientSecret'] as const;
const MAX_SECRET_BYTES = 4096;

function readPiped(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_SECRET_BYTES) reject(usageError('The secret on standard input is too long.'));
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

function readHidden(stream: NodeJS.ReadStream, prompt: (text: string) => void): Promise<string> {
  return new Promise((resolve) => {
    prompt('Google client secret (input hidden, Enter to finish): ');
    let text = '';
    stream.setRawMode(true);
    stream.setEncoding('utf8');
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004' || char === '\u0003') {
          stream.setRawMode(false);
          stream.off('data', onData);
          stream.pause();
          resolve(char === '\u0003' ? '' : text);
          return;
        }
        text = char === '\u007f' ? text.slice(0, -1) : text + char;
      }
    };
    stream.on('data', onData);
    stream.resume();
  });
}

export async function clientSecretCommand(env: CommandEnv, name: string, input: NodeJS.ReadStream = process.stdin): Promise<number> {
  if (!(SECRET_NAMES as readonly string[]).includes(name)) throw usageError(`Unknown secret "${name.slice(0, 60)}".`, `Known: ${SECRET_NAMES.join(', ')}.`);
  const text = (input.isTTY ? await readHidden(input, (line) => process.stderr.write(line)) : await readPiped(input)).trim();
  if (input.isTTY) process.stderr.write('\n');
  if (!text) throw usageError('No secret given: nothing was changed.', 'Paste the client secret, or pipe it in: `tokentray config set-secret google.clientSecret < secret.txt`.');
  await env.withApi(({ api }) => api.setClientSecret('google', text === 'null' ? null : text));
  env.output.out(text === 'null' ? 'google.clientSecret removed from the vault.' : 'google.clientSecret stored in the vault.');
  return EXIT_OK;
}
