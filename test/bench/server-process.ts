/**
 * One server of the auth-server benchmark, in a process of its own (see auth-server.bench.ts).
 *
 * Each server gets its own process so that its CPU time is its own: the parent asks for
 * `process.cpuUsage()` before and after a run, and the two servers can be loaded at the same
 * moment, under the same conditions, which a shared two-core machine otherwise never gives.
 *
 * `tokentray` is the production assembly of the auth server: the real TokenBroker holding
 * fresh tokens (the identity provider is never called), the request log, and the request
 * lines written through the redacting logger to a log file, as the desktop app does.
 * `bare` is node:http answering the same bytes with nothing else.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestLog, startAuthServer } from '../../src/core/auth-server/index.js';
import { logRequestLines } from '../../src/core/auth-server/request-lines.js';
import { TokenBroker } from '../../src/core/broker/token-broker.js';
import { createFileSink } from '../../src/core/logging/log-file.js';
import { createLogger, silentLogger } from '../../src/core/logging/logger.js';
import type { AuthServerCredentials } from '../../src/core/auth-server/basic-credentials.js';

export type ServerRequest =
  | { type: 'start-tokentray'; accounts: number; credentials: AuthServerCredentials }
  | { type: 'start-bare'; body: string }
  | { type: 'cpu' };

export type ServerReply = { type: 'listening'; port: number } | { type: 'cpu'; micros: number } | { type: 'failed'; error: string };

/** A token shaped and sized like an Outlook access token (a ~2 KB JWT). */
function fakeAccessToken(): string {
  return `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(1400).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
}

let cleanup: (() => void) | null = null;

async function startTokentray(accounts: number, credentials: AuthServerCredentials): Promise<number> {
  const broker = new TokenBroker({
    providers: () => {
      throw new Error('the bench serves cached tokens only');
    },
    logger: silentLogger,
  });
  const now = Date.now();
  for (let i = 0; i < accounts; i += 1) {
    const record = { id: `acct${i}`, profile: 'outlook' as const, homeAccountId: `home${i}`, username: `acct${i}@contoso.com`, sharedMailbox: null, createdAt: now };
    broker.upsert(record, { accessToken: fakeAccessToken(), expiresAt: now + 3_600_000, homeAccountId: record.homeAccountId, username: record.username, fromCache: false });
  }
  const dir = mkdtempSync(join(tmpdir(), 'tokentray-bench-log-'));
  const logger = createLogger({ level: 'info', sink: createFileSink(join(dir, 'tokentray.log')), component: 'auth-server' });
  const log = new RequestLog();
  const stopLines = logRequestLines(log, logger);
  const server = await startAuthServer({ host: '127.0.0.1', port: 0, credentials: () => credentials, tokenSource: broker, recorder: log, logger });
  cleanup = () => {
    stopLines();
    void server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return server.port;
}

async function startBare(body: Buffer): Promise<number> {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': body.length };
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup = () => server.close();
  return (server.address() as AddressInfo).port;
}

async function answer(request: ServerRequest): Promise<ServerReply> {
  switch (request.type) {
    case 'start-tokentray':
      return { type: 'listening', port: await startTokentray(request.accounts, request.credentials) };
    case 'start-bare':
      return { type: 'listening', port: await startBare(Buffer.from(request.body)) };
    case 'cpu': {
      const usage = process.cpuUsage();
      return { type: 'cpu', micros: usage.user + usage.system };
    }
  }
}

if (process.send !== undefined) {
  process.on('message', (request: ServerRequest) => {
    answer(request).then(
      (reply) => process.send?.(reply),
      (error: unknown) => process.send?.({ type: 'failed', error: String(error) } satisfies ServerReply),
    );
  });
  process.on('disconnect', () => {
    cleanup?.();
    process.exit(0);
  });
}
