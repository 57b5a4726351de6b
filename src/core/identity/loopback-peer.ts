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
import { TCP_TABLES, tcpSockets } from '../tcp-sockets.js';

/** The uid owning the client socket connected from `peerPort` to our `localPort`; null when unknown. */
export function loopbackPeerUid(localPort: number, peerPort: number, tables: readonly string[] = TCP_TABLES): number | null {
  for (const socket of tcpSockets(tables)) {
    if (socket.localPort === peerPort && socket.remotePort === localPort) return socket.uid;
  }
  return null;
}
