/**
 * One info line per auth-server request: account, proto, status, outcome, latency, client.
 *
 * Written from the request log in batches (every REQUEST_LINES_FLUSH_MS, or sooner when a
 * burst would overrun the ring), never on the serving path: a request costs one counter
 * increment here. Lines carry no token or credential (a record holds none), and go through
 * the redacting logger like every other line; account ids are escaped for the log.
 */
import { accountIdForLog } from '../../shared/account-id.js';
import type { RequestRecord } from '../../shared/account-status.js';
import type { Logger } from '../logging/logger.js';
import type { RequestLog } from './request-log.js';

export const REQUEST_LINES_FLUSH_MS = 250;
/** Flush early once this many records wait (the ring holds DEFAULT_REQUEST_LOG_CAPACITY). */
const EARLY_FLUSH_RECORDS = 200;

export function formatRequestLine(record: RequestRecord): string {
  const account = record.account === '' ? '-' : accountIdForLog(record.account);
  return `request account=${account} proto=${record.proto || '-'} ${record.status} ${record.outcome} ${record.latencyMs} ms client=${record.client || '-'}`;
}

/** Logs every request recorded in `log` from now on; returns the function that stops it. */
export function logRequestLines(log: RequestLog, logger: Logger, flushMs = REQUEST_LINES_FLUSH_MS): () => void {
  let cursor = log.since(null, 0).cursor;
  let waiting = 0;
  let timer: NodeJS.Timeout | null = null;
  let early: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    if (early) clearImmediate(early);
    timer = null;
    early = null;
    waiting = 0;
    const { records, cursor: next, missed } = log.since(cursor);
    cursor = next;
    for (const record of records) logger.info(formatRequestLine(record));
    if (missed > 0) logger.info(`${missed} request(s) not logged (burst larger than the request log)`);
  };
  const unsubscribe = log.onRecord(() => {
    waiting += 1;
    if (timer === null) {
      timer = setTimeout(flush, flushMs);
      timer.unref();
    }
    if (waiting >= EARLY_FLUSH_RECORDS && early === null) early = setImmediate(flush);
  });
  return () => {
    unsubscribe();
    flush();
  };
}
