/**
 * How much serving a cached token costs, next to a bare node:http server answering the same JSON.
 *
 * Run: `node --import tsx test/bench/auth-server.bench.ts` (about a minute).
 *
 * The servers run in this process; autocannon runs in a child process (load-generator.ts).
 * A child rather than a worker thread: on two cores the server and the load each get a core
 * and share nothing (heap, GC, V8 platform threads, event loop), which is also how
 * EmailEngine calls tokentray in production. The CPU time this process spends during a run,
 * divided by the requests served, is the server's cost per request; it stays meaningful even
 * if the load generator, not the server, is the bottleneck.
 *
 * Both servers get EmailEngine's exact request headers and send the same response bytes
 * (same body, same Content-Type / Cache-Control / Content-Length), so the difference is
 * exactly tokentray's guards, Basic check, query parse, token lookup and request record.
 * Runs alternate (bare, tokentray, bare, …) in back-to-back pairs, and ratios are the median
 * of the per-pair ratios: on a shared two-core machine, load from other processes comes and
 * goes, and a pair sees the same conditions far more often than two medians taken apart.
 *
 * Sections are exported so more can be added; `main()` runs them all.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../../src/core/logging/logger.js';
import { RequestLog, startAuthServer, type AuthServer } from '../../src/core/auth-server/index.js';
import { TokenBroker } from '../../src/core/broker/token-broker.js';
import type { LoadJob, LoadResult } from './load-generator.js';

export interface BenchSettings {
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
  runs: number;
}

export const DEFAULT_BENCH_SETTINGS: BenchSettings = { connections: 32, warmupSeconds: 2, measureSeconds: 2.5, runs: 7 };

const CREDENTIALS = { username: 'emailengine', password: randomBytes(24).toString('base64url') };
const AUTHORIZATION = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
/** Sent by EmailEngine 2.79.2 (Node fetch), as observed; autocannon adds Host and Connection. */
const EMAILENGINE_HEADERS: Record<string, string> = {
  'User-Agent': 'emailengine-app/2.79.2 (+https://emailengine.app/)',
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'accept-encoding': 'gzip, deflate',
  Authorization: AUTHORIZATION,
};

/** A token shaped and sized like an Outlook access token (a ~2 KB JWT). */
function fakeAccessToken(): string {
  return `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(1400).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
}

export interface Measurement {
  label: string;
  load: LoadResult;
  cpuMicrosPerRequest: number;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

/** Second target over first, per metric: the median of the per-pair ratios. */
export interface PairedRatios {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  cpuMicrosPerRequest: number;
}

export interface SectionReport {
  title: string;
  rows: Measurement[];
  ratios: PairedRatios;
  checks: Check[];
}

/** The autocannon child process. */
export class LoadGenerator {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static async start(): Promise<LoadGenerator> {
    const child = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    return new LoadGenerator(child);
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.#child.once('message', (message: { ok: boolean; result?: LoadResult; error?: string }) => {
        if (message.ok && message.result) resolve(message.result);
        else reject(new Error(message.error ?? 'load generator failed'));
      });
      this.#child.send(job);
    });
  }

  stop(): void {
    this.#child.kill();
  }
}

interface Target {
  label: string;
  url: string;
  paths: string[];
}

async function measure(loader: LoadGenerator, target: Target, settings: BenchSettings, seconds: number, measureLatency: boolean): Promise<Measurement> {
  const before = process.cpuUsage();
  const load = await loader.run({
    url: target.url,
    connections: settings.connections,
    durationSeconds: seconds,
    headers: EMAILENGINE_HEADERS,
    paths: target.paths,
    measure: measureLatency,
  });
  const cpu = process.cpuUsage(before);
  if (load.non2xx > 0 || load.errors > 0) throw new Error(`${target.label}: ${load.non2xx} non-2xx answers and ${load.errors} errors under load`);
  return { label: target.label, load, cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, load.requests) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function medianMeasurement(label: string, runs: Measurement[]): Measurement {
  const pick = (get: (m: Measurement) => number): number => median(runs.map(get));
  return {
    label,
    cpuMicrosPerRequest: pick((m) => m.cpuMicrosPerRequest),
    load: {
      requests: pick((m) => m.load.requests),
      seconds: pick((m) => m.load.seconds),
      requestsPerSecond: pick((m) => m.load.requestsPerSecond),
      p50Ms: pick((m) => m.load.p50Ms),
      p99Ms: pick((m) => m.load.p99Ms),
      meanMs: pick((m) => m.load.meanMs),
      errors: pick((m) => m.load.errors),
      non2xx: pick((m) => m.load.non2xx),
    },
  };
}

interface Comparison {
  first: Measurement;
  second: Measurement;
  ratios: PairedRatios;
}

/** Warms both targets up, then measures them in alternating pairs; medians and paired ratios. */
async function compare(loader: LoadGenerator, first: Target, second: Target, settings: BenchSettings): Promise<Comparison> {
  await measure(loader, first, settings, settings.warmupSeconds, false);
  await measure(loader, second, settings, settings.warmupSeconds, false);
  const pairs: [Measurement, Measurement][] = [];
  for (let run = 0; run < settings.runs; run += 1) {
    pairs.push([await measure(loader, first, settings, settings.measureSeconds, true), await measure(loader, second, settings, settings.measureSeconds, true)]);
  }
  const ratio = (get: (m: Measurement) => number): number => median(pairs.map(([a, b]) => get(b) / get(a)));
  return {
    first: medianMeasurement(first.label, pairs.map(([a]) => a)),
    second: medianMeasurement(second.label, pairs.map(([, b]) => b)),
    ratios: {
      requestsPerSecond: ratio((m) => m.load.requestsPerSecond),
      p50Ms: ratio((m) => m.load.p50Ms),
      p99Ms: ratio((m) => m.load.p99Ms),
      meanMs: ratio((m) => m.load.meanMs),
      cpuMicrosPerRequest: ratio((m) => m.cpuMicrosPerRequest),
    },
  };
}

function startBareServer(body: Buffer): Promise<Server> {
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': body.length };
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * tokentray's auth server over the real TokenBroker (the production hot path: account lookup,
 * profile and freshness checks), its accounts holding fresh tokens so MSAL is never called.
 */
async function startTokentray(accounts: number): Promise<{ server: AuthServer; source: TokenBroker }> {
  const source = new TokenBroker({
    providers: () => {
      throw new Error('the bench serves cached tokens only');
    },
    logger: silentLogger,
  });
  const now = Date.now();
  for (let i = 0; i < accounts; i += 1) {
    const record = { id: `acct${i}`, profile: 'outlook' as const, homeAccountId: `home${i}`, username: `acct${i}@contoso.com`, sharedMailbox: null, createdAt: now };
    source.upsert(record, { accessToken: fakeAccessToken(), expiresAt: now + 3_600_000, homeAccountId: record.homeAccountId, username: record.username, fromCache: false });
  }
  const server = await startAuthServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => CREDENTIALS,
    tokenSource: source,
    recorder: new RequestLog(), // as in production: every request is recorded
    logger: silentLogger,
  });
  return { server, source };
}

function authenticationPaths(accounts: number, length: number): string[] {
  return Array.from({ length }, (_, i) => `/authentication?account=acct${i % accounts}&proto=imap`);
}

async function fetchBody(url: string): Promise<string> {
  const response = await fetch(url, { headers: { Authorization: AUTHORIZATION } });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.text();
}

/** Section 1: tokentray serving a cached token vs a bare node:http server sending the same bytes. */
export async function benchAgainstBareServer(loader: LoadGenerator, settings: BenchSettings = DEFAULT_BENCH_SETTINGS): Promise<SectionReport> {
  const { server: tokentray } = await startTokentray(1);
  const path = '/authentication?account=acct0&proto=imap';
  const body = await fetchBody(`${tokentray.url.replace('/authentication', '')}${path}`);
  const bare = await startBareServer(Buffer.from(body));
  try {
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    if ((await fetchBody(`${bareUrl}${path}`)) !== body) throw new Error('the bare server must answer the same bytes');
    const paths = authenticationPaths(1, 1);
    const { first: bareResult, second: tokentrayResult, ratios } = await compare(
      loader,
      { label: 'bare node:http', url: bareUrl, paths },
      { label: 'tokentray', url: `http://127.0.0.1:${tokentray.port}`, paths },
      settings,
    );
    const throughputRatio = ratios.requestsPerSecond;
    return {
      title: `Cached token vs bare node:http (${settings.connections} connections, ${settings.runs} alternating pairs of ${settings.measureSeconds} s)`,
      rows: [bareResult, tokentrayResult],
      ratios,
      checks: [
        { name: 'throughput >= 0.85 x bare', pass: throughputRatio >= 0.85, detail: `${throughputRatio.toFixed(3)} x` },
        { name: 'server CPU per request <= 1.10 x bare', pass: ratios.cpuMicrosPerRequest <= 1.1, detail: `${ratios.cpuMicrosPerRequest.toFixed(3)} x (${bareResult.cpuMicrosPerRequest.toFixed(1)} vs ${tokentrayResult.cpuMicrosPerRequest.toFixed(1)} us)` },
        { name: 'tokentray p99 < 2 ms', pass: tokentrayResult.load.p99Ms < 2, detail: `${tokentrayResult.load.p99Ms.toFixed(3)} ms` },
      ],
    };
  } finally {
    await tokentray.close();
    await new Promise((resolve) => bare.close(resolve));
  }
}

/** Section 2: 1 vs 1,000 accounts in the token source, requests spread over all of them. */
export async function benchAccountSpread(loader: LoadGenerator, settings: BenchSettings = DEFAULT_BENCH_SETTINGS): Promise<SectionReport> {
  const many = 1_000;
  const one = await startTokentray(1);
  const thousand = await startTokentray(many);
  try {
    // Same request list length for both, so the load generator does identical work.
    const { first: oneResult, second: manyResult, ratios } = await compare(
      loader,
      { label: 'tokentray, 1 account', url: `http://127.0.0.1:${one.server.port}`, paths: authenticationPaths(1, many) },
      { label: `tokentray, ${many} accounts`, url: `http://127.0.0.1:${thousand.server.port}`, paths: authenticationPaths(many, many) },
      settings,
    );
    const latencyRatio = ratios.meanMs;
    return {
      title: `1 vs ${many} accounts (${settings.connections} connections, ${settings.runs} alternating pairs of ${settings.measureSeconds} s)`,
      rows: [oneResult, manyResult],
      ratios,
      checks: [{ name: `mean latency at ${many} accounts within 10% of 1`, pass: latencyRatio <= 1.1, detail: `${latencyRatio.toFixed(3)} x` }],
    };
  } finally {
    await one.server.close();
    await thousand.server.close();
  }
}

export function formatReport(report: SectionReport): string {
  const header = ['server', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'server CPU us/req'];
  const rows = report.rows.map((m) => [
    m.label,
    Math.round(m.load.requestsPerSecond).toLocaleString('en-US'),
    m.load.p50Ms.toFixed(3),
    m.load.p99Ms.toFixed(3),
    m.load.meanMs.toFixed(3),
    m.cpuMicrosPerRequest.toFixed(1),
  ]);
  const r = report.ratios;
  rows.push([
    'ratio 2nd/1st (paired)',
    r.requestsPerSecond.toFixed(3),
    r.p50Ms.toFixed(3),
    r.p99Ms.toFixed(3),
    r.meanMs.toFixed(3),
    r.cpuMicrosPerRequest.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [
    report.title,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...report.checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`),
  ].join('\n');
}

/** Other processes on a two-core machine skew every figure: say so next to them. */
function machineNote(): string {
  const [oneMinute = 0] = loadavg();
  const busy = oneMinute > 1 ? ' (other processes are competing for the cores: throughput and p99 will read pessimistic)' : '';
  return `${availableParallelism()} cores, 1-minute load average before the run ${oneMinute.toFixed(2)}${busy}`;
}

export async function main(settings: BenchSettings = DEFAULT_BENCH_SETTINGS): Promise<boolean> {
  console.log(machineNote());
  const loader = await LoadGenerator.start();
  const started = Date.now();
  let allPass = true;
  try {
    for (const section of [benchAgainstBareServer, benchAccountSpread]) {
      const report = await section(loader, settings);
      console.log(`\n${formatReport(report)}`);
      allPass &&= report.checks.every((c) => c.pass);
    }
  } finally {
    loader.stop();
  }
  console.log(`\n${allPass ? 'PASS' : 'FAIL'}: all targets (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return allPass;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (pass) => {
      process.exitCode = pass ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
