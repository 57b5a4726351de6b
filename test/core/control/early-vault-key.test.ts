import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NO_DAEMON_SEEN, readDaemonVaultKey } from '../../../src/core/control/remote-core.js';
import { Vault } from '../../../src/core/storage/vault.js';
import { InMemorySecretStore } from '../../fakes/in-memory-secret-store.js';

describe('the early vault-key read of a command a daemon answers', () => {
  it('asks nothing of the keychain when no daemon runs (the core will read the key itself)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'tokentray-early-'));
    try {
      const secrets = new InMemorySecretStore();
      // A vault whose key is in the keychain: reading it would be a keychain call.
      const vault = await Vault.open(join(home, 'vault.bin'), secrets);
      await vault.update(() => undefined);
      await vault.flush();
      secrets.calls.length = 0;
      assert.equal(await readDaemonVaultKey(home, secrets), NO_DAEMON_SEEN);
      // A lock left by a daemon that is gone (no such process) is no daemon either.
      await writeFile(join(home, 'tokentray.lock'), JSON.stringify({ pid: 2 ** 22 + 7, startedAt: 1, control: join(home, 'control.sock') }), { mode: 0o600 });
      assert.equal(await readDaemonVaultKey(home, secrets), NO_DAEMON_SEEN);
      assert.deepEqual(secrets.calls, [], 'no keychain read, so a locked keychain asks to be unlocked once, not twice');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
