import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { IPC_CHANNELS, WINDOW_METHODS } from '../../src/shared/ipc-contract.js';

const ROOT = resolve(import.meta.dirname, '../..');
const outdir = mkdtempSync(join(tmpdir(), 'tokentray-preload-'));
after(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs the bundled preload as a sandboxed preload would: CommonJS, and only `electron` to require. */
function loadPreload(): { exposed: Record<string, unknown>; invoked: Array<{ channel: string; args: unknown[] }>; required: string[] } {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-renderer.mjs'), '--preload-only', '--outdir', outdir], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const source = readFileSync(join(outdir, 'preload', 'preload.cjs'), 'utf8');
  const exposed: Record<string, unknown> = {};
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return { ok: true, value: null };
      },
      on: () => undefined,
      removeListener: () => undefined,
    },
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
    return electron;
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', source)(sandboxRequire, module, module.exports);
  return { exposed, invoked, required };
}

describe('the built preload (dist/preload/preload.cjs)', () => {
  it('requires nothing but electron and exposes window.tokentray with the contract methods only', async () => {
    const { exposed, invoked, required } = loadPreload();
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.deepEqual(Object.keys(exposed), ['tokentray']);
    const bridge = exposed.tokentray as Record<string, (...args: unknown[]) => Promise<unknown>>;
    assert.deepEqual(Object.keys(bridge).sort(), [...WINDOW_METHODS, 'onDeviceCode', 'onShowView', 'onSignInsChanged', 'onStatusChanged'].sort());
    assert.equal('getToken' in bridge, false);
    await bridge.removeAccount!('sales');
    assert.deepEqual(invoked, [{ channel: IPC_CHANNELS.removeAccount, args: ['sales'] }]);
  });
});
