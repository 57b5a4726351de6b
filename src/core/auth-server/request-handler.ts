/**
 * The per-request path of the auth server: guard, route, authenticate, answer, record.
 *
 * Order matters: the client address is checked before anything else, then method, size and
 * headers (Host, Origin, body), then the path; on /authentication the credentials come
 * before the query is acted on, so an unauthenticated caller learns nothing beyond "401"
 * (or "429" once its wrong guesses are throttled; the right secret is never throttled). When the token source answers from memory the response is written
 * synchronously in the same tick; only a refresh goes through a promise.
 *
 * The hot path allocates little: no URL object, no header object of our own, a prebuilt
 * body per cached grant, and the request record is one reused object. It reads the clock
 * once: a request answered from memory is answered in the tick it came in, so its record's
 * `at` is that one reading and its wait is 0; only a refresh's wait is timed. Nothing is
 * logged per request unless `logEachRequest` is set, and then at debug level only. No token
 * ever reaches a log line, a record, or an error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks'; // the global `performance` is a getter, run on every read
import type { Duplex } from 'node:stream';
import type { Proto, RequestRecord } from '../../shared/account-status.js';
import type { Logger } from '../logging/logger.js';
import type { BasicCredentialsChecker } from './basic-credentials.js';
import type { Connection, Connections, PeerSocket } from './connections.js';
import {
  INTERNAL_ERROR_RESPONSE,
  grantFailureResponse,
  grantTimeoutResponse,
  refusalResponse,
  throttledResponse,
  type ErrorResponse,
  type HttpRefusal,
  type Outcome,
} from './error-responses.js';
import type { FailureThrottle } from './failure-throttle.js';
import { GrantBodies } from './grant-body.js';
import { MAX_RECORDED_ACCOUNT_CHARS, NO_TARGET, ParsedTargets, parseTarget, type ParsedTarget } from './parsed-target.js';
import { toPrintableAscii } from './printable-text.js';
import { accountIdForLog } from '../../shared/account-id.js';
import { isAllowedMethod, scanHeaders, type HostPolicy } from './request-guard.js';
import { AUTHENTICATION_PATH, HEALTH_PATH } from './server-url.js';
import type { RequestRecorder, TokenGrant, TokenSource } from './token-source.js';

/** Retry-After sent when the token source is slower than `grantTimeoutMs`. */
const GRANT_TIMEOUT_RETRY_AFTER_SECONDS = 5;

const QUESTION_MARK = 0x3f;
const HEALTH_BODY = Buffer.from('{"status":"ok"}');
const HEALTH_HEADERS = Object.freeze({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': HEALTH_BODY.length });

export interface RequestHandlerOptions {
  tokenSource: TokenSource;
  credentials: BasicCredentialsChecker;
  throttle: FailureThrottle;
  /** Each request's connection: its client address, whether it may call, whether it proved the secret. */
  connections: Connections;
  recorder: RequestRecorder | undefined;
  logger: Logger;
  now: () => number;
  maxUrlChars: number;
  grantTimeoutMs: number;
  logEachRequest: boolean;
}

/** Raw bytes for refusals written straight to a socket (the HTTP parser gave up on it). */
function rawResponse(response: ErrorResponse): string {
  let head = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  for (const [name, value] of Object.entries(response.headers)) {
    if (name !== 'Connection') head += `${name}: ${value}\r\n`;
  }
  return `${head}Connection: close\r\n\r\n${response.body}`;
}

function clientErrorRefusal(code: string | undefined): HttpRefusal & ('headers_too_large' | 'request_timeout' | 'uri_too_long' | 'malformed_request') {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'headers_too_large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'request_timeout';
    case 'HPE_URI_TOO_LONG':
      return 'uri_too_long';
    default:
      return 'malformed_request';
  }
}

function isPromiseLike(value: TokenGrant | Promise<TokenGrant>): value is Promise<TokenGrant> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Promise<TokenGrant>>).then === 'function';
}

export class AuthRequestHandler {
  readonly #options: RequestHandlerOptions;
  readonly #log: Logger;
  readonly #bodies = new GrantBodies();
  readonly #targets = new ParsedTargets();
  #hostPolicy: HostPolicy;
  #recorderFailed = false;
  /** Filled and handed to the recorder for every request, which copies it (see RequestRecorder). */
  readonly #draft: RequestRecord = { at: 0, account: '', proto: '', outcome: 'ok', status: 0, latencyMs: 0, client: '' };

  constructor(options: RequestHandlerOptions, hostPolicy: HostPolicy) {
    this.#options = options;
    this.#log = options.logger;
    this.#hostPolicy = hostPolicy;
  }

  /** The Host names depend on the port, known only once listening (port 0). */
  setHostPolicy(policy: HostPolicy): void {
    this.#hostPolicy = policy;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const at = this.#options.now();
    const connection = this.#options.connections.of(req.socket);
    try {
      this.#route(req, res, at, connection);
    } catch (error) {
      // A bug of ours (or a throwing credentials reader): never a detail to the caller.
      this.#log.error('request failed unexpectedly', { error: error instanceof Error ? error : String(error) });
      if (!res.headersSent) this.#finish(res, at, 0, connection.client, NO_TARGET, INTERNAL_ERROR_RESPONSE);
    }
  };

  #route(req: IncomingMessage, res: ServerResponse, at: number, connection: Connection): void {
    const client = connection.client;
    if (!connection.allowed) return this.#refuse(res, at, client, 'client_not_allowed');
    if (!isAllowedMethod(req.method)) return this.#refuse(res, at, client, 'method_not_allowed');
    const target = req.url ?? '';
    if (target.length > this.#options.maxUrlChars) return this.#refuse(res, at, client, 'uri_too_long');
    const scan = scanHeaders(req.rawHeaders, this.#hostPolicy);
    if (scan.refusal !== null) return this.#refuse(res, at, client, scan.refusal);

    const pathLength = AUTHENTICATION_PATH.length;
    if (target.startsWith(AUTHENTICATION_PATH) && (target.length === pathLength || target.charCodeAt(pathLength) === QUESTION_MARK)) {
      return this.#authenticate(res, at, connection, target, scan.authorization);
    }
    if (target.startsWith(HEALTH_PATH) && (target.length === HEALTH_PATH.length || target.charCodeAt(HEALTH_PATH.length) === QUESTION_MARK)) {
      res.writeHead(200, HEALTH_HEADERS);
      res.end(HEALTH_BODY);
      return this.#record(at, 0, client, NO_TARGET, 'ok', 200);
    }
    return this.#refuse(res, at, client, 'not_found');
  }

  #authenticate(res: ServerResponse, at: number, connection: Connection, target: string, authorization: string | undefined): void {
    const client = connection.client;
    // Parsed before the credentials only so a 401 is recorded against its account: "sales got
    // 401" is how a user finds EmailEngine still using a rotated secret. The caller learns
    // nothing from it, since every answer below waits for the credentials check.
    const known = this.#targets.known(target);
    const parsed = known ?? parseTarget(target);
    const query = parsed.query;
    const throttle = this.#options.throttle;

    // The credentials are checked first, always: a right secret is served even while its
    // address is throttled. Every local process shares 127.0.0.1 with EmailEngine, so
    // throttling by address before the check let any of them lock EmailEngine out.
    const verdict = this.#options.credentials.check(authorization, connection);
    if (verdict !== 'ok') {
      // Only wrong credentials count: a missing header is a configuration slip, not a guess.
      if (verdict === 'wrong') {
        const wait = throttle.retryAfterSeconds(client, at);
        if (wait > 0) return this.#finish(res, at, 0, client, parsed, throttledResponse(wait));
        const blockedFor = throttle.recordFailure(client, at);
        if (blockedFor > 0) this.#log.warn(`client ${client} sent wrong credentials repeatedly; answering its wrong credentials 429 for ${blockedFor} s`);
      }
      return this.#finish(res, at, 0, client, parsed, refusalResponse(verdict === 'missing' ? 'credentials_missing' : 'credentials_wrong'));
    }
    if (query.problem !== null) return this.#finish(res, at, 0, client, parsed, refusalResponse(query.problem));
    if (known === undefined) this.#targets.remember(target, parsed);

    const { account, proto } = query;
    let result: TokenGrant | Promise<TokenGrant>;
    try {
      result = this.#options.tokenSource.grantFor(account, proto);
    } catch (error) {
      return this.#finish(res, at, 0, client, parsed, this.#failureResponse(error, account, proto));
    }
    if (!isPromiseLike(result)) return this.#sendGrant(res, at, 0, client, parsed, result);
    this.#awaitGrant(res, client, parsed, account, proto, result);
  }

  /** A refresh: answer when it settles, or 503 if it outlasts `grantTimeoutMs`. */
  #awaitGrant(res: ServerResponse, client: string, parsed: ParsedTarget, account: string, proto: Proto, pending: Promise<TokenGrant>): void {
    const waitStarted = performance.now();
    const waitedMs = (): number => Math.round((performance.now() - waitStarted) * 1000) / 1000;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      this.#log.warn(`token for account ${toPrintableAscii(account, MAX_RECORDED_ACCOUNT_CHARS)} not ready after ${this.#options.grantTimeoutMs} ms; answered 503`);
      this.#finish(res, this.#options.now(), waitedMs(), client, parsed, grantTimeoutResponse(account, GRANT_TIMEOUT_RETRY_AFTER_SECONDS));
    }, this.#options.grantTimeoutMs);
    timer.unref();
    pending
      .then(
        (grant) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.#sendGrant(res, this.#options.now(), waitedMs(), client, parsed, grant);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.#finish(res, this.#options.now(), waitedMs(), client, parsed, this.#failureResponse(error, account, proto));
        },
      )
      // A throw in the answering code itself must not become an unhandled rejection.
      .catch((error: unknown) => {
        this.#log.error('answering a refreshed token failed', { error: error instanceof Error ? error : String(error) });
        if (!res.headersSent) this.#finish(res, this.#options.now(), waitedMs(), client, parsed, INTERNAL_ERROR_RESPONSE);
      });
  }

  #sendGrant(res: ServerResponse, at: number, waitedMs: number, client: string, parsed: ParsedTarget, grant: TokenGrant): void {
    const prepared = this.#bodies.bodyFor(grant);
    if (prepared === null) {
      this.#log.error(`token source returned a grant EmailEngine would reject for account ${parsed.shownAccount} (empty or oversized user/accessToken)`);
      return this.#finish(res, at, waitedMs, client, parsed, INTERNAL_ERROR_RESPONSE);
    }
    if (res.destroyed) return this.#record(at, waitedMs, client, parsed, 'ok', 200); // caller hung up during a refresh
    res.writeHead(200, prepared.headers);
    res.end(prepared.body);
    this.#record(at, waitedMs, client, parsed, 'ok', 200);
  }

  #failureResponse(error: unknown, account: string, proto: Proto): ErrorResponse {
    const response = grantFailureResponse(error, account, proto);
    if (response === INTERNAL_ERROR_RESPONSE) {
      this.#log.error('token source failed unexpectedly', { error: error instanceof Error ? error : String(error) });
    }
    return response;
  }

  #refuse(res: ServerResponse, at: number, client: string, refusal: Exclude<HttpRefusal, 'throttled'>): void {
    this.#finish(res, at, 0, client, NO_TARGET, refusalResponse(refusal));
  }

  #finish(res: ServerResponse, at: number, waitedMs: number, client: string, parsed: ParsedTarget, response: ErrorResponse): void {
    if (!res.destroyed && !res.headersSent) {
      res.writeHead(response.status, response.reason, response.headers);
      res.end(response.body);
    }
    this.#record(at, waitedMs, client, parsed, response.outcome, response.status);
  }

  /** `at`: when the answer went out; `waitedMs`: how long it waited for a refresh (0: none). */
  #record(at: number, waitedMs: number, client: string, parsed: ParsedTarget, outcome: Outcome, status: number): void {
    if (this.#options.logEachRequest) {
      this.#log.debug(`${status} ${outcome} account=${accountIdForLog(parsed.shownAccount)} proto=${parsed.shownProto} client=${client} ${waitedMs} ms`);
    }
    const recorder = this.#options.recorder;
    if (recorder === undefined) return;
    const draft = this.#draft;
    draft.at = at;
    draft.account = parsed.shownAccount;
    draft.proto = parsed.shownProto;
    draft.outcome = outcome;
    draft.status = status;
    draft.latencyMs = waitedMs;
    draft.client = client;
    try {
      recorder.record(draft);
    } catch (error) {
      // The answer is already out; report a broken listener once, not per request.
      if (!this.#recorderFailed) {
        this.#recorderFailed = true;
        this.#log.error('request recorder failed (reported once)', { error: error instanceof Error ? error : String(error) });
      }
    }
  }

  /** Requests the HTTP parser refused (oversized headers, timeouts, garbage). */
  readonly handleClientError = (error: Error & { code?: string }, socket: Duplex): void => {
    // Node's private link to a response still owed on this socket (a pipelined request whose
    // token is refreshing): raw bytes now would be read as that response, so just close.
    const inFlight = (socket as Duplex & { _httpMessage?: unknown })._httpMessage;
    // A reset peer reads nothing.
    if (error.code === 'ECONNRESET' || !socket.writable || (inFlight !== undefined && inFlight !== null)) {
      socket.destroy();
      return;
    }
    const connection = this.#options.connections.of(socket as Duplex & PeerSocket);
    const refusal = connection.allowed ? clientErrorRefusal(error.code) : 'client_not_allowed';
    const response = refusalResponse(refusal);
    socket.write(rawResponse(response));
    // destroySoon: flush the answer, then close even if the peer never finishes its side.
    const net = socket as Duplex & { destroySoon?: () => void };
    if (typeof net.destroySoon === 'function') net.destroySoon();
    else socket.destroy();
    this.#record(this.#options.now(), 0, connection.client, NO_TARGET, response.outcome, response.status);
  };
}
