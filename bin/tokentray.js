#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import { main } from '../dist/cli/main.js';

// Exit explicitly: a finished command must not linger on a forgotten handle.
process.exit(await main(process.argv.slice(2)));
