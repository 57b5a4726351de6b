/**
 * `npm run bench`: every benchmark section in one run, one process tree.
 *
 * 1. tokentray's auth server (real TokenBroker, cached token, Basic credentials) next to a
 *    bare node:http server answering the same bytes, loaded by the same autocannon client.
 * 2. The same with 1 and with 1,000 connected accounts.
 * 3. 1,000 concurrent requests for a just-expired token against the real identity provider.
 * Exits 1 if any target is missed.
 */
import { main as benchAuthServer } from './auth-server.bench.js';
import { printRefreshHerd, runRefreshHerd } from './refresh-herd.bench.js';

const served = await benchAuthServer();
const herd = printRefreshHerd(await runRefreshHerd());
console.log(`\n${served && herd ? 'PASS' : 'FAIL'}: npm run bench`);
process.exit(served && herd ? 0 : 1);
