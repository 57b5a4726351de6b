import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrantBodies } from '../../../src/core/auth-server/grant-body.js';

describe('grant body', () => {
  it('serializes exactly user and accessToken, once per grant object', () => {
    const bodies = new GrantBodies();
    const grant = { user: 'sales@contoso.com', accessToken: 'tok', expiresAt: 1 } as { user: string; accessToken: string };
    const first = bodies.bodyFor(grant);
    assert.equal(first?.body.toString(), '{"user":"sales@contoso.com","accessToken":"tok"}');
    assert.equal(first?.headers['Content-Length'], first?.body.length);
    assert.equal(bodies.bodyFor(grant), first, 'cached');
  });

  it('notices a grant changed in place', () => {
    const bodies = new GrantBodies();
    const grant = { user: 'u', accessToken: 'old' };
    bodies.bodyFor(grant);
    grant.accessToken = 'new';
    assert.equal(bodies.bodyFor(grant)?.body.toString(), '{"user":"u","accessToken":"new"}');
  });

  it("counts bytes, not characters, in Content-Length", () => {
    const prepared = new GrantBodies().bodyFor({ user: 'jürgen@contoso.com', accessToken: 't' });
    assert.equal(prepared?.headers['Content-Length'], Buffer.byteLength('{"user":"jürgen@contoso.com","accessToken":"t"}'));
  });

  it("refuses grants outside EmailEngine's schema", () => {
    const bodies = new GrantBodies();
    assert.equal(bodies.bodyFor({ user: 'u', accessToken: '' }), null);
    assert.equal(bodies.bodyFor({ user: 'u', accessToken: 'x'.repeat(16_385) }), null);
    assert.equal(bodies.bodyFor({ user: 'u'.repeat(257), accessToken: 't' }), null);
    assert.notEqual(bodies.bodyFor({ user: 'u'.repeat(256), accessToken: 'x'.repeat(16_384) }), null);
  });
});
