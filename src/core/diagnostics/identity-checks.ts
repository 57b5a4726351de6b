/**
 * Doctor: a client id is set, and the sign-in authority answers its discovery document.
 */
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import type { Settings } from '../../shared/settings-shape.js';
import { authorityFor } from '../identity/microsoft/clouds.js';
import { failed, passed } from './check-result.js';

/** How long the authority may take to answer before it counts as unreachable. */
export const AUTHORITY_TIMEOUT_MS = 8_000;

export function checkClientId(settings: Settings): DiagnosticCheck {
  const head = { id: 'client-id', title: 'Azure app (client) id' } as const;
  return settings.clientId ? passed(head, `set (${settings.clientId})`) : failed(head, 'CLIENT_ID_MISSING', 'No client id is configured.');
}

/** Answers a GET with its status; MSAL's own network client in-process, else fetch. */
export type HttpGet = (url: string, timeoutMs: number) => Promise<{ status: number }>;

export const fetchGet: HttpGet = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status };
};

export async function checkAuthority(settings: Settings, get: HttpGet = fetchGet, timeoutMs = AUTHORITY_TIMEOUT_MS): Promise<DiagnosticCheck> {
  const head = { id: 'authority', title: 'Sign-in authority' } as const;
  const authority = authorityFor(settings);
  const url = `${authority}/v2.0/.well-known/openid-configuration`;
  let response: { status: number };
  try {
    response = await get(url, timeoutMs);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return failed(head, 'IDP_UNAVAILABLE', `${authority} could not be reached (${why}).`, {
      fix: 'Check the network (and a proxy or firewall) from this machine to the sign-in authority; tokentray retries by itself once it is reachable.',
    });
  }
  if (response.status >= 200 && response.status < 300) return passed(head, `${authority} answers`);
  return failed(head, 'CONFIG_INVALID', `${authority} answered ${response.status} to its discovery document (an unknown tenant or a wrong authority).`, {
    fix: 'Check the tenant, cloud and authority settings (`tokentray config get`); the tenant is your directory id or domain, or "organizations".',
  });
}
