import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { authServerUrlWithCredentials, formatServerUrl } from '../../../src/core/auth-server/server-url.js';

describe('server URL', () => {
  it('names the address EmailEngine should call, without credentials', () => {
    assert.equal(formatServerUrl('127.0.0.1', 7411), 'http://127.0.0.1:7411/authentication');
    assert.equal(formatServerUrl('localhost', 7411), 'http://127.0.0.1:7411/authentication');
    assert.equal(formatServerUrl('::1', 7411), 'http://[::1]:7411/authentication');
    assert.equal(formatServerUrl('192.0.2.2', 7411), 'http://192.0.2.2:7411/authentication');
    assert.equal(formatServerUrl('0.0.0.0', 7411), 'http://127.0.0.1:7411/authentication');
  });

  it('puts safe credentials in the URL for the authServer setting', () => {
    assert.equal(
      authServerUrlWithCredentials('http://127.0.0.1:7411/authentication', { username: 'emailengine', password: 'a-B_c.d~9' }),
      'http://emailengine:a-B_c.d~9@127.0.0.1:7411/authentication',
    );
  });

  it('refuses credentials that EmailEngine would mangle', () => {
    for (const password of ['p@ss', 'a&b', 'a%40b', 'spa ce', '']) {
      assert.throws(
        () => authServerUrlWithCredentials('http://127.0.0.1:7411/authentication', { username: 'emailengine', password }),
        (error: unknown) => error instanceof TokentrayError && error.code === 'CONFIG_INVALID' && !error.message.includes(password || '\u0000'),
      );
    }
  });
});
