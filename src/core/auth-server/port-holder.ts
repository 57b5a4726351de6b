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
import { TCP_LISTEN, TCP_TABLES, tcpSockets } from '../tcp-sockets.js';

export interface PortHolder {
  uid: number;
  /** From /etc/passwd; null when the uid has no entry there. */
  name: string | null;
}

/** The owner of a socket listening on `port` (any local address); null when none is listed or on other systems. */
export function listeningPortHolder(port: number, tables: readonly string[] = TCP_TABLES, passwd = '/etc/passwd'): PortHolder | null {
  for (const socket of tcpSockets(tables)) {
    if (socket.state === TCP_LISTEN && socket.localPort === port) return { uid: socket.uid, name: userName(socket.uid, passwd) };
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

/** What follows "<where> " in PORT_HELD_BY_OTHER_USER's message (the server's and the doctor's). */
export function heldByAnotherUser(holder: PortHolder): string {
  return `is held by another user of this machine, ${describeHolder(holder)}: EmailEngine would send that program its requests, and the auth-server secret with them.`;
}
