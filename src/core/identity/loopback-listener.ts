/**
 * The loopback listener a browser sign-in returns to: capped, one answer only, provider-neutral.
 *
 * It replaces msal-node's LoopbackClient, which concatenated any request body into a string
 * (a 700 MB POST killed `serve` with "Invalid string length") and whose authorize URL, state
 * included, went to the browser on its command line, readable by every local user in /proc.
 * So this listener:
 * - binds 127.0.0.1 only, checks Host (DNS rebinding), keeps no connection alive, caps
 *   headers, body, connections and time, and answers exactly one authorization response;
 * - on Linux, serves only connections from processes of the user who started the sign-in
 *   (loopback-peer.ts): another local user cannot even open the start link;
 * - serves a one-time start link, `http://localhost:PORT/start/<random>`, that redirects once
 *   to the authorize URL. That link is what goes on a command line. If it is opened a second
 *   time, someone else read it, and the whole sign-in is aborted (`link-reused`): a racing
 *   process that opened it first makes the sign-in fail, it can never complete it;
 * - accepts the answer as a form post (`form_post`, what MSAL 7 asks Entra for) or as a GET
 *   query (`query`, what Google sends), only with the expected state, compared in constant
 *   time. Anything else (another state, oversized, wrong type) is refused and ignored, so an
 *   unrelated request cannot settle or cancel the sign-in.
 * Ending it (Cancel, timeout) is an AbortSignal: no request to ourselves.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackPeerUid } from './loopback-peer.js';

/** Larger than any real authorization response (a code is ~1-2 KB; id_token in form_post ~4 KB). */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;
export const MAX_CALLBACK_HEADER_BYTES = 16 * 1024;
export const CALLBACK_HEADERS_TIMEOUT_MS = 10_000;
export const CALLBACK_REQUEST_TIMEOUT_MS = 20_000;
/** A browser opens a few connections (favicon, preconnect); a flood gets nothing more. */
export const MAX_CALLBACK_CONNECTIONS = 32;
const START_TOKEN_BYTES = 24; // 192 bits: the link is the only way to the authorize URL
const START_PREFIX = '/start/';

export type ResponseMode = 'form_post' | 'query';
export type ListenerAbortReason = 'cancelled' | 'timeout' | 'link-reused' | 'closed';

/** Every parameter of the authorization response, as the identity provider sent it. */
export type AuthorizationResponse = Readonly<Record<string, string>> & { readonly state: string };

/** Why a sign-in ended without an authorization response. */
export class ListenerAbortError extends Error {
  constructor(readonly reason: ListenerAbortReason) {
    super(`sign-in listener ended: ${reason}`);
    this.name = 'ListenerAbortError';
  }
}

export interface LoopbackListenerOptions {
  responseMode: ResponseMode;
  successPage: string;
  errorPage: string;
  /** Aborting it ends the sign-in (the reason, if a ListenerAbortReason, is kept). */
  signal?: AbortSignal;
  /** A port to try first (providers with a registered fixed redirect); 0 or unset: any free port. */
  preferredPort?: number;
  /** The host name in the redirect URI: Entra registers `localhost`; 127.0.0.1 also works for Google. */
  redirectHost?: 'localhost' | '127.0.0.1';
  /** Who owns a connecting socket (null: unknown). Default: /proc/net/tcp on Linux. */
  peerUid?: (localPort: number, peerPort: number) => number | null;
  maxBodyBytes?: number;
}

interface Expectation {
  authorizeUrl: string;
  state: Buffer;
  startPath: string;
  started: boolean;
}

const ALREADY_DONE_PAGE = 'This sign-in has already finished. You can close this tab.';
const LINK_REUSED_PAGE =
  'This sign-in link was opened twice, so someone else may have opened it. The sign-in was stopped; start it again in tokentray.';

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function abortReasonOf(signal: AbortSignal): ListenerAbortReason {
  const reason: unknown = signal.reason;
  return reason === 'cancelled' || reason === 'timeout' || reason === 'link-reused' ? reason : 'cancelled';
}

function sameSecret(received: string, expected: Buffer): boolean {
  const bytes = Buffer.from(received, 'utf8');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

export class LoopbackListener {
  readonly #server: Server;
  readonly #options: LoopbackListenerOptions;
  readonly #maxBodyBytes: number;
  readonly redirectUri: string;
  readonly port: number;
  #expectation: Expectation | null = null;
  #settled = false;
  #resolve!: (response: AuthorizationResponse) => void;
  #reject!: (error: Error) => void;
  readonly #response: Promise<AuthorizationResponse>;
  readonly #onAbort: () => void;

  private constructor(server: Server, options: LoopbackListenerOptions) {
    this.#server = server;
    this.#options = options;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_CALLBACK_BODY_BYTES;
    this.port = (server.address() as AddressInfo).port;
    this.redirectUri = `http://${options.redirectHost ?? 'localhost'}:${this.port}`;
    this.#response = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#response.catch(() => undefined); // observed through response(); never unhandled
    this.#onAbort = () => this.#fail(abortReasonOf(options.signal!));
    if (options.signal?.aborted) this.#onAbort();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Binds 127.0.0.1 (the preferred port, else any free one) and starts answering. */
  static async open(options: LoopbackListenerOptions): Promise<LoopbackListener> {
    let listener: LoopbackListener | null = null;
    const server = createServer(
      {
        maxHeaderSize: MAX_CALLBACK_HEADER_BYTES,
        headersTimeout: CALLBACK_HEADERS_TIMEOUT_MS,
        requestTimeout: CALLBACK_REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: 1_000,
        keepAliveTimeout: 1,
        insecureHTTPParser: false,
      },
      (req, res) => listener?.handle(req, res),
    );
    server.maxConnections = MAX_CALLBACK_CONNECTIONS;
    server.on('clientError', (_error, socket) => socket.destroy());
    const preferred = options.preferredPort ?? 0;
    try {
      await listen(server, preferred);
    } catch (error) {
      if (preferred === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      await listen(server, 0);
    }
    listener = new LoopbackListener(server, options);
    return listener;
  }

  /**
   * Registers the authorize URL and the state it carries; returns the one-time start link,
   * which is what may be shown or put on a browser's command line instead of the URL.
   */
  expect(authorizeUrl: string, state: string): string {
    if (this.#expectation) throw new Error('LoopbackListener.expect called twice');
    if (state === '') throw new Error('LoopbackListener needs a state');
    const startPath = `${START_PREFIX}${randomBytes(START_TOKEN_BYTES).toString('base64url')}`;
    this.#expectation = { authorizeUrl, state: Buffer.from(state, 'utf8'), startPath, started: false };
    return `${this.redirectUri}${startPath}`;
  }

  /** Settles once: the authorization response with the expected state, or a ListenerAbortError. */
  response(): Promise<AuthorizationResponse> {
    return this.#response;
  }

  /** Stops listening and drops every connection; a pending response() rejects with `closed`. */
  close(): void {
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#fail('closed');
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #fail(reason: ListenerAbortReason): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(new ListenerAbortError(reason));
  }

  #succeed(response: AuthorizationResponse): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(response);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Connection', 'close');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'POST') return this.#text(res, 405, 'Method not allowed', { Allow: 'GET, POST' });
    if (!this.#hostAllowed(req.headers.host)) return this.#text(res, 421, 'Wrong host');
    if (!this.#sameUser(req)) return this.#text(res, 403, 'This sign-in belongs to another user.');
    const target = req.url ?? '';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const expectation = this.#expectation;

    if (method === 'GET' && expectation && path === expectation.startPath) return this.#start(res, expectation);
    if (path !== '/') return this.#text(res, 404, 'Not found');
    if (this.#settled) return this.#text(res, 200, ALREADY_DONE_PAGE);
    if (method === 'POST') {
      if (this.#options.responseMode !== 'form_post') return this.#text(res, 405, 'Method not allowed', { Allow: 'GET' });
      return this.#readForm(req, res);
    }
    if (queryAt === -1) return this.#text(res, 404, 'Not found');
    if (this.#options.responseMode !== 'query') return this.#text(res, 400, 'The answer must be a form post.');
    this.#answer(res, new URLSearchParams(target.slice(queryAt + 1)));
  }

  #sameUser(req: IncomingMessage): boolean {
    const ours = process.getuid?.();
    if (ours === undefined) return true;
    const uid = (this.#options.peerUid ?? loopbackPeerUid)(this.port, req.socket.remotePort ?? -1);
    return uid === null || uid === ours;
  }

  #hostAllowed(host: string | undefined): boolean {
    return host === `localhost:${this.port}` || host === `127.0.0.1:${this.port}`;
  }

  #start(res: ServerResponse, expectation: Expectation): void {
    if (expectation.started) {
      // The first opener got the authorize URL; we cannot tell which one was the user.
      this.#fail('link-reused');
      return this.#text(res, 409, LINK_REUSED_PAGE);
    }
    if (this.#settled) return this.#text(res, 410, ALREADY_DONE_PAGE);
    expectation.started = true;
    res.writeHead(302, { Location: expectation.authorizeUrl, 'Content-Length': 0 });
    res.end();
  }

  #readForm(req: IncomingMessage, res: ServerResponse): void {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return this.#refuseBody(req, res, 415, 'Unsupported media type');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBodyBytes) return this.#refuseBody(req, res, 413, 'Request too large');
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > this.#maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        this.#refuseBody(req, res, 413, 'Request too large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      if (refused || res.headersSent) return;
      this.#answer(res, new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    });
  }

  /** Answers at once and drops the connection, so the rest of an oversized body is never read. */
  #refuseBody(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
    this.#text(res, status, text);
    res.on('finish', () => req.socket.destroy());
  }

  #answer(res: ServerResponse, params: URLSearchParams): void {
    const states = params.getAll('state');
    const expectation = this.#expectation;
    if (!params.has('code') && !params.has('error')) return this.#text(res, 400, 'Not an authorization response');
    // Unrelated or forged answers must not settle or cancel the pending sign-in.
    if (!expectation || states.length !== 1 || !sameSecret(states[0]!, expectation.state)) {
      return this.#text(res, 400, 'Invalid authorization response state.');
    }
    if (this.#settled) return this.#text(res, 200, ALREADY_DONE_PAGE);
    const response: Record<string, string> = {};
    for (const [key, value] of params) if (!(key in response)) response[key] = value;
    const failed = params.has('error');
    this.#page(res, failed ? this.#options.errorPage : this.#options.successPage);
    this.#succeed(response as AuthorizationResponse);
  }

  #text(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const body = Buffer.from(text, 'utf8');
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  }

  #page(res: ServerResponse, html: string): void {
    if (res.headersSent) return;
    const body = Buffer.from(html, 'utf8');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  }
}
