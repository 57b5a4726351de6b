/**
 * The sign-in loopback listener on real sockets: one-time start link, state check, caps,
 * one answer only, abort by signal.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { ListenerAbortError, LoopbackListener, MAX_CALLBACK_BODY_BYTES } from '../../../src/core/identity/loopback-listener.js';
import { SignInSession } from '../../../src/core/identity/interactive-sign-in.js';

const AUTHORIZE = 'https://login.example.test/authorize?client_id=x&state=S';
const open: LoopbackListener[] = [];
afterEach(() => {
  for (const listener of open.splice(0)) listener.close();
});

async function listener(options: Partial<Parameters<typeof LoopbackListener.open>[0]> = {}): Promise<LoopbackListener> {
  const created = await LoopbackListener.open({ responseMode: 'form_post', successPage: '<p>ok page</p>', errorPage: '<p>error page</p>', ...options });
  open.push(created);
  return created;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host: `localhost:${port}`, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function settled<T>(promise: Promise<T>): Promise<'pending' | 'settled'> {
  return Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 50))]);
}

describe('loopback listener', () => {
  it('redirects the start link once to the authorize URL, then takes the form post with the right state', async () => {
    const l = await listener();
    assert.match(l.redirectUri, /^http:\/\/localhost:\d+$/);
    const start = l.expect(AUTHORIZE, 'state-1');
    assert.match(start, /^http:\/\/localhost:\d+\/start\/[A-Za-z0-9_-]{32}$/);
    assert.ok(!start.includes('state-1'), 'the start link carries no state');
    const first = await send(l.port, 'GET', new URL(start).pathname);
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, AUTHORIZE);
    assert.equal(first.headers['cache-control'], 'no-store');
    const answer = await send(l.port, 'POST', '/', 'code=the-code&state=state-1&client_info=ci');
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '<p>ok page</p>');
    assert.deepEqual({ ...(await l.response()) }, { code: 'the-code', state: 'state-1', client_info: 'ci' });
    const late = await send(l.port, 'POST', '/', 'code=other&state=state-1');
    assert.match(late.body, /already finished/, 'one answer only');
  });

  it('aborts the whole sign-in when the start link is opened a second time', async () => {
    const l = await listener();
    const path = new URL(l.expect(AUTHORIZE, 'state-2')).pathname;
    assert.equal((await send(l.port, 'GET', path)).status, 302, 'whoever is first gets the URL');
    const second = await send(l.port, 'GET', path);
    assert.equal(second.status, 409);
    assert.match(second.body, /opened twice/);
    await assert.rejects(l.response(), (error: unknown) => error instanceof ListenerAbortError && error.reason === 'link-reused');
    const after = await send(l.port, 'POST', '/', 'code=attacker-code&state=state-2');
    assert.match(after.body, /already finished/, 'the state holder cannot complete it afterwards');
  });

  it('ignores wrong, repeated or missing states, other paths, unknown start links and bad hosts', async () => {
    const l = await listener();
    const path = new URL(l.expect(AUTHORIZE, 'state-3')).pathname;
    assert.equal((await send(l.port, 'POST', '/', 'code=c&state=state-X')).status, 400);
    assert.equal((await send(l.port, 'POST', '/', 'code=c&state=state-3&state=state-3')).status, 400);
    assert.equal((await send(l.port, 'POST', '/', 'code=c')).status, 400);
    assert.equal((await send(l.port, 'POST', '/', 'error=access_denied&state=nope')).status, 400);
    assert.equal((await send(l.port, 'GET', '/?code=c&state=state-3')).status, 400, 'form_post mode refuses a query answer');
    assert.equal((await send(l.port, 'GET', `${path}x`)).status, 404);
    assert.equal((await send(l.port, 'GET', '/start/guess')).status, 404);
    assert.equal((await send(l.port, 'GET', path, undefined, { host: 'evil.example' })).status, 421, 'DNS rebinding');
    assert.equal((await send(l.port, 'PUT', '/')).status, 405);
    assert.equal((await send(l.port, 'POST', '/', 'code=c&state=state-3', { 'content-type': 'text/plain' })).status, 415);
    assert.equal(await settled(l.response()), 'pending', 'none of these settled or cancelled the sign-in');
    assert.equal((await send(l.port, 'GET', path)).status, 302, 'the start link was not used up by the 404s');
  });

  it('refuses an oversized body at once, declared or streamed, and keeps waiting', async () => {
    const l = await listener();
    l.expect(AUTHORIZE, 'state-4');
    const declared = await send(l.port, 'POST', '/', 'x', { 'content-length': String(MAX_CALLBACK_BODY_BYTES + 1) }).catch((error: Error) => error);
    assert.ok(declared instanceof Error || declared.status === 413);
    // 8 MB streamed without a length: answered 413 and cut off long before the end.
    const streamed = await new Promise<string>((resolve) => {
      const socket = connect(l.port, '127.0.0.1');
      let got = '';
      let written = 0;
      socket.setEncoding('latin1').on('data', (chunk: string) => (got += chunk));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
      socket.write(`POST / HTTP/1.1\r\nHost: localhost:${l.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = 'a'.repeat(64 * 1024);
      const pump = (): void => {
        while (written < 8 * 1024 * 1024 && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    assert.match(streamed, /^HTTP\/1\.1 413/);
    assert.equal(await settled(l.response()), 'pending');
    assert.equal((await send(l.port, 'POST', '/', 'code=c&state=state-4')).status, 200, 'the real answer still gets through');
    assert.equal((await l.response()).code, 'c');
  });

  it('ends on Cancel and timeout through the session signal, and on close', async () => {
    const cancelled = new SignInSession();
    const l = await listener({ signal: cancelled.signal });
    l.expect(AUTHORIZE, 'state-5');
    await cancelled.end('cancelled');
    await assert.rejects(l.response(), (error: unknown) => error instanceof ListenerAbortError && error.reason === 'cancelled');
    assert.equal(cancelled.endedBy, 'cancelled');

    const timedOut = new SignInSession();
    await timedOut.end('timeout');
    const early = await listener({ signal: timedOut.signal });
    await assert.rejects(early.response(), (error: unknown) => error instanceof ListenerAbortError && error.reason === 'timeout');

    const closing = await listener();
    closing.close();
    await assert.rejects(closing.response(), (error: unknown) => error instanceof ListenerAbortError && error.reason === 'closed');
    await assert.rejects(send(closing.port, 'GET', '/'), 'nothing listens after close');
  });

  it('takes a GET query answer in query mode (Google) and binds 127.0.0.1 only', async () => {
    const l = await listener({ responseMode: 'query', redirectHost: '127.0.0.1' });
    assert.match(l.redirectUri, /^http:\/\/127\.0\.0\.1:\d+$/);
    l.expect(AUTHORIZE, 'state-6');
    assert.equal((await send(l.port, 'POST', '/', 'code=c&state=state-6')).status, 405);
    assert.equal((await send(l.port, 'GET', '/?code=q&state=state-6')).status, 200);
    assert.equal((await l.response()).code, 'q');
  });
});
