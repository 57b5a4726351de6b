/**
 * Asks the auth server for a token exactly as EmailEngine 2.79 does (see shared/EMAILENGINE.md):
 * the credentials taken out of the authServer URL into a Basic header, and its exact headers.
 */
import { request } from 'node:http';

export const EMAILENGINE_USER_AGENT = 'emailengine-app/2.79.2 (+https://emailengine.app/)';

export interface AuthServerAnswer {
  status: number;
  reason: string;
  body: string;
}

export function askLikeEmailEngine(authServerUrl: string, account: string, proto: string): Promise<AuthServerAnswer> {
  const url = new URL(authServerUrl);
  const credentials = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = url.password = '';
  url.searchParams.set('account', account);
  url.searchParams.set('proto', proto);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        headers: {
          host: url.host,
          connection: 'keep-alive',
          'User-Agent': EMAILENGINE_USER_AGENT,
          accept: '*/*',
          'accept-language': '*',
          'sec-fetch-mode': 'cors',
          'accept-encoding': 'gzip, deflate',
          authorization: `Basic ${credentials}`,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
