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

  it('flushes early in a burst, so the ring is not overrun, and says so when it was', async () => {
    const lines: string[] = [];
    const log = new RequestLog(10);
    const stop = logRequestLines(log, createLogger({ level: 'info', sink: (line) => lines.push(line) }), 60_000);
    for (let i = 0; i < 25; i += 1) log.record({ at: i, account: `a${i}`, proto: 'imap', outcome: 'ok', status: 200, latencyMs: 0.1, client: '127.0.0.1' });
    stop();
    assert.equal(lines.filter((line) => line.includes('request account=')).length, 10);
    assert.ok(lines.some((line) => line.includes('15 request(s) not logged')), lines.join('\n'));
  });
});
