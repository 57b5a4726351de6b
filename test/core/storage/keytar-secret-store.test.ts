/**
 * The keytar adapter against the real Secret Service (gnome-keyring in a private D-Bus session).
 *
 * Run inside scripts/with-keyring.sh (scripts/run-tests.mjs does that). The locked-keyring test
 * starts its own second private session, so it never locks the shared test keyring.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { KeytarSecretStore, translateKeychainError } from '../../../src/core/storage/keytar-secret-store.js';
import { Vault } from '../../../src/core/storage/vault.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';

const run = promisify(execFile);
const PROJECT = new URL('../../../', import.meta.url);
const src = (path: string): string => pathToFileURL(join(PROJECT.pathname, 'src', path)).href;

const NO_SESSION = process.env.DBUS_SESSION_BUS_ADDRESS
  ? false
  : 'needs a D-Bus session with an unlocked keyring: run under `bash scripts/with-keyring.sh` (or scripts/run-tests.mjs)';
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const NOT_LINUX = process.platform === 'linux' ? false : 'the Secret Service (libsecret over D-Bus) exists on Linux only';
const NO_KEYRING_TOOLS =
  NOT_LINUX || (has('dbus-run-session') && has('gnome-keyring-daemon') && has('dbus-send') ? false : 'needs dbus-run-session, gnome-keyring-daemon and dbus-send (apt-get install dbus gnome-keyring)');

/** A tiny command run in a child process: the keychain state it sees is the child's own. */
const VAULT_SCRIPT = `
import { KeytarSecretStore } from ${JSON.stringify(src('core/storage/keytar-secret-store.ts'))};
import { Vault } from ${JSON.stringify(src('core/storage/vault.ts'))};
import { TokentrayError } from ${JSON.stringify(src('shared/tokentray-error.ts'))};
const [op, path, service] = process.argv.slice(2);
const store = new KeytarSecretStore(service);
try {
  if (op === 'get') {
    await store.get('anything');
    console.log('ok');
  } else if (op === 'create') {
    const vault = await Vault.open(path, store);
    await vault.update((doc) => { doc.msalCache = 'cache'; });
    console.log('created');
  } else {
    const vault = await Vault.open(path, store);
    console.log(vault.document.msalCache === 'cache' ? 'opened' : 'opened-wrong');
  }
} catch (error) {
  console.log(error instanceof TokentrayError ? error.code : 'other: ' + String(error));
}
`;

describe('KeytarSecretStore', () => {
  let dir: string;
  let script: string;
  const service = `tokentray-test-${randomBytes(6).toString('hex')}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-keytar-'));
    script = join(dir, 'vault-command.mts'); // .mts: ESM (top-level await) outside the package
    await writeFile(script, VAULT_SCRIPT);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, reads and deletes a secret in the real keychain', { skip: NO_SESSION }, async () => {
    const store = new KeytarSecretStore(service);
    assert.equal(await store.get('round-trip'), null);
    await store.set('round-trip', 'c2VjcmV0LWtleS1tYXRlcmlhbA==');
    assert.equal(await store.get('round-trip'), 'c2VjcmV0LWtleS1tYXRlcmlhbA==');
    assert.equal(await new KeytarSecretStore(`${service}-other`).get('round-trip'), null, 'entries are per service');
    assert.equal(await store.delete('round-trip'), true);
    assert.equal(await store.get('round-trip'), null);
    assert.equal(await store.delete('round-trip'), false);
  });

  it('keeps a vault key in the real keychain, and reports it missing once deleted', { skip: NO_SESSION }, async () => {
    const store = new KeytarSecretStore(service);
    const path = join(dir, 'real', 'vault.bin');
    const vault = await Vault.open(path, store);
    await vault.update((doc) => {
      doc.msalCache = 'real-keychain';
    });
    assert.equal((await Vault.open(path, store)).document.msalCache, 'real-keychain');
    const before = await readFile(path);
    const keptAs = await Vault.reset(path, store, 1);
    await writeFile(path, before); // the file is back, its key is not
    await assert.rejects(Vault.open(path, store), (error: unknown) => error instanceof TokentrayError && error.code === 'VAULT_KEY_MISSING');
    assert.equal(await store.get('probe'), null, 'the probe write was cleaned up');
    assert.ok(keptAs);
  });

  it('reports no reachable Secret Service as KEYCHAIN_UNAVAILABLE', { skip: NOT_LINUX }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, 'get', '-', service], {
      cwd: PROJECT.pathname,
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      timeout: 20_000,
    });
    assert.equal(stdout.trim(), 'KEYCHAIN_UNAVAILABLE');
  });

  it('reports a locked keyring as KEYCHAIN_LOCKED when opening a vault, not as a missing key', { skip: NO_KEYRING_TOOLS }, async () => {
    const keyring = join(dir, 'private-keyring');
    const vaultPath = join(dir, 'locked', 'vault.bin');
    const session = `
      set -u
      mkdir -p "$KR" && chmod 700 "$KR"
      printf %s locked-test-pw | XDG_DATA_HOME="$KR/data" XDG_RUNTIME_DIR="$KR" gnome-keyring-daemon --unlock --components=secrets >/dev/null
      echo "create: $(node --import tsx "$SCRIPT" create "$VAULT" "$SERVICE")"
      dbus-send --session --dest=org.freedesktop.secrets --type=method_call --print-reply \\
        /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \\
        array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && echo "locked"
      echo "open: $(node --import tsx "$SCRIPT" open "$VAULT" "$SERVICE")"
    `;
    const { stdout } = await run('dbus-run-session', ['--', 'bash', '-c', session], {
      cwd: PROJECT.pathname,
      env: { ...process.env, KR: keyring, SCRIPT: script, VAULT: vaultPath, SERVICE: service },
      timeout: 30_000,
    });
    assert.deepEqual(stdout.trim().split('\n'), ['create: created', 'locked', 'open: KEYCHAIN_LOCKED']);
  });
});

describe('translateKeychainError', () => {
  it('reads libsecret / macOS "locked" messages as KEYCHAIN_LOCKED', () => {
    for (const text of [
      'Cannot create an item in a locked collection',
      'Prompt dismissed',
      'User canceled the operation.',
      'User interaction is not allowed.',
    ]) {
      const error = translateKeychainError(new Error(text), 'read the vault key');
      assert.equal(error.code, 'KEYCHAIN_LOCKED', text);
      assert.match(error.message, /could not read the vault key/);
    }
  });

  it('reads everything else as KEYCHAIN_UNAVAILABLE, keeping the original as cause', () => {
    const original = new Error('Could not connect: No such file or directory');
    const error = translateKeychainError(original, 'store the vault key');
    assert.equal(error.code, 'KEYCHAIN_UNAVAILABLE');
    assert.equal(error.cause, original);
    assert.match(error.hint, /keyring/);
    assert.equal(translateKeychainError('The name org.freedesktop.secrets was not provided by any .service files', 'x').code, 'KEYCHAIN_UNAVAILABLE');
  });
});
