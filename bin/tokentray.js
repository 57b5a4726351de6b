#!/usr/bin/env node
// The published entry point: the compiled CLI, bundled, lives in dist/cli-bundle/ (built by
// `npm install` via `prepare`; scripts/build-cli.mjs says why it is bundled).
import { hardenProcess } from '../dist/cli-bundle/process-hardening.js';

// First, before anything is read or written: umask 077 and no core dumps (secrets in memory).
const hardening = hardenProcess();
for (const warning of hardening.warnings) process.stderr.write(`tokentray: warning: ${warning}\n`);
const { main } = await import('../dist/cli-bundle/main.js');

// Exit explicitly: a finished command must not linger on a forgotten handle.
process.exit(await main(process.argv.slice(2)));
