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
