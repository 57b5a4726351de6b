import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAFE_CREDENTIAL, generateServerCredentials } from '../../../src/core/auth-server/server-secret.js';

describe('server secret', () => {
  it("generates 'emailengine' and a password of >= 128 random bits in EmailEngine-safe characters", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const { username, password } = generateServerCredentials();
      assert.equal(username, 'emailengine');
      assert.match(password, SAFE_CREDENTIAL);
      assert.match(password, /^[A-Za-z0-9._~-]+$/);
      assert.ok(password.length * 6 >= 128, `${password.length} base64url characters`);
      seen.add(password);
    }
    assert.equal(seen.size, 200);
  });

  it('uses the randomness it is given', () => {
    const fixed = generateServerCredentials((size) => Buffer.alloc(size, 0xff));
    assert.equal(fixed.password, '_'.repeat(32));
  });
});
