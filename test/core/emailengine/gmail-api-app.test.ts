import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GMAIL_API_APP_NAME, gmailApiAppBody, pickGmailApiApp } from '../../../src/core/emailengine/gmail-api-app.js';
import { graphAppBody } from '../../../src/core/emailengine/graph-app.js';
import { createOAuth2AppErrors } from '../../support/emailengine/oauth2-app-schema.js';

const keysOf = (body: Record<string, unknown>): string[] => createOAuth2AppErrors(body).map((field) => field.key);

describe("tokentray's Gmail API app in EmailEngine", () => {
  it('is a "gmail" app of base scope api that EmailEngine\'s CreateOAuth2App schema accepts', () => {
    const body = gmailApiAppBody({ 'google.clientId': '123-abc.apps.googleusercontent.com' });
    assert.deepEqual(createOAuth2AppErrors(body), []);
    assert.equal(body.provider, 'gmail');
    assert.equal(body.baseScopes, 'api');
    assert.equal(body.name, GMAIL_API_APP_NAME);
    assert.equal(body.clientId, '123-abc.apps.googleusercontent.com');
    assert.match(String(body.clientSecret), /unused/, 'the placeholder says it is not a credential');
    assert.ok(!('authority' in body) && !('cloud' in body), 'Microsoft-only fields are refused for a gmail app');
    assert.ok(!('pubSubApp' in body) && !('googleProjectId' in body), 'Pub/Sub is optional and left to EmailEngine');
  });

  it('still has a non-empty client id before Google is set up (EmailEngine\'s Gmail client needs one to start)', () => {
    for (const clientId of [null, '']) {
      const body = gmailApiAppBody({ 'google.clientId': clientId });
      assert.ok(typeof body.clientId === 'string' && body.clientId.length > 0);
      assert.deepEqual(createOAuth2AppErrors(body), []);
    }
  });

  it("keeps the Graph app's body valid under the same schema", () => {
    assert.deepEqual(createOAuth2AppErrors(graphAppBody({ clientId: '11111111-2222-3333-4444-555555555555', tenant: 'organizations', cloud: 'global' })), []);
  });

  it('would be refused by EmailEngine without the secret or redirect URL, or with Outlook fields', () => {
    const body = gmailApiAppBody({ 'google.clientId': 'x.apps.googleusercontent.com' });
    const without = (key: string): Record<string, unknown> => Object.fromEntries(Object.entries(body).filter(([name]) => name !== key));
    assert.deepEqual(keysOf(without('clientSecret')), ['clientSecret']);
    assert.deepEqual(keysOf({ ...body, clientSecret: '' }), ['clientSecret']);
    assert.deepEqual(keysOf(without('redirectUrl')), ['redirectUrl']);
    assert.deepEqual(keysOf({ ...body, redirectUrl: 'ftp://127.0.0.1/' }), ['redirectUrl']);
    assert.deepEqual(keysOf({ ...body, authority: 'common', cloud: 'global' }), ['authority', 'cloud']);
    assert.deepEqual(keysOf({ ...body, baseScopes: 'graph' }), ['baseScopes']);
    assert.deepEqual(keysOf({ ...body, googleProjectId: 'Not A Project' }), ['googleProjectId']);
    assert.deepEqual(keysOf({ ...body, googleProjectId: 'project-name-425411' }), []);
    assert.deepEqual(keysOf({ ...body, tenant: 'x' }), ['tenant']);
  });

  it('reuses only its own app: a Gmail API app by name, never an IMAP one or someone else\'s', () => {
    const apps = [
      { id: 'theirs', name: 'Production Gmail', provider: 'gmail', baseScopes: 'api' },
      { id: 'imap', name: GMAIL_API_APP_NAME, provider: 'gmail', baseScopes: 'imap' },
      { id: 'graph', name: GMAIL_API_APP_NAME, provider: 'outlook', baseScopes: 'api' },
    ];
    assert.equal(pickGmailApiApp(apps), null);
    assert.equal(pickGmailApiApp([...apps, { id: 'ours', name: GMAIL_API_APP_NAME, provider: 'gmail', baseScopes: 'api' }])?.id, 'ours');
  });
});
