/**
 * The token tokentray serves really works for SMTP XOAUTH2: a real SMTP server (smtp-server)
 * accepts a login only when the access token verifies against the identity provider's keys,
 * and a client (nodemailer) fetches its credentials from the auth server exactly as
 * EmailEngine does (same URL shape, same headers) before sending.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { OpenedCore } from '../../src/core/open-core.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { startTestCore, type TestCore } from '../support/local-setup.js';

const ALICE = 'alice@contoso.test';
const LIFETIME_S = 8;

describe('SMTP XOAUTH2 with the token from the auth server', () => {
  let idp: TestIdentityProvider;
  let local: TestCore | undefined;
  let core: OpenedCore;
  let smtp: SMTPServer;
  let smtpPort = 0;
  const received: string[] = [];
  const logins: { user: string; ok: boolean }[] = [];

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE }] });
    idp.setAccessTokenLifetime(LIFETIME_S);
    local = await startTestCore(idp, { prefix: 'smtp' });
    core = local.core;
    await core.connectAccount(
      { id: 'sales', email: ALICE },
      { onAuthorizeUrl: (url) => void completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }) },
    );

    smtp = new SMTPServer({
      authMethods: ['XOAUTH2'],
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        idp
          .verifyAccessToken(auth.accessToken ?? '', { audience: 'https://outlook.office.com' })
          .then((claims) => {
            const ok = claims.upn === auth.username && String(claims.scp).includes('SMTP.Send');
            logins.push({ user: auth.username ?? '', ok });
            callback(ok ? null : new Error('token not for this user'), ok ? { user: auth.username } : undefined);
          })
          .catch(() => {
            logins.push({ user: auth.username ?? '', ok: false });
            callback(new Error('invalid token'));
          });
      },
      onData(stream, _session, callback) {
        let data = '';
        stream.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        stream.on('end', () => {
          received.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  after(async () => {
    await local?.dispose();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await idp?.close();
  });

  const send = async (subject: string): Promise<void> => {
    const answer = await askLikeEmailEngine(await core.serverUrl(), 'sales', 'smtp');
    assert.equal(answer.status, 200, `${answer.status} ${answer.reason}`);
    const { user, accessToken } = JSON.parse(answer.body) as { user: string; accessToken: string };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { type: 'OAuth2', user, accessToken } });
    await transport.sendMail({ from: user, to: 'bob@example.test', subject, text: 'hello' });
    transport.close();
  };

  it('sends a message with a token the SMTP server verifies', async () => {
    await send('first');
    assert.equal(received.length, 1);
    assert.match(received[0]!, /Subject: first/);
    assert.deepEqual(logins.at(-1), { user: ALICE, ok: true });
  });

  it('still sends after the token expired (refreshed on demand)', async () => {
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 200));
    await send('second');
    assert.equal(received.length, 2);
    assert.deepEqual(logins.at(-1), { user: ALICE, ok: true });
  });

  it('refuses to hand out a dead token once the account is revoked', async () => {
    idp.revokeUser(ALICE, 50173);
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 200));
    const answer = await askLikeEmailEngine(await core.serverUrl(), 'sales', 'smtp');
    assert.equal(answer.status, 409);
    assert.match(answer.reason, /sign in to tokentray again/i);
    assert.doesNotMatch(answer.body, /accessToken/);
    const status = await core.status();
    assert.equal(status.accounts[0]!.state.kind, 'needs-sign-in');
    assert.equal(received.length, 2, 'no message was attempted with a dead token');
  });
});
