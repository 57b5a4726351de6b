import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsStore, environmentVariableFor, parseSetting } from '../../../src/core/storage/settings.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { memorySettings } from '../../support/memory-settings.js';

const CLIENT_ID = '123456789012-abcdefghijklmnop.apps.googleusercontent.com';

describe('the google.* settings section', () => {
  it('accepts a Desktop-app client id and refuses anything else', () => {
    assert.equal(parseSetting('google.clientId', CLIENT_ID), CLIENT_ID);
    assert.equal(parseSetting('google.clientId', 'null'), null);
    assert.throws(() => parseSetting('google.clientId', 'a3c1f0d2-5e6b-4f7a-8c9d-1e2f3a4b5c6d'), (error: unknown) => error instanceof TokentrayError && error.code === 'CONFIG_INVALID');
  });

  it('takes an https endpoint override only', () => {
    assert.equal(parseSetting('google.endpoint', 'https://127.0.0.1:8443/'), 'https://127.0.0.1:8443');
    assert.throws(() => parseSetting('google.endpoint', 'http://127.0.0.1:8443'));
  });

  it('is overridable from TOKENTRAY_GOOGLE_CLIENT_ID and stored nested under "google"', () => {
    assert.equal(environmentVariableFor('google.clientId'), 'TOKENTRAY_GOOGLE_CLIENT_ID');
    assert.equal(environmentVariableFor('google.endpoint'), 'TOKENTRAY_GOOGLE_ENDPOINT');
    const store = new SettingsStore(memorySettings({}), { TOKENTRAY_GOOGLE_CLIENT_ID: CLIENT_ID });
    assert.equal(store.read()['google.clientId'], CLIENT_ID);
    assert.equal(new SettingsStore(memorySettings({}), {}).read()['google.clientId'], null);
  });
});
