import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAuthServer, compareVersions, withoutCredentials } from '../../../src/core/emailengine/preflight.js';

const OURS = 'http://emailengine:s3cret@127.0.0.1:7411/authentication';

describe('preflight helpers', () => {
  it('tells this tokentray, this tokentray with an old secret, another server and unset apart', () => {
    assert.deepEqual(classifyAuthServer(null, OURS), { kind: 'unset' });
    assert.deepEqual(classifyAuthServer(OURS, OURS), { kind: 'this', url: 'http://127.0.0.1:7411/authentication' });
    assert.equal(classifyAuthServer('http://emailengine:s3cret@localhost:7411/authentication/', OURS).kind, 'this', 'localhost is loopback too');
    assert.equal(classifyAuthServer('http://emailengine:old@127.0.0.1:7411/authentication', OURS).kind, 'this-outdated');
    assert.deepEqual(classifyAuthServer('http://a:b@127.0.0.1:7412/authentication', OURS), { kind: 'other', url: 'http://127.0.0.1:7412/authentication' });
    assert.equal(classifyAuthServer('https://emailengine:s3cret@127.0.0.1:7411/authentication', OURS).kind, 'other');
    assert.equal(classifyAuthServer('not a url', OURS).kind, 'other');
  });

  it('never shows credentials', () => {
    assert.equal(withoutCredentials('http://u:p@host:1/x?y=1'), 'http://host:1/x?y=1');
  });

  it('compares versions numerically', () => {
    assert.ok(compareVersions('2.79.2', '2.47.0') > 0);
    assert.ok(compareVersions('2.9.0', '2.47.0') < 0);
    assert.equal(compareVersions('2.47.0', '2.47.0'), 0);
    assert.ok(compareVersions('3.0.0-beta.1', '2.99.9') > 0);
  });
});
