/**
 * A one-shot loopback listener for an OAuth redirect (RFC 8252 §7.3), size-capped.
 *
 * Binds 127.0.0.1 on a free port, answers only `/` with the expected `state` (a request with
 * another or no state is refused and the wait goes on: a page elsewhere on this machine
 * cannot end or hijack the sign-in), accepts the redirect as a GET query and, for the
 * cancel/timeout path of SignInSession, as a small form POST. Headers and bodies are capped
 * so a local process cannot make it buffer without limit.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_HEADER_BYTES = 8 * 1024;
const MAX_BODY_BYTES = 4 * 1024;
const MAX_CONNECTIONS = 16;
const REQUEST_TIMEOUT_MS = 10_000;

export type RedirectOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: string; description: string | null };

export interface LoopbackRedirect {
  /** `http://127.0.0.1:PORT/`: the redirect_uri to send. */
  readonly redirectUri: string;
  /** Resolves with the first redirect that carries the right state. */
  readonly outcome: Promise<RedirectOutcome>;
  close(): Promise<void>;
}

export interface LoopbackRedirectOptions {
  state: string;
  successPage: string;
  errorPage: string;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(html);
}

function outcomeOf(params: URLSearchParams): RedirectOutcome | null {
  const error = params.get('error');
  if (error) return { kind: 'error', error, description: params.get('error_description') };
  const code = params.get('code');
  return code ? { kind: 'code', code } : null;
}

export async function listenForRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  let settle!: (outcome: RedirectOutcome) => void;
  const outcome = new Promise<RedirectOutcome>((resolve) => (settle = resolve));
  let done = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'POST')) return page(res, 404, 'Not found.');
    let params = url.searchParams;
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body === null) return page(res, 413, 'Too large.');
      params = new URLSearchParams(body);
    }
    const result = params.get('state') === options.state ? outcomeOf(params) : null;
    if (!result || done) return page(res, 400, 'This is not the sign-in tokentray is waiting for.');
    done = true;
    page(res, 200, result.kind === 'code' ? options.successPage : options.errorPage);
    settle(result);
  };

  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) page(res, 500, 'Error.');
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/`,
    outcome,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
