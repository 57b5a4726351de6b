/** Small probes of what listens on this machine's loopback, for tests. */
import { connect, createServer, type AddressInfo } from 'node:net';

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

/** A loopback port nothing listens on (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The one-time sign-in link tokentray prints or opens (it redirects once to the authorize URL). */
export const SIGN_IN_LINK = /http:\/\/(?:localhost|127\.0\.0\.1):\d+\/start\/[A-Za-z0-9_-]+/;

/** The port of the sign-in loopback listener, read from the sign-in link. */
export function loopbackPortOf(signInLink: string): number {
  return Number(new URL(signInLink).port);
}

/** Opens the sign-in link once (as a browser would) and returns where it redirects: the authorize URL. */
export async function authorizeUrlBehind(signInLink: string): Promise<string> {
  const response = await fetch(signInLink.replace('//localhost:', '//127.0.0.1:'), { redirect: 'manual', headers: { host: new URL(signInLink).host } });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`sign-in link answered ${response.status}, not a redirect`);
  return location;
}
