import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SignInSession } from '../../../src/core/identity/interactive-sign-in.js';

interface Received {
  method: string;
  path: string;
  contentType: string;
  form: Record<string, string>;
}

function authorizeUrl(port: number, state = 'state-123'): string {
  const url = new URL('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize');
  url.searchParams.set('client_id', '11111111-2222-3333-4444-555555555555');
  url.searchParams.set('redirect_uri', `http://localhost:${port}`);
  url.searchParams.set('state', state);
  url.searchParams.set('response_mode', 'form_post');
  return url.href;
}

describe('SignInSession', () => {
  let server: Server;
  let port: number;
  let received: Received[];

  beforeEach(async () => {
    received = [];
    // Stands in for MSAL's loopback listener (it accepts the response as a form POST).
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          contentType: req.headers['content-type'] ?? '',
          form: Object.fromEntries(new URLSearchParams(body)),
        });
        res.end('closed');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends a sign-in by posting access_denied with the state to the loopback listener', async () => {
    const session = new SignInSession();
    session.noteAuthorizeUrl(authorizeUrl(port));
    await session.end('cancelled');
    assert.equal(session.endedBy, 'cancelled');
    assert.deepEqual(received, [
      {
        method: 'POST',
        path: '/',
        contentType: 'application/x-www-form-urlencoded',
        form: { error: 'access_denied', error_description: 'tokentray_cancelled', state: 'state-123' },
      },
    ]);
  });

  it('remembers a cancel that came before the browser opened, and sends it once the URL is known', async () => {
    const session = new SignInSession();
    await session.end('cancelled');
    assert.equal(session.endedBy, 'cancelled');
    assert.equal(received.length, 0);
    session.noteAuthorizeUrl(authorizeUrl(port, 'late-state'));
    await session.end('cancelled'); // resolves once the post went out
    assert.equal(received.length, 1);
    assert.equal(received[0]?.form.state, 'late-state');
  });

  it('keeps the first reason and posts only once', async () => {
    const session = new SignInSession();
    session.noteAuthorizeUrl(authorizeUrl(port));
    await Promise.all([session.end('timeout'), session.end('cancelled')]);
    assert.equal(session.endedBy, 'timeout');
    assert.equal(received.length, 1);
    assert.equal(received[0]?.form.error_description, 'tokentray_timeout');
  });

  it('resolves even when the listener is already gone', async () => {
    const session = new SignInSession();
    await new Promise((resolve) => server.close(resolve));
    server = createServer(); // afterEach closes this one instead
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    session.noteAuthorizeUrl(authorizeUrl(port));
    await session.end('timeout');
    assert.equal(session.endedBy, 'timeout');
  });

  it('ignores an authorize URL without redirect_uri or state', async () => {
    const session = new SignInSession();
    session.noteAuthorizeUrl('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x');
    await session.end('cancelled');
    assert.equal(session.endedBy, 'cancelled');
    assert.equal(received.length, 0);
  });
});
