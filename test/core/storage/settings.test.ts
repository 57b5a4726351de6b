import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS,
  SETTING_DESCRIPTIONS,
  SettingsStore,
  createConfBackend,
  environmentVariableFor,
  isLoopbackHost,
  parseSetting,
  validateSetting,
  type SettingsBackend,
} from '../../../src/core/storage/settings.js';
import { SETTING_KEYS, type SettingKey } from '../../../src/shared/settings-shape.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

function memoryBackend(initial: Partial<Record<SettingKey, unknown>> = {}): SettingsBackend & { values: Map<SettingKey, unknown> } {
  const values = new Map<SettingKey, unknown>(Object.entries(initial) as [SettingKey, unknown][]);
  return { values, get: (key) => values.get(key), set: (key, value) => values.set(key, value) };
}

function configInvalid(key: string, ...mentions: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof TokentrayError, `expected a TokentrayError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal(error.details.key, key);
    assert.ok(error.message.includes(`"${key}"`), `message names the key: ${error.message}`);
    for (const text of mentions) assert.ok(error.message.includes(text), `message mentions ${text}: ${error.message}`);
    return true;
  };
}

describe('settings', () => {
  it('has a default for every key', () => {
    const settings = new SettingsStore(memoryBackend(), {}).read();
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.deepEqual(Object.keys(settings).sort(), [...SETTING_KEYS].sort());
    assert.equal(settings.host, 'localhost');
    assert.equal(settings.port, 7411);
    assert.equal(settings.clientId, null);
  });

  describe('validateSetting', () => {
    const bad: [SettingKey, unknown][] = [
      ['clientId', 'not-a-guid'],
      ['clientId', 42],
      ['tenant', 'bad tenant!'],
      ['tenant', 7],
      ['cloud', 'mars'],
      ['authority', 'http://login.example.com/tenant'],
      ['authority', 'https://user:pw@login.example.com/tenant'],
      ['authority', 'https://login.example.com/tenant?x=1'],
      ['authority', 'not a url'],
      ['host', 'example.com'],
      ['host', '999.1.1.1'],
      ['port', 70000],
      ['port', -1],
      ['port', 80.5],
      ['port', '80'],
      ['allowedClients', ['10.0.0.1', 'not-an-ip']],
      ['allowedClients', '10.0.0.1'],
      ['signInTimeoutSeconds', 9],
      ['signInTimeoutSeconds', 3601],
      ['startAtLogin', 'yes'],
    ];
    for (const [key, value] of bad) {
      it(`refuses ${JSON.stringify(value)} for ${key}, naming the key and the allowed values`, () => {
        assert.throws(() => validateSetting(key, value), configInvalid(key, SETTING_DESCRIPTIONS[key]));
      });
    }

    it('accepts and normalizes good values', () => {
      assert.equal(validateSetting('clientId', CLIENT_ID.toUpperCase()), CLIENT_ID);
      assert.equal(validateSetting('clientId', null), null);
      for (const tenant of ['organizations', 'common', 'consumers', CLIENT_ID, 'contoso.onmicrosoft.com']) {
        assert.equal(validateSetting('tenant', tenant), tenant);
      }
      assert.equal(validateSetting('authority', 'https://127.0.0.1:8443/tenant/'), 'https://127.0.0.1:8443/tenant');
      for (const host of ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '192.168.1.10']) assert.equal(validateSetting('host', host), host);
      assert.equal(validateSetting('port', 0), 0);
      assert.equal(validateSetting('port', 65535), 65535);
      assert.deepEqual(validateSetting('allowedClients', ['172.17.0.2', 'fd00::2']), ['172.17.0.2', 'fd00::2']);
      assert.equal(validateSetting('signInTimeoutSeconds', 10), 10);
      assert.equal(validateSetting('startAtLogin', true), true);
    });

    it('knows which hosts are loopback', () => {
      assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('127.1.2.3') && isLoopbackHost('::1') && isLoopbackHost('localhost'));
      assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('192.168.1.10') && !isLoopbackHost('::'));
    });
  });

  describe('parseSetting', () => {
    it('turns command-line text into typed values', () => {
      assert.equal(parseSetting('port', ' 8080 '), 8080);
      assert.equal(parseSetting('signInTimeoutSeconds', '600'), 600);
      assert.equal(parseSetting('startAtLogin', 'true'), true);
      assert.equal(parseSetting('startAtLogin', 'false'), false);
      assert.deepEqual(parseSetting('allowedClients', '172.17.0.2, 10.0.0.5'), ['172.17.0.2', '10.0.0.5']);
      assert.deepEqual(parseSetting('allowedClients', ''), []);
      assert.equal(parseSetting('clientId', 'null'), null);
      assert.equal(parseSetting('authority', ''), null);
      assert.equal(parseSetting('cloud', 'gcc-high'), 'gcc-high');
    });

    it('refuses text that is not a value of the key', () => {
      assert.throws(() => parseSetting('port', 'abc'), configInvalid('port', '"abc"'));
      assert.throws(() => parseSetting('port', '-5'), configInvalid('port'));
      assert.throws(() => parseSetting('startAtLogin', 'yes'), configInvalid('startAtLogin', 'true or false'));
      assert.throws(() => parseSetting('allowedClients', '10.0.0.1,,'), configInvalid('allowedClients'));
    });
  });

  describe('environment overrides', () => {
    it('names the variable of each key', () => {
      assert.equal(environmentVariableFor('clientId'), 'TOKENTRAY_CLIENT_ID');
      assert.equal(environmentVariableFor('signInTimeoutSeconds'), 'TOKENTRAY_SIGN_IN_TIMEOUT_SECONDS');
      assert.equal(environmentVariableFor('allowedClients'), 'TOKENTRAY_ALLOWED_CLIENTS');
    });

    it('prefers the environment over the file over the default', () => {
      const backend = memoryBackend({ clientId: '99999999-2222-3333-4444-555555555555', port: 9000, tenant: 'common' });
      const env = { TOKENTRAY_CLIENT_ID: CLIENT_ID, TOKENTRAY_SIGN_IN_TIMEOUT_SECONDS: '60', TOKENTRAY_TENANT: '' };
      const store = new SettingsStore(backend, env);
      const settings = store.read();
      assert.equal(settings.clientId, CLIENT_ID); // environment
      assert.equal(settings.signInTimeoutSeconds, 60); // environment over default
      assert.equal(settings.port, 9000); // file
      assert.equal(settings.tenant, 'common'); // an empty variable does not override
      assert.equal(settings.cloud, 'global'); // default
      assert.deepEqual(store.overriddenKeys(), ['clientId', 'signInTimeoutSeconds']);
    });

    it('names the variable when its value is bad', () => {
      const store = new SettingsStore(memoryBackend(), { TOKENTRAY_PORT: 'eighty' });
      assert.throws(() => store.read(), configInvalid('port', 'environment variable TOKENTRAY_PORT', '"eighty"'));
    });

    it('does not write an overridden value to the file', () => {
      const backend = memoryBackend();
      new SettingsStore(backend, { TOKENTRAY_PORT: '9001' }).read();
      assert.equal(backend.values.size, 0);
    });
  });

  describe('SettingsStore over conf', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tokentray-settings-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes plain JSON to <dir>/config.json', async () => {
      const store = new SettingsStore(createConfBackend(dir), {});
      const after = store.set('clientId', CLIENT_ID);
      store.set('port', 8080);
      assert.equal(after.clientId, CLIENT_ID);
      assert.deepEqual(await readdir(dir), ['config.json']);
      assert.deepEqual(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')), { clientId: CLIENT_ID, port: 8080 });
      // A second store on the same directory reads it back (the tray and the CLI share one file).
      assert.equal(new SettingsStore(createConfBackend(dir), {}).read().port, 8080);
    });

    it('refuses a bad value without writing it', async () => {
      const store = new SettingsStore(createConfBackend(dir), {});
      store.set('port', 8080);
      const before = await readFile(join(dir, 'config.json'), 'utf8');
      assert.throws(() => store.set('port', 123456), configInvalid('port'));
      assert.equal(await readFile(join(dir, 'config.json'), 'utf8'), before);
    });

    it('refuses a non-loopback host until allowedClients lists who may call', async () => {
      const store = new SettingsStore(createConfBackend(dir), {});
      assert.throws(
        () => store.set('host', '0.0.0.0'),
        (error: unknown) => error instanceof TokentrayError && error.code === 'CONFIG_INVALID' && error.details.key === 'host' && /allowedClients/.test(error.hint),
      );
      assert.equal(store.read().host, 'localhost');
      store.set('allowedClients', ['172.17.0.2']);
      assert.equal(store.set('host', '0.0.0.0').host, '0.0.0.0');
      assert.equal(store.set('host', '::1').host, '::1');
    });

    it('reports a hand-edited value that fails validation, and leaves the file alone', async () => {
      const file = join(dir, 'config.json');
      const text = JSON.stringify({ clientId: 'my-app', port: 8080 });
      await writeFile(file, text);
      assert.throws(() => new SettingsStore(createConfBackend(dir), {}).read(), configInvalid('clientId', 'settings file'));
      assert.equal(await readFile(file, 'utf8'), text);
    });

    it('reports a hand-edited value of the wrong type as CONFIG_INVALID naming the key, and leaves the file alone', async () => {
      // conf checks the file against SETTINGS_SCHEMA itself and throws its own Error
      // ("Config schema violation: `port` must be integer"), which the CLI prints as a bug.
      const file = join(dir, 'config.json');
      const text = JSON.stringify({ port: 'eighty', tenant: 'common' });
      await writeFile(file, text);
      assert.throws(() => new SettingsStore(createConfBackend(dir), {}).read(), configInvalid('port'));
      assert.equal(await readFile(file, 'utf8'), text);
    });

    it('lets `config set` repair a hand-edited value of the wrong type', async () => {
      // The CONFIG_INVALID hint says "fix the value with `tokentray config set KEY VALUE`".
      await writeFile(join(dir, 'config.json'), JSON.stringify({ port: 'eighty' }));
      const repaired = new SettingsStore(createConfBackend(dir), {}).set('port', 8080);
      assert.equal(repaired.port, 8080);
    });
  });
});
