/**
 * The thundering herd: 1,000 concurrent requests for an account whose access token has just
 * expired must cost exactly one call to the identity provider's token endpoint, and all
 * 1,000 must get the new token.
 *
 * Everything is real: the local identity provider (HTTPS), MSAL, the token broker, the auth
 * server, a vault in a temp directory (the key in an in-memory secret store, so the bench
 * needs no keychain). The load is 1,000 separate sockets opened at once.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { InMemorySecretStore } from '../fakes/in-memory-secret-store.js';
import { completeSignIn, startIdentityProvider } from '../support/identity-provider/index.js';
import { startTestCore } from '../support/local-setup.js';

const LIFETIME_S = 6;
const ALICE = 'alice@contoso.test';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface HerdResult {
  requests: number;
  ok: number;
  distinctTokens: number;
  tokenEndpointCalls: number;
  latencyMs: { min: number; p50: number; p99: number; max: number };
}

export async function runRefreshHerd(concurrency = 1000): Promise<HerdResult> {
  const idp = await startIdentityProvider({ users: [{ username: ALICE }] });
  const { core, dispose } = await startTestCore(idp, { prefix: 'herd', secretStore: new InMemorySecretStore() });
  try {
    idp.setAccessTokenLifetime(LIFETIME_S);
    await core.connectAccount({ id: 'sales', email: ALICE }, { onAuthorizeUrl: (url) => void completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }) });
    // Let the token expire outright.
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000 + 250));

    const url = new URL(await core.serverUrl());
    const authorization = `Basic ${Buffer.from(`${url.username}:${url.password}`).toString('base64')}`;
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    idp.resetCounters();
    const one = (): Promise<{ status: number; body: string; ms: number }> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const req = request(
          { host: url.hostname, port: url.port, path: `${url.pathname}?account=sales&proto=smtp`, agent, headers: { authorization } },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const answers = await Promise.all(Array.from({ length: concurrency }, one));
    agent.destroy();
    const latencies = answers.map((answer) => answer.ms).sort((a, b) => a - b);
    const tokens = new Set(answers.filter((a) => a.status === 200).map((a) => (JSON.parse(a.body) as { accessToken: string }).accessToken));
    return {
      requests: concurrency,
      ok: answers.filter((answer) => answer.status === 200).length,
      distinctTokens: tokens.size,
      tokenEndpointCalls: idp.tokenEndpointCalls(),
      latencyMs: { min: latencies[0]!, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1)! },
    };
  } finally {
    await dispose();
    await idp.close();
  }
}

export function printRefreshHerd(result: HerdResult): boolean {
  const pass = result.tokenEndpointCalls === 1 && result.ok === result.requests && result.distinctTokens === 1;
  const l = result.latencyMs;
  console.log('\n== 1,000 concurrent requests for a just-expired token (real MSAL + local identity provider) ==');
  console.log(`requests ${result.requests}  answered 200: ${result.ok}  distinct tokens: ${result.distinctTokens}  token-endpoint calls: ${result.tokenEndpointCalls}`);
  console.log(`latency ms  min ${l.min.toFixed(1)}  p50 ${l.p50.toFixed(1)}  p99 ${l.p99.toFixed(1)}  max ${l.max.toFixed(1)}`);
  console.log(`${pass ? 'PASS' : 'FAIL'}: exactly one token-endpoint call, every request got the new token`);
  return pass;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runRefreshHerd();
  process.exitCode = printRefreshHerd(result) ? 0 : 1;
}
