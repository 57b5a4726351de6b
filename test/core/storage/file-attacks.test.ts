/**
 * Files in the data directory under attack: planted symbolic links, files another user
 * owns, a full disk (a real 64 KB tmpfs) and writers killed with SIGKILL mid-write.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFileSink } from '../../../src/core/logging/log-file.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import { openCore } from '../../../src/core/open-core.js';
import { removeStaleTemps, writeFileAtomic } from '../../../src/core/storage/atomic-file.js';
import { readLock, tryAcquireLock } from '../../../src/core/storage/process-lock.js';
import { createConfBackend, SettingsStore } from '../../../src/core/storage/settings.js';
import { Vault, readVaultKey } from '../../../src/core/storage/vault.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { InMemorySecretStore } from '../../fakes/in-memory-secret-store.js';
import { memorySettings } from '../../support/memory-settings.js';

const ATOMIC_FILE_MODULE = fileURLToPath(new URL('../../../src/core/storage/atomic-file.ts', import.meta.url));
const isRoot = process.getuid?.() === 0;
const FOREIGN_UID = 54_321; // no such user needed: root may chown to any id

const code = (expected: string) => (error: unknown) => error instanceof TokentrayError && error.code === expected;

describe('data-directory files under attack', () => {
  let dir: string;
  let victim: string;
  const VICTIM_TEXT = 'the file an attacker wants overwritten\n';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-files-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function freshHome(name: string): Promise<string> {
    const home = join(dir, name);
    await mkdir(home, { recursive: true });
    victim = join(dir, `${name}-victim.txt`);
    await writeFile(victim, VICTIM_TEXT);
    return home;
  }

  it('does not write settings through a config.json link, and leaves the target alone', async () => {
    const home = await freshHome('config-link');
    await symlink(victim, join(home, 'config.json'));
    const store = new SettingsStore(createConfBackend(home), {});
    assert.throws(() => store.set('port', 8080), code('DATA_DIR_UNSAFE'));
    assert.throws(() => store.read(), code('DATA_DIR_UNSAFE'));
    assert.equal(await readFile(victim, 'utf8'), VICTIM_TEXT);
    assert.equal(await readlink(join(home, 'config.json')), victim, 'the link itself is reported, not removed');
  });

  it('refuses a config.json another user owns', { skip: !isRoot && 'needs root to chown' }, async () => {
    const home = await freshHome('config-foreign');
    await writeFile(join(home, 'config.json'), JSON.stringify({ authority: 'https://evil.example/tenant' }));
    await chown(join(home, 'config.json'), FOREIGN_UID, FOREIGN_UID);
    assert.throws(() => new SettingsStore(createConfBackend(home), {}).read(), code('DATA_DIR_UNSAFE'));
  });

  it('does not append log lines through a tokentray.log link', async () => {
    const home = await freshHome('log-link');
    await symlink(victim, join(home, 'tokentray.log'));
    const sink = createFileSink(join(home, 'tokentray.log'));
    sink('INFO [desktop] a line that must not land in the victim');
    assert.equal(await readFile(victim, 'utf8'), VICTIM_TEXT);
    // Nor through a link planted as the rolled-over file.
    const small = join(home, 'small.log');
    await symlink(victim, `${small}.1`);
    const rolling = createFileSink(small, 50);
    for (let i = 0; i < 5; i += 1) rolling(`line ${i} ${'x'.repeat(20)}`);
    assert.equal(await readFile(victim, 'utf8'), VICTIM_TEXT);
  });

  it('replaces a vault.bin link instead of writing through it', async () => {
    const home = await freshHome('vault-link');
    await symlink(victim, join(home, 'vault.bin'));
    await writeFileAtomic(join(home, 'vault.bin'), Buffer.from('new vault'));
    assert.equal(await readFile(victim, 'utf8'), VICTIM_TEXT);
    assert.ok((await lstat(join(home, 'vault.bin'))).isFile());
  });

  it('does not read a vault through a vault.bin link: DATA_DIR_UNSAFE, and the linked vault is untouched', async () => {
    const home = await freshHome('vault-read-link');
    const elsewhere = join(dir, 'vault-read-link-real');
    await mkdir(elsewhere, { recursive: true });
    const store = new InMemorySecretStore();
    const real = await Vault.open(join(elsewhere, 'vault.bin'), store);
    await real.update((doc) => {
      doc.msalCache = 'planted';
    });
    const before = await readFile(join(elsewhere, 'vault.bin'));
    await symlink(join(elsewhere, 'vault.bin'), join(home, 'vault.bin'));
    await assert.rejects(Vault.open(join(home, 'vault.bin'), store), code('DATA_DIR_UNSAFE'));
    assert.deepEqual(await readFile(join(elsewhere, 'vault.bin')), before);
  });

  it("reads only the vault's header for its key, and never through a vault.bin link", async () => {
    const home = await freshHome('vault-key-link');
    const elsewhere = join(dir, 'vault-key-link-real');
    await mkdir(elsewhere, { recursive: true });
    const store = new InMemorySecretStore();
    const real = await Vault.open(join(elsewhere, 'vault.bin'), store);
    await real.update((doc) => {
      doc.msalCache = 'planted';
    });
    const material = await readVaultKey(join(elsewhere, 'vault.bin'), store);
    assert.equal(material?.key.length, 32);
    // 3 GB (sparse): more than a whole-file read could even hold, so only the header was read.
    await truncate(join(elsewhere, 'vault.bin'), 3 * 1024 ** 3);
    assert.deepEqual(await readVaultKey(join(elsewhere, 'vault.bin'), store), material);
    await truncate(join(elsewhere, 'vault.bin'), 0);
    await symlink(join(elsewhere, 'vault.bin'), join(home, 'vault.bin'));
    await assert.rejects(readVaultKey(join(home, 'vault.bin'), store), code('DATA_DIR_UNSAFE'));
    await writeFile(join(home, 'short.bin'), 'TTV1');
    await assert.rejects(readVaultKey(join(home, 'short.bin'), store), code('VAULT_CORRUPT'));
  });

  it('refuses a lock file that is a link or belongs to another user, and touches neither', async () => {
    const home = await freshHome('lock-link');
    const lock = join(home, 'tokentray.lock');
    await writeFile(victim, JSON.stringify({ pid: 1, control: '/tmp/attacker.sock', startedAt: 1 }));
    await symlink(victim, lock);
    await assert.rejects(readLock(lock), code('DATA_DIR_UNSAFE'));
    await assert.rejects(tryAcquireLock(lock, null), code('DATA_DIR_UNSAFE'));
    assert.match(await readFile(victim, 'utf8'), /attacker/);
    if (isRoot) {
      await rm(lock);
      await writeFile(lock, JSON.stringify({ pid: 1, control: '/tmp/attacker.sock', startedAt: 1 }));
      await chown(lock, FOREIGN_UID, FOREIGN_UID);
      await assert.rejects(readLock(lock), code('DATA_DIR_UNSAFE'));
    }
  });

  it('refuses a data directory another user owns, naming the fix', { skip: !isRoot && 'needs root to chown' }, async () => {
    const home = await freshHome('foreign-home');
    await chown(home, FOREIGN_UID, FOREIGN_UID);
    await assert.rejects(
      openCore({ home, role: 'command', logger: silentLogger, secretStore: new InMemorySecretStore(), settingsBackend: memorySettings({}) }),
      (error: unknown) => code('DATA_DIR_UNSAFE')(error) && /belongs to another user/.test((error as Error).message) && /chown/.test((error as Error).message),
    );
  });

  it('tightens a world-writable data directory to 0700 on open', async () => {
    const home = await freshHome('loose');
    spawnSync('chmod', ['777', home]);
    const core = await openCore({ home, role: 'command', logger: silentLogger, secretStore: new InMemorySecretStore(), settingsBackend: memorySettings({}) });
    await core.close();
    assert.equal((await lstat(home)).mode & 0o777, 0o700);
  });
});

describe('a full disk (real 64 KB tmpfs)', { skip: !isRoot && 'needs root to mount a tmpfs' }, () => {
  let mountPoint: string;
  let mounted = false;

  before(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'tokentray-full-'));
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
    if (!mounted) return;
    // Fill it: the writes below find no free block.
    spawnSync('sh', ['-c', `dd if=/dev/zero of=${join(mountPoint, 'filler')} bs=4k 2>/dev/null; true`]);
  });
  after(async () => {
    if (mounted) spawnSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  const leftovers = async (): Promise<string[]> => (await readdir(mountPoint)).filter((name) => name !== 'filler');

  it('names DISK_FULL for the vault, the lock and the settings file, and leaves nothing behind', async (t) => {
    if (!mounted) return t.skip('mount -t tmpfs failed');
    await assert.rejects(writeFileAtomic(join(mountPoint, 'vault.bin'), Buffer.alloc(32 * 1024, 1)), code('DISK_FULL'));
    assert.deepEqual(await leftovers(), []);
    await assert.rejects(tryAcquireLock(join(mountPoint, 'tokentray.lock'), null), code('DISK_FULL'));
    assert.deepEqual(await leftovers(), []);
    assert.throws(() => new SettingsStore(createConfBackend(mountPoint), {}).set('tenant', 'contoso.com'), code('DISK_FULL'));
    assert.deepEqual(await leftovers(), []);
  });
});

describe('writers killed with SIGKILL mid-write', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'tokentray-killed-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('leaves no temp pile-up after the next start', { timeout: 120_000 }, async () => {
    const KILLS = 8;
    for (let kill = 0; kill < KILLS; kill += 1) {
      const writer = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { writeFileAtomic } from ${JSON.stringify(ATOMIC_FILE_MODULE)};
           const data = Buffer.alloc(16 * 1024 * 1024, 7);
           process.stdout.write('writing\\n');
           for (;;) await writeFileAtomic(${JSON.stringify(join(home, 'vault.bin'))}, data);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await once(writer.stdout!, 'data');
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
      writer.kill('SIGKILL');
      await once(writer, 'exit');
    }
    const temps = async (): Promise<string[]> => (await readdir(home)).filter((name) => name.endsWith('.tmp'));
    const piled = await temps();
    assert.ok(piled.length > 0, 'the kills left temps behind (else this test proves nothing)');
    await rm(join(home, 'vault.bin'), { force: true }); // the writer wrote filler, not a vault
    // A live writer's temp is never touched: one from this very process stays.
    const liveTemp = join(home, `.vault.bin.${process.pid}-0.aaaaaaaaaaaa.tmp`);
    await writeFile(liveTemp, 'in flight');
    const core = await openCore({ home, role: 'command', logger: silentLogger, secretStore: new InMemorySecretStore(), settingsBackend: memorySettings({}) });
    await core.close();
    assert.deepEqual(await temps(), [`.vault.bin.${process.pid}-0.aaaaaaaaaaaa.tmp`], `left after start (before: ${piled.length})`);
    assert.deepEqual(await removeStaleTemps(home, (name) => name === 'vault.bin'), [], 'the live one is still not removed');
  });
});
