/**
 * The kernel's tables of TCP sockets (Linux: /proc/net/tcp and /proc/net/tcp6), one row per
 * socket with its local and remote port, its state and its owner's uid. They tell which local
 * user is at the other end of a loopback connection, or holds a listening port. Elsewhere
 * there are no tables, and no rows.
 */
import { readFileSync } from 'node:fs';

export const TCP_TABLES: readonly string[] = ['/proc/net/tcp', '/proc/net/tcp6'];
/** IPv6 sockets only. */
export const TCP6_TABLES: readonly string[] = ['/proc/net/tcp6'];
/** The state column's value for a listening socket. */
export const TCP_LISTEN = '0A';

export interface TcpSocketRow {
  localPort: number;
  remotePort: number;
  state: string;
  uid: number;
}

const LOCAL_COLUMN = 1;
const REMOTE_COLUMN = 2;
const STATE_COLUMN = 3;
const UID_COLUMN = 7;

function portOf(hexAddress: string | undefined): number {
  const colon = hexAddress?.lastIndexOf(':') ?? -1;
  return colon === -1 ? -1 : Number.parseInt(hexAddress!.slice(colon + 1), 16);
}

/** Every socket of `tables` (a table that cannot be read is skipped; none off Linux). */
export function* tcpSockets(tables: readonly string[] = TCP_TABLES): Generator<TcpSocketRow> {
  if (process.platform !== 'linux') return;
  for (const table of tables) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      const uid = Number(fields[UID_COLUMN]);
      if (!Number.isInteger(uid)) continue; // the header line
      yield { localPort: portOf(fields[LOCAL_COLUMN]), remotePort: portOf(fields[REMOTE_COLUMN]), state: fields[STATE_COLUMN] ?? '', uid };
    }
  }
}
