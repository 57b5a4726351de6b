/**
 * A command's side of the control channel: a TokentrayApi that forwards to the daemon.
 *
 * Every call checks the socket, runs the handshake and only then sends its sealed request.
 */
import { connect, type Socket } from 'node:net';
import type { StatusReport } from '../../shared/account-status.js';
import type { ErrorCode } from '../../shared/error-codes.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import { MAX_CONTROL_ANSWER_BYTES, type ControlMessage } from './control-channel.js';
import { SecureConnection } from './secure-connection.js';

/** An opened-ahead first connection left unused this long is closed (the daemon would time it out). */
export const PRECONNECT_IDLE_MS = 1_000;

export class ControlClient implements TokentrayApi {
  readonly #endpoint: string;
  readonly #vaultKey: Buffer | Promise<Buffer>;
  readonly #verify: () => Promise<void>;
  #nextId = 1;
  #ahead: { connection: Promise<SecureConnection>; timer: NodeJS.Timeout } | null = null;

  /**
   * `verify` runs before every connection (control-peer.ts: the socket must be the user's
   * own); the handshake then proves the daemon holds `vaultKey` before a request is sent.
   * The key may be a promise (a keychain read still under way): see connectAsClient.
   */
  constructor(endpoint: string, vaultKey: Buffer | Promise<Buffer>, verify: () => Promise<void> = async () => undefined) {
    this.#endpoint = endpoint;
    this.#vaultKey = vaultKey;
    this.#verify = verify;
  }

  /**
   * Opens the first connection now, for the first call to use: its hello and the daemon's
   * answer then cross while the key is still being read. Only for a socket `verify` has just
   * passed; errors wait for the call that uses it, as they would have come from its connect.
   */
  connectAhead(): void {
    if (this.#ahead) return;
    const connection = this.#open();
    connection.catch(() => undefined); // reported by the call that takes it
    const timer = setTimeout(() => {
      if (this.#ahead?.connection !== connection) return;
      this.#ahead = null;
      void connection.then((opened) => opened.destroy(), () => undefined);
    }, PRECONNECT_IDLE_MS);
    timer.unref();
    this.#ahead = { connection, timer };
  }

  #open(): Promise<SecureConnection> {
    const socket: Socket = connect(this.#endpoint);
    const unreachable = (error: Error): TokentrayError =>
      new TokentrayError('DAEMON_UNREACHABLE', `The running tokentray did not answer (${(error as NodeJS.ErrnoException).code ?? error.message}).`, { cause: error });
    return new Promise<SecureConnection>((resolve, reject) => {
      const onError = (error: Error): void => reject(unreachable(error));
      socket.once('error', onError);
      socket.once('connect', () => {
        SecureConnection.connectAsClient(socket, this.#vaultKey, this.#endpoint, MAX_CONTROL_ANSWER_BYTES).then(resolve, reject);
      });
    });
  }

  /** One request per connection: simple, and a long sign-in does not block other calls. */
  async #call<T>(method: string, params: unknown[], onEvent?: (message: ControlMessage & { event: string }) => void): Promise<T> {
    const ahead = this.#ahead;
    this.#ahead = null;
    if (ahead) clearTimeout(ahead.timer);
    else await this.#verify();
    const id = this.#nextId++;
    const connection = await (ahead?.connection ?? this.#open());
    const socket = connection.socket;
    const unreachable = (error: Error): TokentrayError =>
      new TokentrayError('DAEMON_UNREACHABLE', `The running tokentray did not answer (${(error as NodeJS.ErrnoException).code ?? error.message}).`, { cause: error });
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        connection.end();
        action();
      };
      connection.onMessage((value) => {
        const message = value as ControlMessage;
        if (typeof message !== 'object' || message === null || message.id !== id) {
          finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', 'The running tokentray sent an unreadable answer.')));
        } else if ('event' in message) onEvent?.(message);
        else if ('error' in message) finish(() => reject(TokentrayError.fromJSON({ ...message.error, code: message.error.code as ErrorCode })));
        else finish(() => resolve(message.result as T));
      });
      socket.on('error', (error) => finish(() => reject(unreachable(error))));
      socket.on('close', () => finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', 'The running tokentray closed the connection.'))));
      if (socket.destroyed) finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', 'The running tokentray closed the connection.')));
      connection.send({ id, method, params });
    });
  }

  status(): Promise<StatusReport> {
    return this.#call('status', []);
  }
  listAccounts: TokentrayApi['listAccounts'] = () => this.#call('listAccounts', []);
  connectAccount: TokentrayApi['connectAccount'] = (request, hooks) =>
    this.#call('connectAccount', [request], (message) => {
      if (message.event === 'authorize-url' && 'url' in message) void hooks.onAuthorizeUrl(message.url);
      if (message.event === 'device-code' && 'code' in message) void hooks.onDeviceCode?.(message.code);
    });
  cancelSignIn: TokentrayApi['cancelSignIn'] = (id) => this.#call('cancelSignIn', [id]);
  removeAccount: TokentrayApi['removeAccount'] = (id, options) => this.#call('removeAccount', [id, options]);
  getToken: TokentrayApi['getToken'] = (id, proto) => this.#call('getToken', [id, proto]);
  getSettings: TokentrayApi['getSettings'] = () => this.#call('getSettings', []);
  setSetting: TokentrayApi['setSetting'] = (key, value) => this.#call('setSetting', [key, value]);
  serverUrl: TokentrayApi['serverUrl'] = () => this.#call('serverUrl', []);
  rotateServerSecret: TokentrayApi['rotateServerSecret'] = () => this.#call('rotateServerSecret', []);
  setClientSecret: TokentrayApi['setClientSecret'] = (provider, secret) => this.#call('setClientSecret', [provider, secret]);
  recentRequests: TokentrayApi['recentRequests'] = (limit) => this.#call('recentRequests', [limit]);
  requestActivity: TokentrayApi['requestActivity'] = (after, limit) => this.#call('requestActivity', [after ?? null, limit]);
  runDiagnostics: TokentrayApi['runDiagnostics'] = () => this.#call('runDiagnostics', []);
  checkEmailEngine: TokentrayApi['checkEmailEngine'] = (request) => this.#call('checkEmailEngine', [request]);
  connectEmailEngine: TokentrayApi['connectEmailEngine'] = (request) => this.#call('connectEmailEngine', [request]);
  disconnectEmailEngine: TokentrayApi['disconnectEmailEngine'] = () => this.#call('disconnectEmailEngine', []);
  emailEngineStatus: TokentrayApi['emailEngineStatus'] = (refresh) => this.#call('emailEngineStatus', [refresh]);
  emailEngineOrphans: TokentrayApi['emailEngineOrphans'] = () => this.#call('emailEngineOrphans', []);
  previewEmailEngineRegistration: TokentrayApi['previewEmailEngineRegistration'] = (id, profile) => this.#call('previewEmailEngineRegistration', [id, profile]);
}
