import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { registrationChanges, registrationFor, usesAuthServer } from '../../../src/core/emailengine/account-registration.js';

const BASE = { id: 'sales', username: 'alice@contoso.com', user: 'sales@contoso.com', cloud: 'global' as const };

describe('account registration', () => {
  it('registers IMAP + SMTP with useAuthServer and the hosts of the cloud, without an auth block', () => {
    assert.deepEqual(registrationFor({ ...BASE, profile: 'outlook' }), {
      account: 'sales',
      name: 'sales@contoso.com',
      email: 'sales@contoso.com',
      imap: { useAuthServer: true, host: 'outlook.office365.com', port: 993, secure: true },
      smtp: { useAuthServer: true, host: 'smtp.office365.com', port: 587, secure: false },
    });
    const gcc = registrationFor({ ...BASE, profile: 'outlook', cloud: 'gcc-high' });
    assert.equal((gcc.imap as { host: string }).host, 'outlook.office365.us');
    assert.equal((gcc.smtp as { host: string }).host, 'smtp.office365.us');
    const dod = registrationFor({ ...BASE, profile: 'outlook', cloud: 'dod' });
    assert.equal((dod.smtp as { host: string }).host, 'outlook-dod.office365.us');
  });

  it('gives Gmail accounts Gmail\'s hosts (465 TLS for SMTP)', () => {
    const gmail = registrationFor({ ...BASE, profile: 'gmail', provider: 'google' });
    assert.deepEqual(gmail.imap, { useAuthServer: true, host: 'imap.gmail.com', port: 993, secure: true });
    assert.deepEqual(gmail.smtp, { useAuthServer: true, host: 'smtp.gmail.com', port: 465, secure: true });
  });

  it('registers Graph accounts with the OAuth2 app as provider and auth.user (useAuthServer alone is refused by EmailEngine)', () => {
    const graph = registrationFor({ ...BASE, profile: 'graph', graphAppId: 'APP1' });
    assert.deepEqual(graph.oauth2, { provider: 'APP1', useAuthServer: true, auth: { user: 'sales@contoso.com' } });
    assert.equal(graph.imap, false);
    assert.throws(() => registrationFor({ ...BASE, profile: 'graph' }));
  });

  it('registers Gmail API accounts like Graph ones, naming the "gmail" app of base scope api', () => {
    const gmailApi = registrationFor({ ...BASE, id: 'mail', profile: 'gmail-api', provider: 'google', username: 'ann@gmail.com', user: 'ann@gmail.com', gmailApiAppId: 'GAPP' });
    assert.deepEqual(gmailApi, {
      account: 'mail',
      name: 'ann@gmail.com',
      email: 'ann@gmail.com',
      imap: false,
      smtp: false,
      oauth2: { provider: 'GAPP', useAuthServer: true, auth: { user: 'ann@gmail.com' } },
    });
    assert.throws(() => registrationFor({ ...BASE, profile: 'gmail-api', provider: 'google' }), /Gmail API account needs the EmailEngine OAuth2 app id/);
    assert.throws(() => registrationFor({ ...BASE, profile: 'gmail-api', provider: 'google', graphAppId: 'APP1' }), 'the Graph app never serves a Gmail API account');
    assert.equal(usesAuthServer(gmailApi as Parameters<typeof usesAuthServer>[0]), true);
  });

  it('lists what turning a Gmail IMAP account into a Gmail API one would change', () => {
    const imap = registrationFor({ ...BASE, profile: 'gmail', provider: 'google', user: 'ann@gmail.com' });
    const api = registrationFor({ ...BASE, profile: 'gmail-api', provider: 'google', user: 'ann@gmail.com', gmailApiAppId: 'GAPP' });
    type Stored = Parameters<typeof registrationChanges>[0];
    const existing = { account: 'sales', imap: imap.imap, smtp: imap.smtp } as Stored;
    assert.deepEqual(
      registrationChanges(existing, api).map((change) => change.field),
      ['imap.useAuthServer', 'imap.host', 'imap.port', 'imap.secure', 'smtp.useAuthServer', 'smtp.host', 'smtp.port', 'smtp.secure', 'oauth2.useAuthServer', 'oauth2.provider', 'oauth2.auth.user'],
    );
    assert.deepEqual(registrationChanges(structuredClone(api) as Stored, api), []);
    const otherApp = registrationChanges({ ...structuredClone(api), oauth2: { provider: 'THEIRS', useAuthServer: true, auth: { user: 'ann@gmail.com' } } } as Stored, api);
    assert.deepEqual(otherApp, [{ field: 'oauth2.provider', from: 'THEIRS', to: 'GAPP' }]);
  });

  it('lists what an upsert would change, masked secrets as "(set)"', () => {
    const desired = registrationFor({ ...BASE, profile: 'outlook' });
    const changes = registrationChanges(
      { account: 'sales', imap: { host: 'imap.example.com', port: 993, secure: true, auth: { user: 'u', pass: '******' } }, smtp: false },
      desired,
    );
    assert.deepEqual(
      changes.map((change) => change.field),
      ['imap.useAuthServer', 'imap.host', 'imap.auth', 'smtp.useAuthServer', 'smtp.host', 'smtp.port'],
    );
    assert.deepEqual(changes.find((change) => change.field === 'imap.auth'), { field: 'imap.auth', from: '(set)', to: null });
    assert.deepEqual(registrationChanges({ ...desired }, desired), []);
  });

  it('recognises accounts that ask the auth server', () => {
    assert.equal(usesAuthServer({ account: 'a', imap: { useAuthServer: true } }), true);
    assert.equal(usesAuthServer({ account: 'a', oauth2: { useAuthServer: true, provider: 'x' } }), true);
    assert.equal(usesAuthServer({ account: 'a', imap: { host: 'h', auth: { user: 'u' } } }), false);
  });
});
