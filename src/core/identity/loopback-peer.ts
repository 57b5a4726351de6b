/**
 * Which local user owns the other end of a loopback TCP connection (Linux), or null.
 *
 * A sign-in's loopback listener serves only the user who started it. On Linux the kernel
 * lists every TCP socket with its owner's uid in /proc/net/tcp(6): the peer's socket is the
 * one whose local port is our connection's remote port and whose remote port is ours. That
 * turns away another local user's process even when it read the one-time sign-in link from
 * a browser's command line. Elsewhere (no /proc) this answers null and the link's one-time
 * use remains the defence.
 */
import { readFileSync } from 'node:fs';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
const UID_COLUMN = 7;

function portOf(hexAddress: string | undefined): number {
  const colon = hexAddress?.lastIndexOf(':') ?? -1;
  return colon === -1 ? -1 : Number.parseInt(hexAddress!.slice(colon + 1), 16);
}

/** The uid owning the client socket connected from `peerPort` to our `localPort`; null when unknown. */
export function loopbackPeerUid(localPort: number, peerPort: number, tables: readonly string[] = TABLES): number | null {
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
      if (portOf(fields[1]) !== peerPort || portOf(fields[2]) !== localPort) continue;
      const uid = Number(fields[UID_COLUMN]);
      if (Number.isInteger(uid)) return uid;
    }
  }
  return null;
}
