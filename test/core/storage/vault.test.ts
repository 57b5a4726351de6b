import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vault, keychainAccountFor, readVaultKey, vaultIdPathFor } from '../../../src/core/storage/vault.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { InMemorySecretStore } from '../../fakes/in-memory-secret-store.js';

const FAKE_REFRESH_TOKEN = '0.AAAA-fake-refresh-token-never-on-disk-in-clear-7f3c9b';

function assertTokentrayError(code: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof TokentrayError, `expected a TokentrayError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

describe('Vault', () => {
  let dir: string;
  let path: string;
  let secrets: InMemorySecretStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-vault-'));
    path = join(dir, 'home', 'vault.bin');
    secrets = new InMemorySecretStore();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A vault on disk holding a fake refresh token and one account. */
  async function writtenVault(): Promise<Buffer> {
    const vault = await Vault.open(path, secrets);
    await vault.update((doc) => {
      doc.msalCache = JSON.stringify({ RefreshToken: { rt: { secret: FAKE_REFRESH_TOKEN } } });
      doc.serverCredentials = { username: 'tokentray', password: 'server-password-123' };
      doc.accounts.work = {
        id: 'work',
        profile: 'outlook',
        homeAccountId: 'oid.tid',
        username: 'alice@contoso.com',
        sharedMailbox: null,
        createdAt: 1,
      };
    });
    return readFile(path);
  }

  it('round-trips the document through update and a fresh open', async () => {
    await writtenVault();
    const reopened = await Vault.open(path, secrets);
    assert.equal(reopened.document.serverCredentials?.password, 'server-password-123');
    assert.equal(reopened.document.accounts.work?.username, 'alice@contoso.com');
    assert.match(reopened.document.msalCache, /fake-refresh-token/);
    assert.ok(reopened.keyMaterial && reopened.keyMaterial.length === 32);
  });

  it('writes the file owner-only (0600) in an owner-only directory (0700)', async () => {
    await writtenVault();
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'home'))).mode & 0o777, 0o700);
  });

  it('never puts the plaintext of the document in the file', async () => {
    const bytes = await writtenVault();
    for (const secret of [FAKE_REFRESH_TOKEN, 'server-password-123', 'alice@contoso.com', '"msalCache"']) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `${secret} found in the vault file`);
    }
    assert.equal(bytes.subarray(0, 4).toString('ascii'), 'TTV1');
  });

  it('touches no keychain when opened only to look (no file yet)', async () => {
    const vault = await Vault.open(path, secrets);
    assert.deepEqual(vault.document.accounts, {});
    assert.equal(vault.keyMaterial, null);
    assert.deepEqual(secrets.calls, []);
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it('creates the key lazily, at the first write, under the vault id in the file header', async () => {
    const vault = await Vault.open(path, secrets);
    await vault.update((doc) => {
      doc.msalCache = 'x';
    });
    assert.equal(secrets.setAccounts.length, 1);
    const vaultId = (await readFile(path)).subarray(4, 20).toString('hex');
    assert.deepEqual(secrets.setAccounts, [keychainAccountFor(vaultId)]);
    // A second write reuses the key.
    await vault.update((doc) => {
      doc.msalCache = 'y';
    });
    assert.equal(secrets.setAccounts.length, 1);
  });

  it('creates key and file on ensureWritable, so a keychain problem shows before a sign-in', async () => {
    const vault = await Vault.open(path, secrets);
    await vault.ensureWritable();
    assert.equal(secrets.setAccounts.length, 1);
    assert.ok((await stat(path)).isFile());
    await vault.ensureWritable(); // already writable: no new key, no keychain call
    assert.equal(secrets.setAccounts.length, 1);

    const lockedPath = join(dir, 'other', 'vault.bin');
    const locked = await Vault.open(lockedPath, secrets);
    secrets.state = 'locked';
    await assert.rejects(locked.ensureWritable(), assertTokentrayError('KEYCHAIN_LOCKED'));
    await assert.rejects(stat(lockedPath), { code: 'ENOENT' });
  });

  it('reports a missing key as VAULT_KEY_MISSING and leaves the file byte-identical', async () => {
    const before = await writtenVault();
    secrets.entries.clear();
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_KEY_MISSING'));
    assert.deepEqual(await readFile(path), before);
    assert.equal(secrets.entries.size, 0, 'the probe write was cleaned up and no new key was made');
  });

  it('reports a malformed key as VAULT_KEY_MISSING', async () => {
    await writtenVault();
    const [account] = [...secrets.entries.keys()];
    secrets.entries.set(account!, Buffer.alloc(7).toString('base64'));
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_KEY_MISSING'));
  });

  for (const [name, damage] of [
    ['a flipped ciphertext byte', (b: Buffer) => { const c = Buffer.from(b); c[40] = c[40]! ^ 0x01; return c; }],
    ['a flipped authentication-tag byte', (b: Buffer) => { const c = Buffer.from(b); c[c.length - 1] = c[c.length - 1]! ^ 0x80; return c; }],
    ['a file truncated inside the ciphertext', (b: Buffer) => b.subarray(0, b.length - 20)],
    ['a file truncated inside the header', (b: Buffer) => b.subarray(0, 10)],
    ['an empty file', () => Buffer.alloc(0)],
    ['a bad header', (b: Buffer) => Buffer.concat([Buffer.from('XXXX'), b.subarray(4)])],
  ] as const) {
    it(`reports ${name} as VAULT_CORRUPT and leaves the file untouched`, async () => {
      const damaged = damage(await writtenVault());
      await writeFile(path, damaged);
      const setsBefore = secrets.setAccounts.length;
      await assert.rejects(Vault.open(path, secrets), (error: unknown) => {
        assertTokentrayError('VAULT_CORRUPT')(error);
        assert.match((error as TokentrayError).message, /vault\.bin/);
        return true;
      });
      assert.deepEqual(await readFile(path), damaged);
      assert.equal(secrets.setAccounts.length, setsBefore, 'no new key was made');
    });
  }

  it('reports a keychain locked at open as KEYCHAIN_LOCKED and loses nothing', async () => {
    const before = await writtenVault();
    const keysBefore = new Map(secrets.entries);
    secrets.state = 'locked';
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('KEYCHAIN_LOCKED'));
    assert.deepEqual(await readFile(path), before);
    assert.deepEqual(secrets.entries, keysBefore);
    secrets.state = 'unlocked';
    assert.equal((await Vault.open(path, secrets)).document.serverCredentials?.password, 'server-password-123');
  });

  it('tells a locked keyring that reads as "not found" (libsecret) from a missing key', async () => {
    const before = await writtenVault();
    secrets.state = 'locked-reads-as-missing';
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('KEYCHAIN_LOCKED'));
    await assert.rejects(readVaultKey(path, secrets), assertTokentrayError('KEYCHAIN_LOCKED'));
    assert.deepEqual(await readFile(path), before);
    secrets.state = 'unlocked';
    assert.ok(await Vault.open(path, secrets));
  });

  it('reports an unavailable keychain at open as KEYCHAIN_UNAVAILABLE', async () => {
    await writtenVault();
    secrets.state = 'unavailable';
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('KEYCHAIN_UNAVAILABLE'));
  });

  it('fails the first write with KEYCHAIN_LOCKED when the keychain is locked, writing no file', async () => {
    const vault = await Vault.open(path, secrets);
    secrets.state = 'locked';
    await assert.rejects(
      vault.update((doc) => {
        doc.msalCache = 'first';
      }),
      assertTokentrayError('KEYCHAIN_LOCKED'),
    );
    await assert.rejects(stat(path), { code: 'ENOENT' });
    // The failed change is dropped from memory; once unlocked, later writes persist only theirs.
    assert.equal(vault.document.msalCache, '');
    secrets.state = 'unlocked';
    await vault.update((doc) => {
      doc.accounts.a = { id: 'a', profile: 'outlook', homeAccountId: 'h', username: 'u@x.com', sharedMailbox: null, createdAt: 0 };
    });
    const reopened = await Vault.open(path, secrets);
    assert.equal(reopened.document.msalCache, '');
    assert.ok(reopened.document.accounts.a);
  });

  it('keeps writing an existing vault while the keychain is locked (the key is already in memory)', async () => {
    await writtenVault();
    const vault = await Vault.open(path, secrets);
    secrets.state = 'locked';
    await vault.update((doc) => {
      doc.msalCache = 'written while locked';
    });
    secrets.state = 'unlocked';
    assert.equal((await Vault.open(path, secrets)).document.msalCache, 'written while locked');
  });

  it('serializes concurrent updates in call order; the last state wins', async () => {
    const vault = await Vault.open(path, secrets);
    const writes = Array.from({ length: 25 }, (_, i) =>
      vault.update((doc) => {
        doc.msalCache = `state-${i}`;
        doc.accounts[`a${i}`] = { id: `a${i}`, profile: 'graph', homeAccountId: `h${i}`, username: `u${i}@x.com`, sharedMailbox: null, createdAt: i };
      }),
    );
    await Promise.all(writes);
    await vault.flush();
    assert.equal(secrets.setAccounts.length, 1, 'one key for all concurrent first writes');
    const reopened = await Vault.open(path, secrets);
    assert.equal(reopened.document.msalCache, 'state-24');
    assert.equal(Object.keys(reopened.document.accounts).length, 25);
  });

  it('does not let a failed write poison the writes queued after it', async () => {
    let failuresLeft = 1;
    const flaky = new (class extends InMemorySecretStore {
      override async set(account: string, secret: string): Promise<void> {
        if (failuresLeft-- > 0) throw new TokentrayError('KEYCHAIN_UNAVAILABLE', 'flaky keychain');
        return super.set(account, secret);
      }
    })();
    const vault = await Vault.open(path, flaky);
    const failed = vault.update((doc) => {
      doc.msalCache = 'one';
    });
    const queued = vault.update((doc) => {
      doc.msalCache = 'two';
    });
    await assert.rejects(failed, assertTokentrayError('KEYCHAIN_UNAVAILABLE'));
    await queued;
    assert.equal((await Vault.open(path, flaky)).document.msalCache, 'two');
  });

  it('leaves no temporary files behind after writing', async () => {
    const vault = await Vault.open(path, secrets);
    for (let i = 0; i < 5; i += 1) {
      await vault.update((doc) => {
        doc.msalCache = `v${i}`;
      });
    }
    assert.deepEqual((await readdir(join(dir, 'home'))).sort(), ['vault.bin', 'vault.id']);
    assert.equal((await readFile(vaultIdPathFor(path), 'utf8')).trim(), [...secrets.entries.keys()][0]!.replace('vault-key/', ''));
  });

  it('resets by moving the file aside and deleting its key', async () => {
    const before = await writtenVault();
    const keptAs = await Vault.reset(path, secrets, 1_700_000_000_000);
    assert.equal(keptAs, `${path}.reset-1700000000000`);
    assert.deepEqual(await readFile(keptAs), before);
    await assert.rejects(stat(path), { code: 'ENOENT' });
    assert.equal(secrets.entries.size, 0);
    const fresh = await Vault.open(path, secrets);
    assert.deepEqual(fresh.document.accounts, {});
  });

  it('resets a vault with a damaged header or an unreachable keychain all the same', async () => {
    await writeFile(join(dir, 'junk.bin'), 'not a vault');
    assert.ok(await Vault.reset(join(dir, 'junk.bin'), secrets, 1));
    await writtenVault();
    secrets.state = 'unavailable';
    assert.ok(await Vault.reset(path, secrets, 2));
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it('answers a reset with no vault file with null', async () => {
    assert.equal(await Vault.reset(path, secrets), null);
  });

  it('reports every single-bit flip in the header as VAULT_CORRUPT, never as a lost key, and touches nothing', async () => {
    const original = await writtenVault();
    const keysBefore = new Map(secrets.entries);
    const headerBits = 20 * 8; // "TTV1" + the 16-byte vault id
    for (let bit = 0; bit < headerBits; bit += 1) {
      const flipped = Buffer.from(original);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      await writeFile(path, flipped);
      const keyWritesBefore = keyWrites(secrets);
      await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_CORRUPT'), `bit ${bit}`);
      assert.deepEqual(await readFile(path), flipped, `bit ${bit}: the file is left as it is`);
      assert.equal(keyWrites(secrets), keyWritesBefore, `bit ${bit}: no key written`);
    }
    assert.deepEqual(new Map(secrets.entries), keysBefore, 'no key was added or removed');
    await writeFile(path, original);
    assert.equal((await Vault.open(path, secrets)).document.accounts.work?.username, 'alice@contoso.com', 'the undamaged file still opens');
  });

  it('says VAULT_MISSING when vault.bin was moved away, creates nothing, and opens again once it is back', async () => {
    const original = await writtenVault();
    const keysBefore = new Map(secrets.entries);
    await rename(path, `${path}.elsewhere`);
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_MISSING'));
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_MISSING'), 'again: still no silent first run');
    await assert.rejects(stat(path), { code: 'ENOENT' }, 'no new vault was written in its place');
    assert.deepEqual(new Map(secrets.entries), keysBefore, 'no new key was minted');
    await rename(`${path}.elsewhere`, path);
    assert.deepEqual(await readFile(path), original);
    const back = await Vault.open(path, secrets);
    assert.equal(back.document.serverCredentials?.password, 'server-password-123', 'the same auth-server secret, not a new one');
  });

  it('treats "no vault and no key" as a first run, and a reset as the way out of VAULT_MISSING', async () => {
    await writtenVault();
    await rm(path);
    await assert.rejects(Vault.open(path, secrets), assertTokentrayError('VAULT_MISSING'));
    assert.equal(await Vault.reset(path, secrets, 3), null, 'nothing to move aside but the id');
    const fresh = await Vault.open(path, secrets);
    assert.deepEqual(fresh.document.accounts, {});
    await fresh.update(() => undefined);
    assert.equal(secrets.entries.size, 2, 'a new vault gets its own key; the old one is kept for the old file');

    const other = join(dir, 'other', 'vault.bin');
    const lonely = await Vault.open(other, secrets);
    await lonely.update(() => undefined);
    const before = new Set(secrets.entries.keys());
    await rm(other);
    for (const key of before) secrets.entries.delete(key);
    assert.deepEqual((await Vault.open(other, secrets)).document.accounts, {}, 'id left over but its key gone too: a first run');
  });

  it('names a full disk DISK_FULL on a real tmpfs and keeps the last good vault', { skip: process.getuid?.() !== 0 ? 'needs root for mount' : false }, async () => {
    const mountPoint = join(dir, 'small');
    await mkdir(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
    assert.equal(mounted.status, 0, `mount tmpfs: ${mounted.stderr.toString()}`);
    try {
      const smallPath = join(mountPoint, 'vault.bin');
      const vault = await Vault.open(smallPath, secrets);
      await vault.update((doc) => {
        doc.msalCache = 'first';
      });
      const good = await readFile(smallPath);
      await writeFile(join(mountPoint, 'filler'), Buffer.alloc(60 * 1024)).catch(() => undefined);
      await assert.rejects(
        vault.update((doc) => {
          doc.msalCache = 'x'.repeat(32 * 1024);
        }),
        assertTokentrayError('DISK_FULL'),
      );
      assert.deepEqual(await readFile(smallPath), good, 'the vault on disk is the last good one');
      assert.equal(vault.document.msalCache, 'first', 'what was not saved does not linger in memory');
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});

/** Keychain writes other than the locked-keyring probe. */
function keyWrites(store: InMemorySecretStore): number {
  return store.setAccounts.filter((account) => account !== 'probe').length;
}
