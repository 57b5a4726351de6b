/**
 * Info lines for auth-server requests: one per request at EmailEngine's usual pace, a short
 * summary during a burst.
 *
 * Written from the request log in batches (every REQUEST_LINES_FLUSH_MS), never on the
 * serving path: a request costs one counter increment here. EmailEngine asks on every IMAP
 * connect and SMTP send, a handful of lines a minute, and each of them is worth a line. A
 * burst (a reconnect storm, a script hammering the port with wrong secrets) is not: a line
 * per request would cost more CPU than serving it, and, at 25k requests a second, the log
 * would rotate its whole history away within seconds, which is exactly what someone covering
 * their tracks would want. So a batch of more than ITEMIZED_LINES_PER_FLUSH requests becomes
 * one line with the count plus one line per kind of request (account, proto, status, client).
 *
 * Lines carry no token or credential (a record holds none), and go through the redacting
 * logger like every other line; account ids are escaped for the log.
 */
import { accountIdForLog } from '../../shared/account-id.js';
import type { RequestRecord } from '../../shared/account-status.js';
import type { Logger } from '../logging/logger.js';
import type { RequestLog } from './request-log.js';

export const REQUEST_LINES_FLUSH_MS = 1_000;
/** Up to this many requests in one batch get a line each; more are summarized. */
export const ITEMIZED_LINES_PER_FLUSH = 20;
/** Kinds of request listed in a burst's summary; the rest are counted in one line. */
export const MAX_SUMMARY_GROUPS = 8;

export function formatRequestLine(record: RequestRecord): string {
  return `request ${describeKind(record)} ${record.latencyMs} ms client=${record.client || '-'}`;
}

function describeKind(record: RequestRecord): string {
  const account = record.account === '' ? '-' : accountIdForLog(record.account);
  return `account=${account} proto=${record.proto || '-'} ${record.status} ${record.outcome}`;
}

interface Group {
  sample: RequestRecord;
  count: number;
  maxLatencyMs: number;
}

/** The summary of a burst: `records` are the newest of `total` requests (the ring keeps no more). */
export function summarizeBurst(records: RequestRecord[], total: number, seconds: number): string[] {
  const groups = new Map<string, Group>();
  for (const record of records) {
    const key = `${record.account}\n${record.proto}\n${record.status}\n${record.outcome}\n${record.client}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { sample: record, count: 1, maxLatencyMs: record.latencyMs });
    else {
      group.count += 1;
      if (record.latencyMs > group.maxLatencyMs) group.maxLatencyMs = record.latencyMs;
    }
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  const shown = sorted.slice(0, MAX_SUMMARY_GROUPS);
  const sampled = records.length < total ? `; the newest ${records.length.toLocaleString('en-US')} by kind:` : ', by kind:';
  const lines = [`requests: ${total.toLocaleString('en-US')} in the last ${seconds.toFixed(1)} s (a burst, summarized)${sampled}`];
  for (const group of shown) {
    lines.push(`requests ${describeKind(group.sample)} x${group.count} (slowest ${group.maxLatencyMs} ms) client=${group.sample.client || '-'}`);
  }
  const rest = sorted.slice(MAX_SUMMARY_GROUPS);
  if (rest.length > 0) {
    const count = rest.reduce((sum, group) => sum + group.count, 0);
    lines.push(`requests of ${rest.length} other kinds x${count}`);
  }
  return lines;
}

/** Logs every request recorded in `log` from now on; returns the function that stops it. */
export function logRequestLines(log: RequestLog, logger: Logger, flushMs = REQUEST_LINES_FLUSH_MS, now: () => number = Date.now): () => void {
  let cursor = log.since(null, 0).cursor;
  let batchStarted = now();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const { records, cursor: next, missed } = log.since(cursor);
    const total = next - cursor;
    cursor = next;
    const seconds = (now() - batchStarted) / 1000;
    batchStarted = now();
    if (total <= ITEMIZED_LINES_PER_FLUSH && missed === 0) {
      for (const record of records) logger.info(formatRequestLine(record));
      return;
    }
    for (const line of summarizeBurst(records, total, seconds)) logger.info(line);
  };
  const unsubscribe = log.onRecord(() => {
    if (timer !== null) return;
    batchStarted = now();
    timer = setTimeout(flush, flushMs);
    timer.unref();
  });
  return () => {
    unsubscribe();
    flush();
  };
}
