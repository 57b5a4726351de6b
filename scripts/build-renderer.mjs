// Bundles what tsc cannot produce alone (run after `tsc -p tsconfig.build.json`):
//   dist/renderer/  index.html + app.js (one classic script: CSP script-src 'self') + styles.css
//   dist/preload/preload.cjs  the sandboxed preload, CommonJS with the shared contract inlined
//   dist/tray/      tray icons copied from build/tray/
// Usage: node scripts/build-renderer.mjs [--outdir dist] [--renderer-only | --preload-only]
import { build } from 'esbuild';
import { copyFile, cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outdirIndex = args.indexOf('--outdir');
const outdir = resolve(root, outdirIndex >= 0 ? args[outdirIndex + 1] : 'dist');
const rendererOnly = args.includes('--renderer-only');
const preloadOnly = args.includes('--preload-only');

// Electron 45 runs Chromium 140 and Node 22.
const CHROME_TARGET = 'chrome140';
const NODE_TARGET = 'node22';

async function buildRenderer() {
  const target = join(outdir, 'renderer');
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await build({
    entryPoints: [join(root, 'renderer/app.ts')],
    outfile: join(target, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: CHROME_TARGET,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(root, 'renderer/index.html'), join(target, 'index.html'));
  await copyFile(join(root, 'renderer/styles.css'), join(target, 'styles.css'));
}

async function buildPreload() {
  // Overwrites tsc's preload.cjs: a sandboxed preload can require only a few Electron modules,
  // so the shared contract must be bundled in.
  await build({
    entryPoints: [join(root, 'src/preload/preload.cts')],
    outfile: join(outdir, 'preload/preload.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: NODE_TARGET,
    external: ['electron'],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

async function copyTrayIcons() {
  const source = join(root, 'build/tray');
  if (!existsSync(source)) throw new Error('build/tray is missing: run `node build/generate-icons.mjs`');
  await rm(join(outdir, 'tray'), { recursive: true, force: true });
  await cp(source, join(outdir, 'tray'), { recursive: true });
}

if (preloadOnly) {
  await buildPreload();
} else {
  await buildRenderer();
  if (!rendererOnly) {
    await buildPreload();
    await copyTrayIcons();
  }
}
const what = preloadOnly ? 'preload' : rendererOnly ? 'renderer' : 'renderer, preload and tray icons';
console.log(`built ${what} into ${outdir}`);
