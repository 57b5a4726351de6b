/**
 * How many connections the auth server keeps open, and which go first when there are too many.
 *
 * Every local process may connect to the port, so another local user can open connections and
 * never send a request, or only wrong ones. With Node's own `maxConnections` such a flood fills
 * the limit and every new connection is dropped, EmailEngine's included, for as long as the
 * flood lasts. Here a connection counts as *unproven* until a request on it presents the right
 * credentials. When the limit is reached, the oldest unproven connection is closed to make room
 * for the new one. A proven connection is never closed for room. EmailEngine proves itself on
 * its first request, a few milliseconds after it connects, so it keeps its connections and gets
 * new ones; a flood without the secret can only push out its own. The limit still holds open
 * sockets (and file descriptors) to a fixed number.
 */
import type { Socket } from 'node:net';

export class ConnectionBudget {
  readonly #limit: number;
  /** Unproven connections, oldest first (a Map keeps insertion order), each with its release. */
  readonly #unproven = new Map<Socket, () => void>();
  #open = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the connection limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** For the servers' 'connection' event: admits `socket`, closing the oldest unproven one if need be. */
  readonly admit = (socket: Socket): void => {
    if (this.#open >= this.#limit && !this.#closeOldestUnproven()) {
      socket.destroy(); // every open connection has proven the secret: the newcomer waits its turn
      return;
    }
    this.#open += 1;
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      this.#open -= 1;
      this.#unproven.delete(socket);
    };
    this.#unproven.set(socket, release);
    socket.once('close', release);
  };

  /** A request on `connection` presented the right credentials. */
  proven(connection: object): void {
    this.#unproven.delete(connection as Socket);
  }

  #closeOldestUnproven(): boolean {
    const oldest = this.#unproven.entries().next();
    if (oldest.done) return false;
    const [socket, release] = oldest.value;
    release(); // counted out now: its 'close' comes later
    socket.destroy();
    return true;
  }
}
