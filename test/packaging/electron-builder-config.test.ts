/**
 * electron-builder.yml checked against electron-builder's own JSON schema (the installed
 * 26.x app-builder-lib/scheme.json), and the Electron fuses issue 10 requires.
 *
 * Packaging cannot run here (it downloads Electron), so the schema is what stands between a
 * misspelt fuse key and a release whose binary still runs as Node.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
}

function loadConfig(): Record<string, unknown> {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  return yaml.load(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown>;
}

function validator(): ((data: unknown) => boolean) & { errors?: unknown[] | null } {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  const Ajv = (require('ajv') as { default: new (options: object) => AjvLike }).default;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema", () => {
    const validate = validator();
    const config = loadConfig();
    assert.equal(validate(config), true, JSON.stringify(validate.errors, null, 2));
    // The schema really rejects what it should: an unknown fuse key fails.
    const misspelt = { ...config, electronFuses: { ...(config.electronFuses as object), runAsNodee: false } };
    assert.equal(validate(misspelt), false, 'a misspelt fuse key is caught');
  });

  it('sets the fuses: no running as Node, no NODE_OPTIONS or --inspect, encrypted cookies, app only from a validated asar', () => {
    const fuses = loadConfig().electronFuses as Record<string, boolean>;
    assert.deepEqual(
      {
        runAsNode: fuses.runAsNode,
        enableNodeOptionsEnvironmentVariable: fuses.enableNodeOptionsEnvironmentVariable,
        enableNodeCliInspectArguments: fuses.enableNodeCliInspectArguments,
        enableCookieEncryption: fuses.enableCookieEncryption,
        onlyLoadAppFromAsar: fuses.onlyLoadAppFromAsar,
        enableEmbeddedAsarIntegrityValidation: fuses.enableEmbeddedAsarIntegrityValidation,
      },
      {
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableCookieEncryption: true,
        onlyLoadAppFromAsar: true,
        enableEmbeddedAsarIntegrityValidation: true,
      },
    );
    assert.equal(loadConfig().asar, true, 'onlyLoadAppFromAsar needs the asar');
  });
});
