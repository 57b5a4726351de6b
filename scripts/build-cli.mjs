// Bundles the CLI (run after `tsc -p tsconfig.build.json`): dist/cli-bundle/, which bin/tokentray.js runs.
//
// A command answered by the daemon (`token`, `status`, `server-url`) lives for ~100 ms, and
// loading its ~30 small ES modules one by one (resolve, read through the libuv threadpool,
// compile, link) was a large part of that, competing with the keychain read for the same
// threadpool. One bundle with code splitting keeps each command's lazy import() a separate
// chunk, so `token` still loads no MSAL, auth server or settings code, in a handful of files.
// Packages stay external (keytar is native; MSAL and the rest load only for commands that
// need them). The bundle sits two folders deep, as dist/cli/main.js does, so the
// import.meta.url-relative paths in the code (package.json, keytar's require) stay right.
// Usage: node scripts/build-cli.mjs [--outdir dist]
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outdirIndex = args.indexOf('--outdir');
const dist = resolve(root, outdirIndex >= 0 ? args[outdirIndex + 1] : 'dist');
const target = join(dist, 'cli-bundle');

await rm(target, { recursive: true, force: true });
await build({
  entryPoints: {
    'process-hardening': join(dist, 'core/process-hardening.js'),
    main: join(dist, 'cli/main.js'),
  },
  outdir: target,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
