/**
 * An MSAL `INetworkModule` over node:https that trusts one extra CA: the test provider's.
 *
 * msal-node 7's default client uses global `fetch`, which only trusts the system store plus
 * `NODE_EXTRA_CA_CERTS` (read once at process start). In-process tests cannot set that in time,
 * so they pass `system: { networkClient: createTrustingNetworkClient(provider.caCertPem) }`.
 */
import { request } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export function createTrustingNetworkClient(caCertPem: string): INetworkModule {
  function send<T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const body = method === 'POST' ? (options?.body ?? '') : undefined;
      const req = request(url, { method, headers: options?.headers ?? {}, ca: caCertPem, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          try {
            resolve({ headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, status: res.statusCode ?? 0 });
          } catch (error) {
            reject(new Error(`[identity-provider] ${method} ${url} answered ${res.statusCode} with a non-JSON body`, { cause: error }));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`[identity-provider] ${method} ${url} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}
