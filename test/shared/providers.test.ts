import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providerOfRecord } from '../../src/core/identity/account-provider.js';
import { PROVIDER_IDS, profileServes, profilesOf, providerOfProfile } from '../../src/shared/providers.js';

describe('providers and profiles', () => {
  it('gives every profile exactly one provider, and each provider its own profiles', () => {
    for (const provider of PROVIDER_IDS) {
      for (const profile of profilesOf(provider)) assert.equal(providerOfProfile(profile), provider);
    }
    assert.deepEqual(profilesOf('microsoft'), ['outlook', 'graph']);
    assert.deepEqual(profilesOf('google'), ['gmail', 'gmail-api']);
  });

  it('serves IMAP and SMTP from the mail profiles and proto=api from the API profiles only', () => {
    assert.ok(profileServes('gmail', 'imap') && profileServes('gmail', 'smtp') && !profileServes('gmail', 'api'));
    assert.ok(profileServes('gmail-api', 'api') && !profileServes('gmail-api', 'imap'));
    assert.ok(profileServes('graph', 'api') && !profileServes('graph', 'smtp'));
    assert.ok(profileServes('outlook', 'imap') && !profileServes('outlook', 'api'));
  });

  it('reads vault records written before there were providers as Microsoft accounts', () => {
    assert.equal(providerOfRecord({}), 'microsoft');
    assert.equal(providerOfRecord({ provider: 'google' }), 'google');
  });
});
