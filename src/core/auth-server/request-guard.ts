/**
 * The checks every request passes before anything else: who calls, how, and through which name.
 *
 * Pure functions over plain values (an address, a method, `req.rawHeaders`) so each rule is
 * tested directly. The threats: another machine (only loopback and allowedClients may call),
 * a web page in a local browser (any Origin, a cross-site Sec-Fetch-Site, or a foreign Host
 * after DNS rebinding is refused; no CORS header is ever sent), and oversized or bodied
 * requests meant to tie the server up.
 *
 * EmailEngine's real request passes: `host: 127.0.0.1:<port>`, `sec-fetch-mode: cors` (added
 * by Node's fetch; there is no Origin and no Sec-Fetch-Site), `Authorization: Basic …`.
 */
import { isIP } from 'node:net';

export type GuardRefusal =
  | 'host_missing'
  | 'host_not_allowed'
  | 'header_repeated'
  | 'browser_request'
  | 'body_not_allowed';

/** What the header scan found: a refusal, or the Authorization value to check. */
export interface HeaderScan {
  refusal: GuardRefusal | null;
  authorization: string | undefined;
}

/** Host header values this server answers to, for a given bind address and port. */
export interface HostPolicy {
  /** What EmailEngine sends (`127.0.0.1:PORT`, or the bound address): one string compare. */
  readonly usual: string;
  readonly allowed: ReadonlySet<string>;
  readonly port: number;
  /** Bound to 0.0.0.0 / `::`: any IP-literal Host with our port is one of our own addresses. */
  readonly anyIpLiteral: boolean;
}

const IPV4_MAPPED_PREFIX = '::ffff:';

/** `::ffff:10.0.0.2` (a v4 client on a dual-stack socket) → `10.0.0.2`; IPv6 in canonical form. */
export function normalizeAddress(address: string): string {
  if (address.startsWith(IPV4_MAPPED_PREFIX) && isIP(address.slice(IPV4_MAPPED_PREFIX.length)) === 4) {
    return address.slice(IPV4_MAPPED_PREFIX.length);
  }
  if (isIP(address) === 6) {
    // The WHATWG serializer gives the RFC 5952 form that Node reports in remoteAddress.
    try {
      return new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      return address.toLowerCase();
    }
  }
  return address;
}

export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Loopback always; anything else only when listed in allowedClients (already normalized). */
export function isAllowedClient(address: string, allowedClients: ReadonlySet<string>): boolean {
  if (address === '') return false; // socket already gone: no address to vouch for
  if (isLoopbackAddress(address)) return true;
  return allowedClients.size > 0 && allowedClients.has(normalizeAddress(address));
}

export function isAllowedMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD';
}

function hostLiteral(host: string): string {
  return isIP(host) === 6 ? `[${normalizeAddress(host)}]` : host.toLowerCase();
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

export function hostPolicy(bindHost: string, port: number): HostPolicy {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!isWildcardHost(bindHost)) names.push(hostLiteral(bindHost));
  const allowed = new Set(names.map((name) => `${name}:${port}`));
  // A client may leave out the default port.
  if (port === 80) for (const name of names) allowed.add(name);
  const usual = isLoopbackAddress(bindHost) || bindHost === 'localhost' || isWildcardHost(bindHost) ? `127.0.0.1:${port}` : `${hostLiteral(bindHost)}:${port}`;
  return { usual, allowed, port, anyIpLiteral: isWildcardHost(bindHost) };
}

/**
 * Whether a Host header names this server.
 *
 * A DNS-rebinding page reaches 127.0.0.1 under its own domain name, so only our own literal
 * names pass. An IP literal can never be rebound, hence the wildcard-bind allowance.
 */
export function isAllowedHost(host: string, policy: HostPolicy): boolean {
  if (host === policy.usual || policy.allowed.has(host)) return true;
  const lower = host.toLowerCase();
  if (policy.allowed.has(lower)) return true;
  if (!policy.anyIpLiteral) return false;
  const suffix = `:${policy.port}`;
  if (!lower.endsWith(suffix)) return false;
  const name = lower.slice(0, -suffix.length);
  if (name.startsWith('[') && name.endsWith(']')) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) === 4;
}

/**
 * One pass over `req.rawHeaders` (name, value, name, value, …).
 *
 * Raw headers rather than `req.headers` because Node's object silently keeps the first of a
 * repeated Host or Authorization; a repeat is refused here instead. Names are compared by
 * length first so the usual eight headers cost a few integer compares.
 */
export function scanHeaders(rawHeaders: readonly string[], policy: HostPolicy): HeaderScan {
  let host: string | undefined;
  let authorization: string | undefined;
  let origin = false;
  let fetchSite: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  let repeated = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    switch (name.length) {
      // The exact spellings EmailEngine (undici) sends are tried first: no lower-case copy.
      case 4:
        if (name === 'host' || name === 'Host' || name.toLowerCase() === 'host') {
          if (host !== undefined) repeated = true;
          host = rawHeaders[i + 1];
        }
        break;
      case 6:
        if (name === 'accept') break; // EmailEngine's own, every request: no lower-case copy
        if (name.toLowerCase() === 'origin') {
          if (origin) repeated = true;
          origin = true;
        }
        break;
      case 13:
        if (name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization') {
          if (authorization !== undefined) repeated = true;
          authorization = rawHeaders[i + 1];
        }
        break;
      case 14: {
        if (name === 'sec-fetch-mode') break; // EmailEngine's own, every request
        const lower = name.toLowerCase();
        if (lower === 'sec-fetch-site') {
          if (fetchSite !== undefined) repeated = true;
          fetchSite = rawHeaders[i + 1];
        } else if (lower === 'content-length') {
          if (contentLength !== undefined) repeated = true;
          contentLength = rawHeaders[i + 1];
        }
        break;
      }
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') chunked = true;
        break;
      default:
        break;
    }
  }
  let refusal: GuardRefusal | null = null;
  if (repeated) refusal = 'header_repeated';
  else if (host === undefined) refusal = 'host_missing';
  else if (!isAllowedHost(host, policy)) refusal = 'host_not_allowed';
  else if (origin || (fetchSite !== undefined && fetchSite !== 'none')) refusal = 'browser_request';
  else if (chunked || (contentLength !== undefined && contentLength !== '0')) refusal = 'body_not_allowed';
  return { refusal, authorization };
}
