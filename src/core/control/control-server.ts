/**
 * The daemon's side of the control channel: serves the TokentrayApi to local commands.
 *
 * Each connection first passes the handshake (secure-connection.ts); only then are its
 * sealed requests dispatched to the api.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import { MAX_CONTROL_LINE_BYTES, type ControlMessage, type ControlRequest } from './control-channel.js';
import { SecureConnection } from './secure-connection.js';
import type { Logger } from '../logging/logger.js';

/** Methods a command may call; connectAccount's browser hook is bridged as an event. */
const METHODS = new Set<keyof TokentrayApi>([
  'status',
  'listAccounts',
  'connectAccount',
  'cancelSignIn',
  'removeAccount',
  'getToken',
  'getSettings',
  'setSetting',
  'serverUrl',
  'rotateServerSecret',
  'setClientSecret',
  'recentRequests',
  'requestActivity',
  'runDiagnostics',
  'checkEmailEngine',
  'connectEmailEngine',
  'disconnectEmailEngine',
  'emailEngineStatus',
  'emailEngineOrphans',
  'previewEmailEngineRegistration',
]);

function send(connection: SecureConnection, message: ControlMessage): void {
  connection.send(message);
}

function errorData(error: unknown): ControlMessage & { error: unknown } {
  const translated = error instanceof TokentrayError ? error : new TokentrayError('INTERNAL', 'The running tokentray failed unexpectedly.', { cause: error });
  return { id: 0, error: translated.toJSON() };
}

/** Binds with umask 077: the socket is owner-only from birth, with no chmod window. */
function listenOwnerOnly(server: Server, endpoint: string, onListening: () => void): void {
  let previous: number | null = null;
  try {
    previous = process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; the 0700 data directory still guards the socket.
  }
  try {
    server.listen(endpoint, onListening);
  } finally {
    if (previous !== null) process.umask(previous);
  }
}

export async function startControlServer(options: { endpoint: string; vaultKey: () => Buffer | null; api: TokentrayApi; logger: Logger }): Promise<{ close(): Promise<void> }> {
  const { endpoint, api, logger } = options;
  if (process.platform !== 'win32') await rm(endpoint, { force: true }); // a stale socket from a crash
  const sockets = new Set<Socket>();

  const handle = async (socket: SecureConnection, request: ControlRequest): Promise<void> => {
    if (!METHODS.has(request.method as keyof TokentrayApi) || !Array.isArray(request.params)) {
      send(socket, { ...errorData(new TokentrayError('USAGE', `Unknown control method "${String(request.method).slice(0, 40)}".`)), id: request.id });
      return;
    }
    try {
      let result: unknown;
      if (request.method === 'connectAccount') {
        const connect = request.params[0] as Parameters<TokentrayApi['connectAccount']>[0];
        // The command that asked went away (killed, terminal closed): end its sign-in too,
        // rather than keep a loopback listener open until the timeout.
        const abandon = (): void => void api.cancelSignIn(connect.id).catch(() => undefined);
        socket.socket.once('close', abandon);
        try {
          result = await api.connectAccount(connect, {
            onAuthorizeUrl: (url) => send(socket, { id: request.id, event: 'authorize-url', url }),
            onDeviceCode: (code) => send(socket, { id: request.id, event: 'device-code', code }),
          });
        } finally {
          socket.socket.off('close', abandon);
        }
      } else {
        const method = api[request.method as keyof TokentrayApi] as (...args: unknown[]) => Promise<unknown>;
        result = await method.apply(api, request.params);
      }
      send(socket, { id: request.id, result: result ?? null });
    } catch (error) {
      if (!(error instanceof TokentrayError)) logger.error('control request failed', { method: request.method, error });
      send(socket, { ...errorData(error), id: request.id });
    }
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    SecureConnection.acceptAsServer(socket, options.vaultKey, MAX_CONTROL_LINE_BYTES)
      .then((connection) => {
        if (!connection) return; // failed the handshake: nothing it sent is acted on
        connection.onMessage((message) => {
          const request = message as ControlRequest;
          // Anything but a request object ends the connection; nothing here may crash the daemon.
          if (typeof request !== 'object' || request === null || Array.isArray(request)) {
            connection.destroy();
            return;
          }
          handle(connection, request).catch((error: unknown) => {
            logger.error('control request failed', { error });
            connection.destroy();
          });
        });
      })
      .catch((error: unknown) => {
        logger.error('control handshake failed', { error });
        socket.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    listenOwnerOnly(server, endpoint, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Owner only (read-write is all a socket needs), on top of the data directory's own 0700.
  if (process.platform !== 'win32') await chmod(endpoint, 0o600);
  logger.debug(`control channel listening on ${endpoint}`);

  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (process.platform !== 'win32') await rm(endpoint, { force: true });
    },
  };
}
