/**
 * Start-up at 1, 100 and 1,000 accounts, and the CLI's own start, measured from the outside.
 *
 * Every account is a distinct user of the local identity provider, signed in for real through
 * MSAL (signed-in-homes.ts), once per run; each size gets its own data directory with a copy
 * of those sign-ins. For each size `tokentray serve` is started as a child process and timed:
 * start → the "ready" line, start → the first 200 for the last account (asked every 5 ms from
 * the start, as EmailEngine would), and its RSS once ready.
 *
 * `TOKENTRAY_BENCH_BIN=/other/checkout/bin/tokentray.cjs` with `TOKENTRAY_BENCH_LAYOUT=whole`
 * measures another build on the same sign-ins (the before/after table); `TOKENTRAY_BENCH_SIZES`
 * picks the sizes (default 1,100,1000).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';
import { BIN } from '../support/cli-process.js';
import { freePort } from '../support/loopback.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { accountIdOf, benchUsername, signInUsers, writeHome, type SignedIn } from '../support/signed-in-homes.js';

const POLL_MS = 5;
const GIVE_UP_MS = Number(process.env.TOKENTRAY_BENCH_GIVE_UP_MS ?? 120_000);
const ASK_TIMEOUT_MS = 1_000;
const CLI_RUNS = 9;
/** The environment's own setting, before the bench points it at the identity provider. */
const ORIGINAL_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
/**
 * RSS right after ready still holds the start's garbage (the vault and every MSAL partition
 * parsed once) until V8's memory reducer hands it back, some 10-20 s later: watched this
 * long for the smallest and the largest size, to tell what the accounts themselves keep.
 */
const SETTLE_MS = 30_000;

export interface StartupFigure {
  accounts: number;
  readyMs: number;
  firstOkMs: number;
  rssMb: number;
  /** The lowest RSS within SETTLE_MS after ready (smallest and largest size): what the accounts keep. */
  settledRssMb?: number;
}

export interface CliFigures {
  nodeMs: number;
  helpMs: number;
  tokenMs: number;
  helpRssMb: number;
  tokenRssMb: number;
  /** `node -e 0` and `token` again with the NODE_EXTRA_CA_CERTS of the environment the bench runs in, when it sets one. */
  withExtraCaCerts: { path: string; nodeMs: number; tokenMs: number } | null;
}

function ask(port: number, credentials: { username: string; password: string }, account: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/authentication?account=${encodeURIComponent(account)}&proto=imap`, headers: { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    // A start that blocks its event loop answers nothing: count that as "not yet".
    req.setTimeout(ASK_TIMEOUT_MS, () => req.destroy());
    req.end();
  });
}

function rssMbOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function environment(idp: TestIdentityProvider, home: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TOKENTRAY_HOME: home,
    TOKENTRAY_CLIENT_ID: idp.clientId,
    TOKENTRAY_AUTHORITY: idp.authority,
    TOKENTRAY_PORT: String(port),
    NODE_EXTRA_CA_CERTS: idp.caCertPath,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

type Timed = { ms: number; rssMb: number };

/**
 * Wall time and peak RSS of whole processes, median of CLI_RUNS each. The commands take turns
 * (one run of each per round), so a burst of load from elsewhere falls on all of them alike
 * instead of on whichever command was being timed nine times in a row.
 */
function timeProcesses(commands: string[][], env: NodeJS.ProcessEnv): { ms: number; rssMb: number }[] {
  const times = commands.map((): number[] => []);
  const rss = commands.map((): number[] => []);
  for (let run = 0; run < CLI_RUNS; run += 1) {
    commands.forEach((args, index) => {
      const started = performance.now();
      const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env, encoding: 'utf8' });
      times[index]!.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
      rss[index]!.push(Number(result.stderr.trim().split('\n').at(-1)) / 1024);
    });
  }
  return commands.map((_, index) => ({ ms: median(times[index]!), rssMb: median(rss[index]!) }));
}

/**
 * The CLI's figures, taken without NODE_EXTRA_CA_CERTS. The bench sets it so that `serve`
 * trusts the local identity provider; whenever it is set, Node loads its whole root store
 * before the first line of a script runs (about 40 ms on a 2-core VM), in `node -e 0` as in
 * any other process. `--help` and `token` make no TLS connection, and a user's shell does not
 * set it for them. An environment that does set it for everything (some sandboxes point it
 * at the system bundle) gets `node -e 0` and `token` timed in it too, printed beside.
 */
function timeCli(benchEnv: NodeJS.ProcessEnv, bin: string, account: string): CliFigures {
  const { NODE_EXTRA_CA_CERTS: _forTheIdentityProvider, ...plain } = benchEnv;
  const [node, help, token] = timeProcesses([['-e', '0'], [bin, '--help'], [bin, 'token', account]], plain) as [Timed, Timed, Timed];
  const own = ORIGINAL_EXTRA_CA_CERTS;
  let withExtraCaCerts: CliFigures['withExtraCaCerts'] = null;
  if (own) {
    const [nodeWith, tokenWith] = timeProcesses([['-e', '0'], [bin, 'token', account]], { ...plain, NODE_EXTRA_CA_CERTS: own }) as [Timed, Timed];
    withExtraCaCerts = { path: own, nodeMs: nodeWith.ms, tokenMs: tokenWith.ms };
  }
  return { nodeMs: node.ms, helpMs: help.ms, tokenMs: token.ms, helpRssMb: help.rssMb, tokenRssMb: token.rssMb, withExtraCaCerts };
}

async function lowestRssWithin(pid: number, ms: number): Promise<number> {
  let lowest = rssMbOf(pid);
  for (const until = performance.now() + ms; performance.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    lowest = Math.min(lowest, rssMbOf(pid));
  }
  return lowest;
}

async function measureSize(idp: TestIdentityProvider, signedIn: readonly SignedIn[], count: number, bin: string, layout: 'partitions' | 'whole', cli: ((env: NodeJS.ProcessEnv, account: string) => void) | null, settle = false): Promise<StartupFigure> {
  const { home, credentials } = await writeHome(signedIn.slice(0, count), layout);
  const port = await freePort();
  const env = environment(idp, home, port);
  const last = accountIdOf(count - 1);
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let readyMs = Number.NaN;
  const ready = new Promise<void>((resolve, reject) => {
    const check = (chunk: string): void => {
      output += chunk;
      if (Number.isNaN(readyMs) && output.includes('tokentray ready')) {
        readyMs = performance.now() - started;
        resolve();
      }
    };
    child.stdout.setEncoding('utf8').on('data', check);
    child.stderr.setEncoding('utf8').on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before ready:\n${output}`)));
  });
  let firstOkMs = Number.NaN;
  try {
    while (performance.now() - started < GIVE_UP_MS) {
      if ((await ask(port, credentials, last)) === 200) {
        firstOkMs = performance.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, Math.max(0, GIVE_UP_MS - (performance.now() - started))))]);
    const rssMb = Number.isNaN(readyMs) ? Number.NaN : rssMbOf(child.pid!);
    cli?.(env, last);
    const settledRssMb = settle && !Number.isNaN(readyMs) ? await lowestRssWithin(child.pid!, SETTLE_MS) : undefined;
    process.stderr.write(`startup: ${count} accounts: ready ${readyMs.toFixed(0)} ms, first 200 ${firstOkMs.toFixed(0)} ms, RSS ${rssMb.toFixed(1)} MB${settledRssMb === undefined ? '' : `, ${settledRssMb.toFixed(1)} MB settled`}\n`);
    return { accounts: count, readyMs, firstOkMs, rssMb, ...(settledRssMb === undefined ? {} : { settledRssMb }) };
  } finally {
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGINT');
    // A start still blocking its event loop cannot even take Ctrl-C.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await closed;
    clearTimeout(stuck);
    await Vault.reset(dataFiles(home).vault, new KeytarSecretStore());
    await rm(home, { recursive: true, force: true });
  }
}

export async function runStartup(): Promise<{ figures: StartupFigure[]; cli: CliFigures | null; mintMs: number }> {
  const sizes = (process.env.TOKENTRAY_BENCH_SIZES ?? '1,100,1000').split(',').map(Number);
  const bin = process.env.TOKENTRAY_BENCH_BIN ?? BIN;
  const layout = process.env.TOKENTRAY_BENCH_LAYOUT === 'whole' ? 'whole' : 'partitions';
  const largest = Math.max(...sizes);
  const idp = await startIdentityProvider({ users: Array.from({ length: largest }, (_, index) => ({ username: benchUsername(index) })) });
  try {
    const mintStarted = performance.now();
    const signedIn = await signInUsers(idp, largest);
    const mintMs = performance.now() - mintStarted;
    let cli: CliFigures | null = null;
    const figures: StartupFigure[] = [];
    for (const size of sizes) {
      figures.push(
        await measureSize(idp, signedIn, size, bin, layout, size !== sizes[0] ? null : (env, account) => (cli = timeCli(env, bin, account)), size === largest || size === sizes[0]),
      );
    }
    return { figures, cli, mintMs };
  } finally {
    await idp.close();
  }
}

function ratio(figures: StartupFigure[], from: number, to: number, pick: (figure: StartupFigure) => number): number | null {
  const a = figures.find((figure) => figure.accounts === from);
  const b = figures.find((figure) => figure.accounts === to);
  return a && b ? pick(b) / pick(a) : null;
}

/** Prints every figure beside its target; true when all targets are met. */
export function printStartup(result: { figures: StartupFigure[]; cli: CliFigures | null; mintMs: number }): boolean {
  const { figures, cli } = result;
  let pass = true;
  const check = (ok: boolean): string => {
    if (!ok) pass = false;
    return ok ? 'ok' : 'MISSED';
  };
  console.log(`\n## Start-up with N accounts signed in for real (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${figures.at(-1)?.accounts ?? 0} sign-ins made in ${(result.mintMs / 1000).toFixed(1)} s)`);
  console.log('accounts | start → ready | start → first 200 (last account) | RSS after ready');
  for (const figure of figures) console.log(`${String(figure.accounts).padStart(8)} | ${figure.readyMs.toFixed(0).padStart(10)} ms | ${figure.firstOkMs.toFixed(0).padStart(10)} ms | ${figure.rssMb.toFixed(1)} MB`);
  for (const [from, to, limit] of [[1, 100, null], [100, 1000, 12]] as const) {
    const ready = ratio(figures, from, to, (figure) => figure.readyMs);
    const first = ratio(figures, from, to, (figure) => figure.firstOkMs);
    if (ready === null || first === null) continue;
    const verdict = limit === null ? '' : `  (target ≤ ${limit}: ${check(ready <= limit && first <= limit)})`;
    console.log(`growth ${to}/${from}: ready ×${ready.toFixed(2)}, first 200 ×${first.toFixed(2)}${verdict}`);
  }
  const at = (count: number): StartupFigure | undefined => figures.find((figure) => figure.accounts === count);
  const thousand = at(1000);
  const hundred = at(100);
  if (thousand) console.log(`first 200 at 1,000 accounts: ${thousand.firstOkMs.toFixed(0)} ms (target < 1000 ms: ${check(thousand.firstOkMs < 1000)})`);
  if (thousand) console.log(`RSS at 1,000 accounts: ${thousand.rssMb.toFixed(1)} MB (target < 150 MB: ${check(thousand.rssMb < 150)})`);
  if (hundred) console.log(`RSS at 100 accounts: ${hundred.rssMb.toFixed(1)} MB (target < 90 MB: ${check(hundred.rssMb < 90)})`);
  const smallest = figures[0];
  const largest = figures.at(-1);
  if (smallest?.settledRssMb !== undefined && largest?.settledRssMb !== undefined && largest.accounts > smallest.accounts) {
    const perAccountKb = ((largest.settledRssMb - smallest.settledRssMb) * 1024) / (largest.accounts - smallest.accounts);
    console.log(
      `RSS once V8 has returned the start's garbage (lowest within ${SETTLE_MS / 1000} s): ${smallest.settledRssMb.toFixed(1)} MB at ${smallest.accounts}, ` +
        `${largest.settledRssMb.toFixed(1)} MB at ${largest.accounts.toLocaleString('en-US')} accounts: about ${perAccountKb.toFixed(1)} KB per account`,
    );
  }
  if (cli) {
    console.log(`\n## CLI, whole process, median of ${CLI_RUNS} (without NODE_EXTRA_CA_CERTS: see timeCli)`);
    console.log(`node -e 0:            ${cli.nodeMs.toFixed(0)} ms`);
    console.log(`tokentray --help:     ${cli.helpMs.toFixed(0)} ms, ${cli.helpRssMb.toFixed(1)} MB`);
    console.log(
      `tokentray token <id>: ${cli.tokenMs.toFixed(0)} ms (${(cli.tokenMs - cli.nodeMs).toFixed(0)} ms more than node -e 0), ${cli.tokenRssMb.toFixed(1)} MB against the running daemon (target < 150 ms: ${check(cli.tokenMs < 150)})`,
    );
    const extra = cli.withExtraCaCerts;
    if (extra) {
      console.log(
        `with this environment's NODE_EXTRA_CA_CERTS=${extra.path}: node -e 0 ${extra.nodeMs.toFixed(0)} ms, token ${extra.tokenMs.toFixed(0)} ms (${(extra.tokenMs - extra.nodeMs).toFixed(0)} ms more)`,
      );
    }
  }
  return pass;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) process.exit(printStartup(await runStartup()) ? 0 : 1);
