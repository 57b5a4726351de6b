import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { readToken } from '../../src/cli/commands/emailengine-commands.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';

const TOKEN = 'a1'.repeat(32);

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('reading the EmailEngine API token', () => {
  it('reads it from stdin when stdin is not a terminal, trimmed', async () => {
    const stdin = new PassThrough();
    stdin.end(`  ${TOKEN}\n`);
    const prompt = capture();
    assert.equal(await readToken({ stdin, prompt: prompt.stream }), TOKEN);
    assert.equal(prompt.text(), '', 'no prompt for piped input');
  });

  it('prompts on a terminal without echoing what is typed', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const prompt = capture();
    const answer = readToken({ stdin, prompt: prompt.stream });
    stdin.write(`${TOKEN}\n`);
    assert.equal(await answer, TOKEN);
    assert.match(prompt.text(), /EmailEngine API token \(input hidden\)/);
    assert.ok(!prompt.text().includes(TOKEN), 'the token is not echoed');
  });

  it('refuses empty input with the token how-to', async () => {
    const stdin = new PassThrough();
    stdin.end('\n');
    await assert.rejects(readToken({ stdin, prompt: capture().stream }), (error: unknown) => {
      assert.ok(error instanceof TokentrayError);
      assert.equal(error.code, 'EMAILENGINE_TOKEN_INVALID');
      assert.match(error.hint, /emailengine tokens issue -s '\*'/);
      return true;
    });
  });
});
