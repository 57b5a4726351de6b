import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ONLY_FILE_MODE, writeFileAtomic } from '../../../src/core/storage/atomic-file.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a new owner-only file and leaves no temp file', async () => {
    const target = join(dir, 'a.bin');
    await writeFileAtomic(target, Buffer.from('hello'));
    assert.equal(await readFile(target, 'utf8'), 'hello');
    assert.equal((await stat(target)).mode & 0o777, OWNER_ONLY_FILE_MODE);
    assert.deepEqual(await readdir(dir), ['a.bin']);
  });

  it('replaces an existing file whole, and makes it owner-only', async () => {
    const target = join(dir, 'a.bin');
    await writeFile(target, 'old content that is longer than the new one', { mode: 0o644 });
    await writeFileAtomic(target, Buffer.from('new'));
    assert.equal(await readFile(target, 'utf8'), 'new');
    assert.equal((await stat(target)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['a.bin']);
  });

  it('removes its temp file and keeps the target when the rename fails', async () => {
    const target = join(dir, 'occupied');
    await mkdir(join(target, 'child'), { recursive: true }); // a non-empty directory cannot be renamed over
    await assert.rejects(writeFileAtomic(target, Buffer.from('x')));
    assert.deepEqual(await readdir(dir), ['occupied']);
    assert.deepEqual(await readdir(target), ['child']);
  });
});
