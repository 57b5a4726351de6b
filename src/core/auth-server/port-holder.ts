/**
 * Which local user holds a listening TCP port (Linux), or null.
 *
 * Any local user may listen on a free port above 1023, the auth server's too, while tokentray
 * is not running. EmailEngine then sends that program its requests, and with them the
 * auth-server secret in its Authorization header. When tokentray finds its port taken, the
 * kernel's socket tables (/proc/net/tcp, /proc/net/tcp6: every socket with its state and its
 * owner's uid) tell a program of the user's own from another user's. Elsewhere (no /proc)
 * this answers null and the port is just "in use".
 */
import { readFileSync } from 'node:fs';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
/** IPv6 sockets only (our own 127.0.0.1 listener is in the other table). */
export const IPV6_TABLES = ['/proc/net/tcp6'];
const LOCAL_ADDRESS_COLUMN = 1;
const STATE_COLUMN = 3;
const UID_COLUMN = 7;
const TCP_LISTEN = '0A';

export interface PortHolder {
  uid: number;
  /** From /etc/passwd; null when the uid has no entry there. */
  name: string | null;
}

/** The owner of a socket listening on `port` (any local address); null when none is listed or on other systems. */
export function listeningPortHolder(port: number, tables: readonly string[] = TABLES, passwd = '/etc/passwd'): PortHolder | null {
  if (process.platform !== 'linux') return null;
  for (const table of tables) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[STATE_COLUMN] !== TCP_LISTEN) continue;
      const local = fields[LOCAL_ADDRESS_COLUMN] ?? '';
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      const uid = Number(fields[UID_COLUMN]);
      if (Number.isInteger(uid)) return { uid, name: userName(uid, passwd) };
    }
  }
  return null;
}

function userName(uid: number, passwd: string): string | null {
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // no passwd file to read: the uid alone names the holder
  }
  return null;
}

/** Whether `holder` is another user than this process's (root's sockets count as another user's too). */
export function isAnotherUser(holder: PortHolder | null): holder is PortHolder {
  return holder !== null && process.getuid !== undefined && holder.uid !== process.getuid();
}

export function describeHolder(holder: PortHolder): string {
  return holder.name ? `user ${holder.name} (uid ${holder.uid})` : `uid ${holder.uid}`;
}
