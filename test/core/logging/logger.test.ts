import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, redact, silentLogger, type LogLevel } from '../../../src/core/logging/logger.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJlLWJ5dGVz';
const REFRESH_TOKEN = '0.AXoA8sWq-kK1rEeoHw7Lc1yT1kG4m1pQ2sV7_xYz0123456789abcdefGHIJKLMNop';
const OPAQUE_SECRET = 'Zm9vYmFyYmF6cXV4cXV1eHpvcmtmcm9ib3p6bGUtd2liYmxl'; // 48 chars of base64url

function capture(level: LogLevel = 'debug', component?: string): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ sink: (line) => lines.push(line), level, ...(component ? { component } : {}) });
  return { lines, logger };
}

describe('redact', () => {
  it('masks JWTs', () => {
    assert.equal(redact(`got ${JWT} back`), 'got [redacted-jwt] back');
  });

  it('masks Basic and Bearer credentials', () => {
    assert.equal(redact('Authorization: Bearer abc.def-123'), 'Authorization: Bearer [redacted]');
    assert.equal(redact('authorization: basic dG9rZW50cmF5OnMzY3JldA=='), 'authorization: basic [redacted]');
  });

  it('masks credentials in URLs', () => {
    assert.equal(redact('auth server at http://tokentray:s3cret@127.0.0.1:7411/'), 'auth server at http://[redacted]@127.0.0.1:7411/');
  });

  it('masks long opaque tokens', () => {
    assert.equal(redact(`refresh token ${REFRESH_TOKEN} rejected`), 'refresh token [redacted] rejected');
    assert.equal(redact(`server secret: ${OPAQUE_SECRET}`), 'server secret: [redacted]');
  });

  it('keeps ordinary messages readable', () => {
    for (const text of [
      'refresh of work failed; retrying',
      'account sales-eu.2 connected',
      'listening on http://127.0.0.1:7411',
      'account alice@contoso.com needs sign-in: AADSTS50173 (password changed)',
      'tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 at 2025-01-06T09:00:00.000Z',
      'control channel listening on /tmp/tokentray-0123456789abcdef.sock',
    ]) {
      assert.equal(redact(text), text);
    }
  });

  it('keeps a long file path in a message readable', () => {
    // VAULT_CORRUPT, VAULT_KEY_MISSING, ALREADY_RUNNING name a path the user must act on; the
    // CLI prints every error message through redact().
    const text = 'The vault /home/alexandra/.config/tokentray/vault.bin cannot be read: the file is truncated.';
    assert.equal(redact(text), text);
  });
});

describe('createLogger', () => {
  it('masks fields whose name says they hold a secret', () => {
    const { lines, logger } = capture();
    logger.info('signed in', {
      accessToken: 'short',
      refresh_token: 'short',
      password: 'pw',
      clientSecret: 's',
      authorization: 'x',
      cookie: 'c',
      code_verifier: 'v',
      account: 'work',
      count: 3,
    });
    const fields = JSON.parse(lines[0]!.slice(lines[0]!.indexOf('{'))) as Record<string, unknown>;
    assert.deepEqual(fields, {
      accessToken: '[redacted]',
      refresh_token: '[redacted]',
      password: '[redacted]',
      clientSecret: '[redacted]',
      authorization: '[redacted]',
      cookie: '[redacted]',
      code_verifier: '[redacted]',
      account: 'work',
      count: 3,
    });
  });

  it('redacts the message, string fields and errors', () => {
    const { lines, logger } = capture();
    logger.warn(`token was ${JWT}`, { detail: `Bearer ${REFRESH_TOKEN}`, error: new Error(`upstream said ${REFRESH_TOKEN}`) });
    const line = lines.join('\n');
    assert.ok(!line.includes(JWT) && !line.includes(REFRESH_TOKEN), line);
    assert.match(line, /token was \[redacted-jwt\]/);
    assert.match(line, /Error: upstream said \[redacted\]/);
  });

  it('masks secrets inside nested field values', () => {
    const { lines, logger } = capture();
    logger.error('control request failed', {
      error: { errorCode: 'invalid_grant', refreshToken: 'rt-short-secret' },
      request: { headers: { authorization: 'Basic dG9rZW50cmF5OnB3' } },
      attempts: [`Bearer ${REFRESH_TOKEN}`],
    });
    const line = lines.join('\n');
    for (const secret of ['rt-short-secret', 'dG9rZW50cmF5OnB3', REFRESH_TOKEN]) {
      assert.ok(!line.includes(secret), `${secret} reached the log: ${line}`);
    }
  });

  it('writes level, component tag and message on one line', () => {
    const { lines, logger } = capture('info', 'auth-server');
    logger.info('listening on http://127.0.0.1:7411');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO \[auth-server\] listening on http:\/\/127\.0\.0\.1:7411$/);
  });

  it('drops lines below the level threshold', () => {
    const { lines, logger } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    assert.deepEqual(lines.map((line) => line.split(' ')[1]), ['WARN', 'ERROR']);
    const byDefault: string[] = [];
    const defaultLogger = createLogger({ sink: (line) => byDefault.push(line) });
    defaultLogger.debug('hidden');
    defaultLogger.info('shown');
    assert.equal(byDefault.length, 1, 'the default level is info');
  });

  it('tags child loggers with nested component names', () => {
    const { lines, logger } = capture('info', 'core');
    logger.child('broker').info('one');
    logger.child('broker').child('msal').warn('two');
    assert.match(lines[0]!, / INFO \[core:broker\] one$/);
    assert.match(lines[1]!, / WARN \[core:broker:msal\] two$/);
  });

  it('leaves no tag when there is no component', () => {
    const { lines, logger } = capture('info');
    logger.info('plain');
    assert.match(lines[0]!, / INFO plain$/);
  });

  it('has a silent logger that writes nothing', () => {
    silentLogger.error('nothing to see');
    silentLogger.child('x').warn('still nothing');
  });
});
