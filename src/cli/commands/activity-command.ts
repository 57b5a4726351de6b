/**
 * `tokentray activity [--follow] [--json]`: the auth server's recent requests, headless.
 *
 * The history lives in memory in the running tokentray (serve or the tray app), so this asks
 * it over the control channel; `--follow` polls with a cursor until Ctrl-C, which the
 * request/response channel carries as well as a stream would at one poll a second. Records
 * never hold a token or a credential, only what EmailEngine asked and how it was answered.
 */
import type { RequestRecord } from '../../shared/account-status.js';
import { accountIdForLog } from '../../shared/account-id.js';
import { EXIT_FAILURE, EXIT_OK } from '../../shared/error-codes.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import { connectToDaemon } from '../../core/control/remote-core.js';
import type { CommandEnv } from '../command-env.js';

/** How many past requests are shown first. */
export const ACTIVITY_BACKLOG = 50;
/** How often `--follow` asks for new requests. */
export const ACTIVITY_POLL_MS = 1_000;

/** One request as one line: time, status, outcome, account, proto, latency, client. */
export function formatActivityLine(record: RequestRecord): string {
  const time = new Date(record.at).toISOString().replace('T', ' ').replace('Z', '');
  const account = record.account === '' ? '-' : accountIdForLog(record.account);
  return `${time}  ${record.status} ${record.outcome.padEnd(20)} ${account}  ${(record.proto || '-').padEnd(4)}  ${record.latencyMs.toFixed(1)} ms  ${record.client}`;
}

export async function activityCommand(env: CommandEnv, options: { follow: boolean; json: boolean }): Promise<number> {
  const api: TokentrayApi | null = await connectToDaemon(env.home);
  if (!api) {
    throw new TokentrayError('NOT_RUNNING', 'No tokentray is running for this data directory, and only the running one knows its requests.');
  }
  const print = (records: RequestRecord[]): void => {
    for (const record of records) env.output.out(options.json && options.follow ? JSON.stringify(record) : formatActivityLine(record));
  };
  const first = await api.requestActivity(null, ACTIVITY_BACKLOG);
  if (options.json && !options.follow) {
    env.output.out(JSON.stringify(first.records, null, 2));
    return EXIT_OK;
  }
  if (!options.json && first.records.length === 0 && !options.follow) env.output.err('tokentray: no requests yet since tokentray started.');
  print(first.records);
  if (!options.follow) return EXIT_OK;

  env.output.err('tokentray: following new requests (Ctrl-C stops)…');
  let cursor = first.cursor;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  void env.interrupted.then(() => {
    stopped = true;
    clearTimeout(timer);
    wake?.();
  });
  while (!stopped) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ACTIVITY_POLL_MS);
    });
    if (stopped) break;
    let page;
    try {
      page = await api.requestActivity(cursor, ACTIVITY_BACKLOG * 10);
    } catch (error) {
      env.output.err(`tokentray: the running tokentray stopped answering (${error instanceof Error ? error.message : String(error)}).`);
      return EXIT_FAILURE;
    }
    if (page.missed > 0) env.output.err(`tokentray: ${page.missed} request(s) came too fast to show.`);
    print(page.records);
    cursor = page.cursor;
  }
  return EXIT_OK;
}
