/**
 * A Google token from the auth server really works for SMTP XOAUTH2: a real SMTP server
 * (smtp-server) accepts the login only when the Google-shaped identity provider vouches for
 * the token (its user, and the https://mail.google.com/ scope), and nodemailer fetches its
 * credentials from the auth server exactly as EmailEngine does before sending.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { silentLogger } from '../../src/core/logging/logger.js';
import { openCore, type OpenedCore } from '../../src/core/open-core.js';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { completeSignIn } from '../support/identity-provider/index.js';
import { GMAIL_SCOPE, startGoogleIdentityProvider, type GoogleIdentityProvider } from '../support/identity-provider/google-identity-provider.js';
import { createTrustingFetch } from '../support/identity-provider/trusting-fetch.js';
import { memorySettings } from '../support/memory-settings.js';

const ALICE = 'alice@gmail.test';
const LIFETIME_S = 8;

describe('SMTP XOAUTH2 with a Google token from the auth server', () => {
  let idp: GoogleIdentityProvider;
  let core: OpenedCore;
  let home: string;
  let smtp: SMTPServer;
  let smtpPort = 0;
  const received: string[] = [];
  const logins: { user: string; ok: boolean }[] = [];

  before(async () => {
    idp = await startGoogleIdentityProvider({ users: [ALICE], accessTokenLifetimeSeconds: LIFETIME_S });
    home = await mkdtemp(join(tmpdir(), 'tokentray-smtp-google-'));
    core = await openCore({
      home,
      role: 'daemon',
      logger: silentLogger,
      settingsBackend: memorySettings({ 'google.clientId': idp.clientId, 'google.endpoint': idp.endpoint, port: 0 }),
      googleFetch: createTrustingFetch(idp.caCertPem),
    });
    await core.start();
    await core.setClientSecret('google', idp.clientSecret);
    await core.connectAccount(
      { id: 'gmail', provider: 'google', email: ALICE },
      { onAuthorizeUrl: (url) => void completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }) },
    );

    smtp = new SMTPServer({
      authMethods: ['XOAUTH2'],
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        idp
          .introspect(auth.accessToken ?? '')
          .then((token) => {
            const ok = token !== null && token.email === auth.username && token.scopes.includes(GMAIL_SCOPE);
            logins.push({ user: auth.username ?? '', ok });
            callback(ok ? null : new Error('token not for this user'), ok ? { user: auth.username } : undefined);
          })
          .catch(() => callback(new Error('invalid token')));
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
    if (core) {
      await core.close();
      await Vault.reset(dataFiles(home).vault, new KeytarSecretStore());
    }
    if (home) await rm(home, { recursive: true, force: true });
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await idp?.close();
  });

  const send = async (subject: string): Promise<void> => {
    const answer = await askLikeEmailEngine(await core.serverUrl(), 'gmail', 'smtp');
    assert.equal(answer.status, 200, `${answer.status} ${answer.reason}`);
    const { user, accessToken } = JSON.parse(answer.body) as { user: string; accessToken: string };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, auth: { type: 'OAuth2', user, accessToken } });
    await transport.sendMail({ from: user, to: 'bob@example.test', subject, text: 'hello' });
    transport.close();
  };

  it('sends a message with a Google token the SMTP server accepts', async () => {
    await send('first');
    assert.equal(received.length, 1);
    assert.deepEqual(logins.at(-1), { user: ALICE, ok: true });
  });

  it('still sends after the token expired (refreshed on demand, same refresh token)', async () => {
    const refreshTokens = idp.issuedRefreshTokens().length;
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 200));
    await send('second');
    assert.equal(received.length, 2);
    assert.deepEqual(logins.at(-1), { user: ALICE, ok: true });
    assert.equal(idp.issuedRefreshTokens().length, refreshTokens);
  });

  it('refuses to hand out a token once Google revoked the grant', async () => {
    idp.revokeUser(ALICE);
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 200));
    const answer = await askLikeEmailEngine(await core.serverUrl(), 'gmail', 'smtp');
    assert.equal(answer.status, 409);
    const status = await core.status();
    assert.equal(status.accounts[0]!.state.kind, 'needs-sign-in');
    assert.equal(status.accounts[0]!.provider, 'google');
    assert.equal(received.length, 2);
  });
});
