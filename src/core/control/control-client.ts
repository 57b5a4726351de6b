/**
 * A command's side of the control channel: a TokentrayApi that forwards to the daemon.
 */
import { connect, type Socket } from 'node:net';
import type { StatusReport } from '../../shared/account-status.js';
import type { ErrorCode } from '../../shared/error-codes.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import type { ControlMessage } from './control-channel.js';

export class ControlClient implements TokentrayApi {
  readonly #endpoint: string;
  readonly #token: string;
  #nextId = 1;

  constructor(endpoint: string, token: string) {
    this.#endpoint = endpoint;
    this.#token = token;
  }

  /** One request per connection: simple, and a long sign-in does not block other calls. */
  #call<T>(method: string, params: unknown[], onEvent?: (message: ControlMessage & { event: string }) => void): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const socket: Socket = connect(this.#endpoint);
      let buffered = '';
      let settled = false;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        socket.end();
        action();
      };
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${JSON.stringify({ id, token: this.#token, method, params })}\n`));
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          let message: ControlMessage;
          try {
            message = JSON.parse(buffered.slice(0, newline)) as ControlMessage;
          } catch {
            finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', 'The running tokentray sent an unreadable answer.')));
            return;
          }
          buffered = buffered.slice(newline + 1);
          if ('event' in message) onEvent?.(message);
          else if ('error' in message) finish(() => reject(TokentrayError.fromJSON({ ...message.error, code: message.error.code as ErrorCode })));
          else finish(() => resolve(message.result as T));
        }
      });
      socket.on('error', (error) =>
        finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', `The running tokentray did not answer (${(error as NodeJS.ErrnoException).code ?? error.message}).`, { cause: error }))),
      );
      socket.on('close', () => finish(() => reject(new TokentrayError('DAEMON_UNREACHABLE', 'The running tokentray closed the connection.'))));
    });
  }

  status(): Promise<StatusReport> {
    return this.#call('status', []);
  }
  listAccounts: TokentrayApi['listAccounts'] = () => this.#call('listAccounts', []);
  connectAccount: TokentrayApi['connectAccount'] = (request, hooks) =>
    this.#call('connectAccount', [request], (message) => {
      if (message.event === 'authorize-url' && 'url' in message) void hooks.onAuthorizeUrl(message.url);
    });
  cancelSignIn: TokentrayApi['cancelSignIn'] = (id) => this.#call('cancelSignIn', [id]);
  removeAccount: TokentrayApi['removeAccount'] = (id) => this.#call('removeAccount', [id]);
  getToken: TokentrayApi['getToken'] = (id, proto) => this.#call('getToken', [id, proto]);
  getSettings: TokentrayApi['getSettings'] = () => this.#call('getSettings', []);
  setSetting: TokentrayApi['setSetting'] = (key, value) => this.#call('setSetting', [key, value]);
  serverUrl: TokentrayApi['serverUrl'] = () => this.#call('serverUrl', []);
  rotateServerSecret: TokentrayApi['rotateServerSecret'] = () => this.#call('rotateServerSecret', []);
  recentRequests: TokentrayApi['recentRequests'] = (limit) => this.#call('recentRequests', [limit]);
  requestActivity: TokentrayApi['requestActivity'] = (after, limit) => this.#call('requestActivity', [after ?? null, limit]);
}
