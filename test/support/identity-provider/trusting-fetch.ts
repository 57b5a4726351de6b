/**
 * A `fetch` that trusts the local identity provider's certificate, for google-auth-library
 * in-process (its `fetchImplementation` option; child processes use NODE_EXTRA_CA_CERTS).
 *
 * Node's global fetch takes no CA option, so this is fetch over node:https with `ca`.
 */
import { request } from 'node:https';

async function bodyBytes(body: unknown): Promise<string | Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return Buffer.from(await new Response(body as BodyInit).arrayBuffer());
}

export function createTrustingFetch(caCertPem: string): typeof fetch {
  const trustingFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init.headers);
    if (init.body instanceof URLSearchParams && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
    const payload = await bodyBytes(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(headers), ca: caCertPem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') responseHeaders.set(name, value);
            else if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
          }
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  };
  return trustingFetch as typeof fetch;
}
