/**
 * A scripted user completing a device-code sign-in on "another device".
 *
 * Opens the verification URI, enters the user code, then approves (and signs in on the
 * sign-in page) or aborts on oidc-provider's confirmation page, as a person would.
 */
import { firstForm, firstSuggestedUser, send } from './browser.js';

const MAX_STEPS = 20;

export interface DeviceSignInOptions {
  userCode: string;
  username?: string;
  decision: 'approve' | 'deny';
  caCertPem: string;
}

/** Returns the text of the last page (the provider's success or "aborted" page). */
export async function completeDeviceSignIn(verificationUri: string, options: DeviceSignInOptions): Promise<string> {
  const cookies = new Map<string, string>();
  let url = new URL(verificationUri);
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  let aborted = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await send(url, method, body, cookies, options.caCertPem);
    if (response.status >= 300 && response.status < 400 && response.headers.location) {
      url = new URL(response.headers.location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const form = firstForm(response.body);
    // After an abort the provider shows its code-entry page again, saying the request was interrupted.
    if (!form || aborted) return response.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    const fields: Record<string, string> = { ...form.inputs };
    if (form.id === 'op.deviceInputForm') fields.user_code = options.userCode;
    else if (form.id === 'op.deviceConfirmForm' && options.decision === 'deny') {
      fields.abort = 'yes';
      aborted = true;
    }
    else if (form.id === 'sign-in') {
      Object.assign(fields, { username: options.username || form.inputs.username || firstSuggestedUser(response.body), consent: 'accept', outcome: 'signin' });
    }
    url = new URL(form.action || url.href, url);
    method = 'POST';
    body = new URLSearchParams(fields).toString();
  }
  throw new Error(`[device browser] gave up after ${MAX_STEPS} pages`);
}
