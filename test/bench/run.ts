/**
 * `npm run bench`: every benchmark section in one run, one process tree.
 *
 * 1. tokentray's auth server (real TokenBroker, cached token, Basic credentials) next to a
 *    bare node:http server answering the same bytes, loaded by the same autocannon client.
 * 2. The same with 1 and with 1,000 accounts.
 * 3. 1,000 concurrent requests for a just-expired token against the real identity provider.
 * 4. `tokentray serve` starting with 1, 100 and 1,000 accounts signed in for real, and the
 *    CLI's own start (`--help`, `token` against the running daemon).
 * Exits 1 if any target is missed.
 *
 * Section 4 runs real `tokentray` processes, which keep their vault key in the OS keychain:
 * on Linux without a keyring session, the bench re-runs itself inside a private one
 * (scripts/with-keyring.sh, as the tests do).
 */
import { spawnSync } from 'node:child_process';
import { main as benchAuthServer } from './auth-server.bench.js';
import { printRefreshHerd, runRefreshHerd } from './refresh-herd.bench.js';
import { printStartup, runStartup } from './startup.bench.js';

if (process.platform === 'linux' && !process.env.TOKENTRAY_KEYRING_DIR) {
  const wrapped = spawnSync('bash', ['scripts/with-keyring.sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(wrapped.status ?? 1);
}

const served = await benchAuthServer();
const herd = printRefreshHerd(await runRefreshHerd());
const startup = printStartup(await runStartup());
const pass = served && herd && startup;
console.log(`\n${pass ? 'PASS' : 'FAIL'}: npm run bench`);
process.exit(pass ? 0 : 1);
