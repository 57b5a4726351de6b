/** Small probes of what listens on this machine's loopback, for tests. */
import { connect } from 'node:net';

/** Does anything accept a TCP connection on 127.0.0.1:port right now? */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The port of MSAL's loopback listener, read from the authorize URL's redirect_uri. */
export function loopbackPortOf(authorizeUrl: string): number {
  return Number(new URL(new URL(authorizeUrl).searchParams.get('redirect_uri')!).port);
}
