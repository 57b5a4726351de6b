// Bundles the CLI (run after `tsc -p tsconfig.build.json`): dist/cli-bundle/, which bin/tokentray.cjs runs.
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
const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: { main: join(dist, 'cli/main.js') },
  outdir: target,
  splitting: true,
  format: 'esm',
});
// What bin/tokentray.cjs requires before the ES-module loader starts, as CommonJS files:
// the process hardening, and `token`, `status` and `server-url` through a running daemon
// (src/cli/daemon-fast-path.ts), each one self-contained file.
// Nothing it includes imports an ES-only package. `import.meta.url` becomes this file's own
// URL, so keytar's createRequire() resolves from dist/cli-bundle/ as in the ES bundle.
await build({
  ...common,
  entryPoints: { 'process-hardening': join(dist, 'core/process-hardening.js'), 'daemon-fast-path': join(dist, 'cli/daemon-fast-path.js') },
  outdir: target,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
});
