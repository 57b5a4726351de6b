#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import { hardenProcess } from '../dist/core/process-hardening.js';

// First, before anything is read or written: umask 077 and no core dumps (secrets in memory).
const hardening = hardenProcess();
for (const warning of hardening.warnings) process.stderr.write(`tokentray: warning: ${warning}\n`);
const { main } = await import('../dist/cli/main.js');

// Exit explicitly: a finished command must not linger on a forgotten handle.
process.exit(await main(process.argv.slice(2)));
