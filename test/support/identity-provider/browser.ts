/**
 * A scripted user's browser for the interactive sign-in, over plain node:http(s).
 *
 * It does what a person does in a real browser: opens the authorize URL, follows redirects
 * (keeping cookies, which oidc-provider's interaction needs), fills the sign-in page, and lets
 * the final auto-submitting form post the answer to the app's loopback listener. What that
 * listener answers (MSAL's success or error template) is the result.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Authorize → sign-in page → resume → form_post page: a handful; more means a loop. */
const MAX_STEPS = 20;

export interface CompleteSignInOptions {
  /** Default: the login_hint prefilled on the page, else the first account the page suggests. */
  username?: string;
  consent?: 'accept' | 'decline';
  /** `blocked`: the tenant does not let this user into the app (AADSTS50105). */
  outcome?: 'blocked';
  /** The provider's certificate (`provider.caCertPem`). */
  caCertPem: string;
}

export interface SignInResult {
  /** Status and body of the app's loopback listener answering the form post. */
  status: number;
  body: string;
  /** The first identity-provider URL opened: the authorize URL (behind a one-time start link). */
  authorizeUrl: string | null;
}

/** The identity provider showed an error page instead of returning to the app. */
export class SignInPageError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(`identity provider error page (HTTP ${status}): ${description}`);
    this.name = 'SignInPageError';
  }
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HtmlForm {
  id: string | undefined;
  method: string;
  action: string;
  inputs: Record<string, string>;
}

export async function completeSignIn(startUrl: string, options: CompleteSignInOptions): Promise<SignInResult> {
  const cookies = new Map<string, string>();
  let url = new URL(startUrl);
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  let authorizeUrl: string | null = null;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (authorizeUrl === null && url.protocol === 'https:') authorizeUrl = url.href;
    const response = await send(url, method, body, cookies, options.caCertPem);
    if (response.status >= 300 && response.status < 400 && response.headers.location) {
      url = new URL(response.headers.location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    // An error response form (access_denied) comes with HTTP 400 but is still an auto-submitting
    // form a browser posts, so look for the form before judging the status.
    const form = firstForm(response.body);
    if (!form) {
      if (isLoopback(url)) return { status: response.status, body: response.body, authorizeUrl };
      throw new SignInPageError(response.status, errorDescription(response.body));
    }
    const action = new URL(form.action || url.href, url);
    if (form.id === 'sign-in') {
      const fields = {
        ...form.inputs,
        username: options.username || form.inputs.username || firstSuggestedUser(response.body),
        consent: options.consent ?? 'accept',
        outcome: options.outcome ?? 'signin',
      };
      url = action;
      method = 'POST';
      body = new URLSearchParams(fields).toString();
      continue;
    }
    // The auto-submitting response form (form_post): post its hidden fields to the app.
    const final = await send(action, 'POST', new URLSearchParams(form.inputs).toString(), cookies, options.caCertPem);
    return { status: final.status, body: final.body, authorizeUrl };
  }
  throw new Error(`[browser] gave up after ${MAX_STEPS} pages without reaching the app`);
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
}

export function send(url: URL, method: 'GET' | 'POST', body: string | undefined, cookies: Map<string, string>, caCertPem: string): Promise<Response> {
  const headers: Record<string, string> = { accept: 'text/html' };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const sameOriginCookies = [...cookies].filter(([key]) => key.startsWith(`${url.host} `));
  if (sameOriginCookies.length > 0) headers.cookie = sameOriginCookies.map(([key, value]) => `${key.split(' ')[1]}=${value}`).join('; ');

  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      for (const line of res.headers['set-cookie'] ?? []) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq > 0) cookies.set(`${url.host} ${pair.slice(0, eq).trim()}`, pair.slice(eq + 1).trim());
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    };
    const req = url.protocol === 'https:'
      ? httpsRequest(url, { method, headers, ca: caCertPem }, onResponse)
      // MSAL's listener binds 127.0.0.1 while its redirect URI says localhost, which may resolve to ::1 first.
      : httpRequest(url, { method, headers, family: url.hostname === 'localhost' ? 4 : undefined }, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

function attributes(tag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)) {
    const [, name = '', value = ''] = match;
    result[name.toLowerCase()] = decodeEntities(value);
  }
  return result;
}

export function firstForm(html: string): HtmlForm | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const [, formTag = '', inner = ''] = match;
  const attrs = attributes(formTag);
  const inputs: Record<string, string> = {};
  for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
    const inputAttrs = attributes(input[1] ?? '');
    const type = inputAttrs.type ?? 'text';
    if (!inputAttrs.name || type === 'radio' || type === 'checkbox') continue;
    inputs[inputAttrs.name] = inputAttrs.value ?? '';
  }
  return { id: attrs.id, method: (attrs.method ?? 'get').toUpperCase(), action: attrs.action ?? '', inputs };
}

/** The first account of the sign-in page's `<datalist>` (what a user would pick from the list). */
export function firstSuggestedUser(html: string): string {
  return decodeEntities(/<datalist\b[^>]*>\s*<option value="([^"]*)"/i.exec(html)?.[1] ?? '');
}

function errorDescription(html: string): string {
  const match = /<p id="error-description">([\s\S]*?)<\/p>/i.exec(html) ?? /<body[^>]*>([\s\S]*?)<\/body>/i.exec(html);
  return decodeEntities((match?.[1] ?? html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
