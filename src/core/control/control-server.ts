/**
 * The daemon's side of the control channel: serves the TokentrayApi to local commands.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import { MAX_CONTROL_LINE_BYTES, tokensMatch, type ControlMessage, type ControlRequest } from './control-channel.js';
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
  'recentRequests',
  'requestActivity',
]);

function send(socket: Socket, message: ControlMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

function errorData(error: unknown): ControlMessage & { error: unknown } {
  const translated = error instanceof TokentrayError ? error : new TokentrayError('INTERNAL', 'The running tokentray failed unexpectedly.', { cause: error });
  return { id: 0, error: translated.toJSON() };
}

export async function startControlServer(options: { endpoint: string; token: () => string | null; api: TokentrayApi; logger: Logger }): Promise<{ close(): Promise<void> }> {
  const { endpoint, api, logger } = options;
  if (process.platform !== 'win32') await rm(endpoint, { force: true }); // a stale socket from a crash
  const sockets = new Set<Socket>();

  const handle = async (socket: Socket, request: ControlRequest): Promise<void> => {
    const expected = options.token();
    if (!expected || !tokensMatch(expected, request.token)) {
      send(socket, { ...errorData(new TokentrayError('DAEMON_UNREACHABLE', 'The control request was not authorized.')), id: request.id });
      socket.end();
      return;
    }
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
        socket.once('close', abandon);
        try {
          result = await api.connectAccount(connect, {
            onAuthorizeUrl: (url) => send(socket, { id: request.id, event: 'authorize-url', url }),
          });
        } finally {
          socket.off('close', abandon);
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
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_CONTROL_LINE_BYTES) {
        socket.destroy();
        return;
      }
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let request: ControlRequest;
        try {
          request = JSON.parse(line) as ControlRequest;
        } catch {
          socket.destroy();
          return;
        }
        // Anything but a request object ends the connection; nothing here may crash the daemon.
        if (typeof request !== 'object' || request === null) {
          socket.destroy();
          return;
        }
        handle(socket, request).catch((error: unknown) => {
          logger.error('control request failed', { error });
          socket.destroy();
        });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Owner only, on top of the data directory's own 0700.
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
