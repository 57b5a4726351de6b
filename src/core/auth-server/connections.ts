/**
 * The auth server's open connections: who is at the other end of each, whether it has
 * presented the secret, and which go first when there are too many.
 *
 * Each connection's facts are read once, when it opens, into one small object the request
 * path finds with a single lookup: a socket's peer never changes, and on a token request
 * Node's `remoteAddress` getter and a second per-socket table (for the credentials) cost
 * more than the rest of the guards together (cache misses between requests, not instructions).
 *
 * The budget: every local process may connect to the port, so another local user can open
 * connections and never send a request, or only wrong ones. With Node's own `maxConnections`
 * such a flood fills the limit and every new connection is dropped, EmailEngine's included,
 * for as long as the flood lasts. Here a connection counts as *unproven* until a request on it
 * presents the right credentials. When the limit is reached, the oldest unproven connection is
 * closed to make room for the new one. A proven connection is never closed for room.
 * EmailEngine proves itself on its first request, a few milliseconds after it connects, so it
 * keeps its connections and gets new ones; a flood without the secret can only push out its
 * own. The limit still holds open sockets (and file descriptors) to a fixed number.
 */
import type { Socket } from 'node:net';
import type { ProvableConnection } from './basic-credentials.js';
import { isAllowedClient } from './request-guard.js';

/** One open connection, as the request path sees it. */
export interface Connection extends ProvableConnection {
  /** The peer's address as Node reports it; '' when the socket was gone before it was read. */
  readonly client: string;
  /** Loopback, or listed in allowedClients. */
  readonly allowed: boolean;
}

/** What `of` needs of a socket (the parser's error event hands over a plain Duplex). */
export interface PeerSocket {
  readonly remoteAddress?: string | undefined;
}

interface Tracked extends Connection {
  readonly socket: Socket;
  release(): void;
}

export class Connections {
  readonly #limit: number;
  readonly #allowedClients: ReadonlySet<string>;
  readonly #bySocket = new WeakMap<object, Tracked>();
  /** Unproven connections, oldest first (a Set keeps insertion order). */
  readonly #unproven = new Set<Tracked>();
  #open = 0;

  /** `allowedClients`: addresses allowed besides loopback, normalized. */
  constructor(limit: number, allowedClients: ReadonlySet<string>) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the connection limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
    this.#allowedClients = allowedClients;
  }

  /** For the servers' 'connection' event: admits `socket`, closing the oldest unproven one if need be. */
  readonly admit = (socket: Socket): void => {
    if (this.#open >= this.#limit && !this.#closeOldestUnproven()) {
      socket.destroy(); // every open connection has proven the secret: the newcomer waits its turn
      return;
    }
    this.#open += 1;
    let counted = true;
    const client = socket.remoteAddress ?? '';
    const tracked: Tracked = {
      socket,
      client,
      allowed: isAllowedClient(client, this.#allowedClients),
      provenGeneration: 0,
      release: () => {
        if (!counted) return;
        counted = false;
        this.#open -= 1;
        this.#unproven.delete(tracked);
      },
    };
    this.#bySocket.set(socket, tracked);
    this.#unproven.add(tracked);
    socket.once('close', tracked.release);
  };

  /**
   * The connection a request came on. A socket never admitted (the server was not wired
   * through `admit`) gets its facts read now, unremembered, and can never prove itself.
   */
  of(socket: PeerSocket): Connection {
    const tracked = this.#bySocket.get(socket);
    if (tracked !== undefined) return tracked;
    const client = socket.remoteAddress ?? '';
    return { client, allowed: isAllowedClient(client, this.#allowedClients), provenGeneration: 0 };
  }

  /** A request on `connection` presented the right credentials. */
  proven(connection: ProvableConnection): void {
    this.#unproven.delete(connection as Tracked);
  }

  #closeOldestUnproven(): boolean {
    const oldest = this.#unproven.values().next();
    if (oldest.done) return false;
    const tracked = oldest.value;
    tracked.release(); // counted out now: its 'close' comes later
    tracked.socket.destroy();
    return true;
  }
}
