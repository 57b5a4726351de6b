import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFileSink, teeSinks } from '../../../src/core/logging/log-file.js';
import { createLogger } from '../../../src/core/logging/logger.js';

describe('log file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends redacted lines to an owner-only file', async () => {
    const path = join(dir, 'tokentray.log');
    const logger = createLogger({ sink: createFileSink(path), level: 'debug', component: 'desktop' });
    logger.info('refreshed', { accessToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl' });
    logger.warn('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl');
    const text = await readFile(path, 'utf8');
    assert.match(text, /INFO \[desktop\] refreshed/);
    assert.doesNotMatch(text, /eyJ/);
    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('rolls the file over at its size limit', async () => {
    const path = join(dir, 'small.log');
    const sink = createFileSink(path, 100);
    for (let i = 0; i < 5; i += 1) sink(`line ${i} ${'x'.repeat(30)}`);
    assert.ok((await stat(path)).size <= 100);
    assert.match(await readFile(`${path}.1`, 'utf8'), /line \d/);
  });

  it('tees a line to every sink', () => {
    const seen: string[] = [];
    teeSinks((line) => seen.push(`a:${line}`), (line) => seen.push(`b:${line}`))('hello');
    assert.deepEqual(seen, ['a:hello', 'b:hello']);
  });
});
