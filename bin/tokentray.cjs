#!/usr/bin/env node
// The published entry point. The CLI is bundled into dist/cli-bundle/ (built by `npm install`
// via `prepare`; scripts/build-cli.mjs says how and why).
//
// CommonJS, so that the commands a running daemon answers (`token`, `status`, `server-url`)
// start without Node's ES-module loader: one file, daemon-fast-path.cjs, takes them on.
// Everything else, and those too when no daemon runs, goes on to the full CLI, main.js.
'use strict';
const { hardenProcess } = require('../dist/cli-bundle/process-hardening.cjs');

// First, before anything is read or written: umask 077 and no core dumps (secrets in memory).
const hardening = hardenProcess();
for (const warning of hardening.warnings) process.stderr.write(`tokentray: warning: ${warning}\n`);

const argv = process.argv.slice(2);
// Only a hint of which path to try: the fast path reads the command line itself, and gives
// back (null) anything that is not one of its commands as they stand.
const maybeFast = argv.some((word) => word === 'token' || word === 'status' || word === 'server-url');

(async () => {
  const answered = maybeFast ? await require('../dist/cli-bundle/daemon-fast-path.cjs').answerFromDaemon(argv) : null;
  const code = answered ?? (await (await import('../dist/cli-bundle/main.js')).main(argv));
  // Exit explicitly: a finished command must not linger on a forgotten handle.
  process.exit(code);
})();
