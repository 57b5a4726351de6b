import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { RequestLog, startAuthServer } from '../../../src/core/auth-server/index.js';
import { logRequestLines } from '../../../src/core/auth-server/request-lines.js';
import { createLogger } from '../../../src/core/logging/logger.js';

const CREDENTIALS = { username: 'emailengine', password: 'pw-0123456789abcdef0123456789' };
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

function get(port: number, path: string, password = CREDENTIALS.password): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization: `Basic ${Buffer.from(`${CREDENTIALS.username}:${password}`).toString('base64')}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('request lines', () => {
  it('logs one info line per request, after the answer, with no token or secret', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', sink: (line) => lines.push(line), component: 'auth-server' });
    const log = new RequestLog();
    const stop = logRequestLines(log, logger, 20);
    const server = await startAuthServer({
      host: '127.0.0.1',
      port: 0,
      credentials: () => CREDENTIALS,
      tokenSource: { grantFor: (account) => ({ user: `${account}@contoso.com`, accessToken: TOKEN }) },
      recorder: log,
      logger: createLogger({ level: 'error', sink: () => undefined }),
    });
    try {
      assert.equal(await get(server.port, '/authentication?account=sales&proto=smtp'), 200);
      assert.equal(await get(server.port, '/authentication?account=sales&proto=imap', 'wrong-password-0123456789'), 401);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const requestLines = lines.filter((line) => line.includes('request account='));
      assert.equal(requestLines.length, 2, lines.join('\n'));
      assert.match(requestLines[0]!, /INFO \[auth-server\] request account=sales proto=smtp 200 ok [\d.]+ ms client=127\.0\.0\.1/);
      assert.match(requestLines[1]!, /request account=sales proto=imap 401 credentials_wrong [\d.]+ ms/);
      for (const line of lines) {
        assert.ok(!line.includes(TOKEN) && !line.includes(CREDENTIALS.password), line);
      }
    } finally {
      await server.close();
      stop();
    }
  });

  it('summarizes a burst in a few lines, by kind, instead of a line per request', () => {
    const lines: string[] = [];
    const log = new RequestLog(50);
    const stop = logRequestLines(log, createLogger({ level: 'info', sink: (line) => lines.push(line) }), 60_000);
    const record = (account: string, status: number, outcome: string, client: string): void =>
      log.record({ at: 0, account, proto: 'imap', outcome, status, latencyMs: 0.25, client });
    for (let i = 0; i < 30; i += 1) record('sales', 200, 'ok', '127.0.0.1');
    for (let i = 0; i < 12; i += 1) record('sales', 401, 'credentials_wrong', '127.0.0.2');
    for (let i = 0; i < 18; i += 1) record(`x${i}`, 404, 'ACCOUNT_NOT_FOUND', '127.0.0.2');
    stop();
    assert.equal(lines.filter((line) => line.includes('request account=')).length, 0, 'no line per request');
    assert.match(lines[0]!, /requests: 60 in the last [\d.]+ s \(a burst, summarized\); the newest 50 by kind:/);
    assert.match(lines[1]!, /requests account=sales proto=imap 200 ok x20 \(slowest 0\.25 ms\) client=127\.0\.0\.1/);
    assert.match(lines[2]!, /requests account=sales proto=imap 401 credentials_wrong x12 .* client=127\.0\.0\.2/);
    assert.equal(lines.length, 1 + 8 + 1, lines.join('\n'));
    assert.match(lines.at(-1)!, /requests of 12 other kinds x12/);
  });

  it('itemizes a batch of up to 20 requests', () => {
    const lines: string[] = [];
    const log = new RequestLog(50);
    const stop = logRequestLines(log, createLogger({ level: 'info', sink: (line) => lines.push(line) }), 60_000);
    for (let i = 0; i < 20; i += 1) log.record({ at: i, account: `a${i}`, proto: 'smtp', outcome: 'ok', status: 200, latencyMs: 0.1, client: '127.0.0.1' });
    stop();
    assert.equal(lines.length, 20);
    assert.match(lines[19]!, /request account=a19 proto=smtp 200 ok 0\.1 ms client=127\.0\.0\.1/);
  });
});
