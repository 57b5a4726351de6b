/**
 * Starts and stops the localhost HTTP server EmailEngine calls for tokens.
 *
 * Shut to everyone but EmailEngine: bound to loopback (127.0.0.1, plus ::1 for 'localhost'),
 * or to another address only together with an allowedClients list; HTTP Basic credentials
 * on /authentication; browser and DNS-rebinding requests refused (see request-guard.ts).
 * Slow or oversized requests cannot tie it up: short header/request timeouts checked every
 * second, an 8 KiB header cap and a 2 KiB URL cap. Keep-alive stays on for EmailEngine's
 * bursts, with a timeout above undici's 4-5 s so the client, not the server, closes an idle
 * socket (a server-side close racing a reused socket would surface as `fetch failed`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { isLoopbackHost } from '../storage/settings.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { BasicCredentialsChecker, type AuthServerCredentials } from './basic-credentials.js';
import { Connections } from './connections.js';
import { FailureThrottle, type FailureThrottleOptions } from './failure-throttle.js';
import { AuthRequestHandler } from './request-handler.js';
import { hostPolicy, isWildcardHost, normalizeAddress } from './request-guard.js';
import { TCP6_TABLES } from '../tcp-sockets.js';
import { describeHolder, heldByAnotherUser, isAnotherUser, listeningPortHolder } from './port-holder.js';
import { formatServerUrl } from './server-url.js';
import type { RequestRecorder, TokenSource } from './token-source.js';

export interface AuthServerLimits {
  /** Longer request targets get 414. EmailEngine's are under 200 characters. */
  maxUrlChars: number;
  /** Request line plus headers; beyond it Node's parser answers 431. */
  maxHeaderBytes: number;
  /** Time to receive the headers (slow-loris guard). */
  headersTimeoutMs: number;
  /** Time to receive the whole request. */
  requestTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let them slip). */
  timeoutCheckIntervalMs: number;
  /** Longest wait for a token refresh before answering 503. */
  grantTimeoutMs: number;
  /**
   * Open connections, all listeners together. At the limit the oldest connection that has not
   * yet presented the secret is closed for a new one (Connections): a local flood can
   * neither exhaust file descriptors nor lock EmailEngine out.
   */
  maxConnections: number;
}

export const DEFAULT_AUTH_SERVER_LIMITS: Readonly<AuthServerLimits> = {
  maxUrlChars: 2_048,
  maxHeaderBytes: 8_192,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 8_000, // undici keeps a socket for the server's hint minus 1 s: 7 s
  timeoutCheckIntervalMs: 1_000,
  grantTimeoutMs: 30_000, // well under EmailEngine's 90 s, far above a normal refresh
  maxConnections: 4_096, // EmailEngine keeps a handful; the bench's 1,000-request burst fits
};

export interface AuthServerOptions {
  host: string; // '127.0.0.1' default; 'localhost' means bind 127.0.0.1 and ::1
  port: number; // 0 = ephemeral
  allowedClients?: string[]; // extra client IPs allowed when host is not loopback
  credentials: () => AuthServerCredentials; // read per request so rotation takes effect at once
  tokenSource: TokenSource;
  recorder?: RequestRecorder;
  logger: Logger; // tagged by the caller, e.g. `logger.child('auth-server')`
  now?: () => number;
  limits?: Partial<AuthServerLimits>;
  throttle?: Partial<FailureThrottleOptions>;
  /** One debug line per request (off by default: the RequestRecorder is the per-request trail). */
  logEachRequest?: boolean;
}

export interface AuthServer {
  /** http://127.0.0.1:PORT/authentication: no credentials. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    // Idle keep-alive sockets would otherwise hold close() open for keepAliveTimeoutMs.
    server.closeAllConnections();
  });
}

function listenError(error: unknown, host: string, port: number): TokentrayError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE': {
      const holder = listeningPortHolder(port);
      if (isAnotherUser(holder)) {
        return new TokentrayError(
          'PORT_HELD_BY_OTHER_USER',
          `Port ${port} on ${host} ${heldByAnotherUser(holder)}`,
          { cause: error, details: { host, port, holderUid: holder.uid, holderName: holder.name } },
        );
      }
      return new TokentrayError('PORT_IN_USE', `Port ${port} on ${host} is already in use.`, { cause: error, details: { host, port } });
    }
    case 'EACCES':
      return new TokentrayError('CONFIG_INVALID', `Not allowed to listen on port ${port} of ${host}.`, {
        cause: error,
        hint: 'Pick a port above 1023: `tokentray config set port <number>`.',
        details: { key: 'port' },
      });
    case 'EADDRNOTAVAIL':
      return new TokentrayError('CONFIG_INVALID', `${host} is not an address of this machine.`, {
        cause: error,
        hint: 'Set host to 127.0.0.1 (or an address of this machine): `tokentray config set host 127.0.0.1`.',
        details: { key: 'host' },
      });
    default:
      return new TokentrayError('INTERNAL', `The auth server could not listen on ${host}:${port}.`, { cause: error });
  }
}

export async function startAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const log = options.logger;
  const limits: AuthServerLimits = { ...DEFAULT_AUTH_SERVER_LIMITS, ...options.limits };
  const allowedClients = new Set((options.allowedClients ?? []).map(normalizeAddress));
  const loopback = isLoopbackHost(options.host);
  if (!loopback && allowedClients.size === 0) {
    throw new TokentrayError('CONFIG_INVALID', `Binding the auth server to ${options.host} would expose it beyond this machine with no allowed clients.`, {
      hint: 'Set allowedClients to EmailEngine\'s address first (`tokentray config set allowedClients <address>`), or set host back to 127.0.0.1.',
      details: { key: 'host' },
    });
  }

  const connections = new Connections(limits.maxConnections, allowedClients);
  const handler = new AuthRequestHandler(
    {
      tokenSource: options.tokenSource,
      credentials: new BasicCredentialsChecker(options.credentials, undefined, (connection) => connections.proven(connection)),
      throttle: new FailureThrottle(options.throttle),
      connections,
      recorder: options.recorder,
      logger: log,
      now: options.now ?? Date.now,
      maxUrlChars: limits.maxUrlChars,
      grantTimeoutMs: limits.grantTimeoutMs,
      logEachRequest: options.logEachRequest ?? false,
    },
    hostPolicy(options.host, options.port),
  );
  const makeServer = (): Server => {
    const server = createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
        requireHostHeader: false, // checked by the guard, with a JSON answer like every refusal
        insecureHTTPParser: false,
        noDelay: true,
      },
      handler.handle,
    );
    server.on('connection', connections.admit);
    server.on('clientError', handler.handleClientError);
    return server;
  };

  const servers: Server[] = [];
  const primaryHost = options.host === 'localhost' ? '127.0.0.1' : options.host;
  const primary = makeServer();
  try {
    await listen(primary, primaryHost, options.port);
  } catch (error) {
    throw listenError(error, primaryHost, options.port);
  }
  servers.push(primary);
  const port = (primary.address() as AddressInfo).port;
  handler.setHostPolicy(hostPolicy(options.host, port));

  if (options.host === 'localhost') {
    // EmailEngine may resolve localhost to ::1; a machine without IPv6 simply lacks it.
    const secondary = makeServer();
    try {
      await listen(secondary, '::1', port);
      servers.push(secondary);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The URL tokentray gives EmailEngine names 127.0.0.1, but a client told `localhost`
      // may try ::1 first, and would then hand another user's listener the secret.
      const holder = code === 'EADDRINUSE' ? listeningPortHolder(port, TCP6_TABLES) : null;
      if (isAnotherUser(holder)) {
        log.warn(`[::1]:${port} is held by another user of this machine, ${describeHolder(holder)}: 127.0.0.1 only; give EmailEngine the 127.0.0.1 URL (\`tokentray server-url\`), never localhost`);
      } else {
        log.warn(`not listening on [::1]:${port} (${code ?? 'error'}); 127.0.0.1 only`);
      }
    }
  }
  for (const server of servers) {
    server.on('error', (error) => log.error('server error', { error }));
  }

  if (!loopback) {
    log.warn(`listening on ${options.host}${isWildcardHost(options.host) ? ' (all interfaces)' : ''}: reachable beyond this machine; only ${[...allowedClients].join(', ')} and loopback are served`);
  }
  const url = formatServerUrl(options.host, port);
  log.info(`listening on ${url}`);

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close(): Promise<void> {
      closing ??= Promise.all(servers.map(closeServer)).then(() => log.info('stopped'));
      return closing;
    },
  };
}
