/**
 * What tokentray registers in EmailEngine for an account, and how that differs from what is there.
 *
 * Outlook/Gmail (IMAP + SMTP) accounts get `imap`/`smtp` blocks with `useAuthServer: true`
 * and the hosts of their cloud; no `auth` block may be present then. Graph accounts get an
 * `oauth2` block: EmailEngine refuses `{"useAuthServer": true}` alone (400, "OAuth2Authentication
 * is required") and, with `auth.user` but no `provider`, stores a send-only account that never
 * asks with proto=api. So a Graph account names an OAuth2 app registered in EmailEngine with
 * base scope `api` (see graph-app.ts) plus `auth.user`. A Gmail API account is registered the
 * same way with a "gmail" app of base scope `api` (gmail-api-app.ts): EmailEngine then runs its
 * Gmail API client and asks with proto=api. See shared/EMAILENGINE.md.
 */
import type { ScopeProfile } from '../../shared/scope-profile.js';
import type { EmailEngineAccountChange } from '../../shared/emailengine.js';
import { providerOfProfile } from '../../shared/providers.js';
import type { Cloud } from '../../shared/settings-shape.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { CLOUDS } from '../identity/microsoft/clouds.js';
import type { EmailEngineAccountData } from './emailengine-client.js';

const IMAP_TLS_PORT = 993;

/** Gmail's hosts (Google accounts; EMAILENGINE.md: imap.gmail.com 993 TLS, smtp.gmail.com 465 TLS). */
export const GMAIL_HOSTS = { imapHost: 'imap.gmail.com', imapPort: 993, smtpHost: 'smtp.gmail.com', smtpPort: 465, smtpSecure: true } as const;

export interface RegistrationInput {
  id: string;
  profile: ScopeProfile;
  /** The signed-in identity (the account's email in EmailEngine). */
  username: string;
  /** What tokentray answers as "user" (the shared mailbox when set). */
  user: string;
  cloud: Cloud;
  /** The identity provider; 'google' accounts get Gmail's hosts. */
  provider?: 'microsoft' | 'google';
  /** Graph accounts: the id of the EmailEngine OAuth2 app with base scope `api`. */
  graphAppId?: string | null;
  /** Gmail API accounts: the id of the EmailEngine "gmail" OAuth2 app with base scope `api`. */
  gmailApiAppId?: string | null;
}

/** A mail-API account: no IMAP/SMTP, EmailEngine's API client with tokens from the auth server. */
function apiRegistration(base: { account: string; name: string; email: string }, appId: string, user: string): RegistrationBody {
  return { ...base, imap: false, smtp: false, oauth2: { provider: appId, useAuthServer: true, auth: { user } } };
}

export type RegistrationBody = Record<string, unknown> & { account: string };

/** The POST /v1/account body for an account. */
export function registrationFor(input: RegistrationInput): RegistrationBody {
  const base = { account: input.id, name: input.user, email: input.user };
  if (input.profile === 'graph') {
    if (!input.graphAppId) throw new TokentrayError('INTERNAL', 'A Graph account needs the EmailEngine OAuth2 app id.');
    return apiRegistration(base, input.graphAppId, input.user);
  }
  if (input.profile === 'gmail-api') {
    if (!input.gmailApiAppId) throw new TokentrayError('INTERNAL', 'A Gmail API account needs the EmailEngine OAuth2 app id.');
    return apiRegistration(base, input.gmailApiAppId, input.user);
  }
  if (input.provider === 'google' || providerOfProfile(input.profile) === 'google') {
    return {
      ...base,
      imap: { useAuthServer: true, host: GMAIL_HOSTS.imapHost, port: GMAIL_HOSTS.imapPort, secure: true },
      smtp: { useAuthServer: true, host: GMAIL_HOSTS.smtpHost, port: GMAIL_HOSTS.smtpPort, secure: GMAIL_HOSTS.smtpSecure },
    };
  }
  const cloud = CLOUDS[input.cloud];
  return {
    ...base,
    imap: { useAuthServer: true, host: cloud.imapHost, port: IMAP_TLS_PORT, secure: true },
    smtp: { useAuthServer: true, host: cloud.smtpHost, port: cloud.smtpPort, secure: false },
  };
}

type Scalar = string | number | boolean | null;

function scalar(value: unknown): Scalar {
  if (value === undefined || value === null || value === false) return value === false ? false : null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return '(set)';
}

const COMPARED: Array<[block: 'imap' | 'smtp' | 'oauth2', field: string]> = [
  ['imap', 'useAuthServer'],
  ['imap', 'host'],
  ['imap', 'port'],
  ['imap', 'secure'],
  ['imap', 'auth'],
  ['smtp', 'useAuthServer'],
  ['smtp', 'host'],
  ['smtp', 'port'],
  ['smtp', 'secure'],
  ['smtp', 'auth'],
  ['oauth2', 'useAuthServer'],
  ['oauth2', 'provider'],
];

function field(block: unknown, name: string): Scalar {
  if (!block || typeof block !== 'object') return null;
  return scalar((block as Record<string, unknown>)[name]);
}

/**
 * The differences between an account stored in EmailEngine and the registration tokentray
 * would send (what an upsert would change). Masked secrets compare as "(set)".
 */
export function registrationChanges(existing: EmailEngineAccountData, desired: RegistrationBody): EmailEngineAccountChange[] {
  const changes: EmailEngineAccountChange[] = [];
  for (const [block, name] of COMPARED) {
    const from = field(existing[block], name);
    const to = field(desired[block], name);
    // An absent block and `false` both mean "not used".
    const fromNorm = from === false ? null : from;
    const toNorm = to === false ? null : to;
    if (fromNorm !== toNorm) changes.push({ field: `${block}.${name}`, from: fromNorm, to: toNorm });
  }
  const existingUser = existing.oauth2 && typeof existing.oauth2 === 'object' ? scalar(existing.oauth2.auth?.user) : null;
  const desiredOauth = desired.oauth2 as { auth?: { user?: string } } | undefined;
  const desiredUser = desiredOauth && typeof desiredOauth === 'object' ? scalar(desiredOauth.auth?.user) : null;
  if (existingUser !== desiredUser) changes.push({ field: 'oauth2.auth.user', from: existingUser, to: desiredUser });
  return changes;
}

/** Whether an EmailEngine account asks tokentray's auth server (for "in EmailEngine, not connected here"). */
export function usesAuthServer(account: EmailEngineAccountData): boolean {
  const blocks = [account.imap, account.smtp, account.oauth2];
  return blocks.some((block) => Boolean(block && typeof block === 'object' && block.useAuthServer === true));
}

/** One line per change, for the CLI and error messages: `imap.host: imap.example.com → outlook.office365.com`. */
export function describeChanges(changes: EmailEngineAccountChange[]): string {
  const show = (value: Scalar): string => (value === null ? '(none)' : String(value));
  return changes.map((change) => `${change.field}: ${show(change.from)} → ${show(change.to)}`).join('; ');
}
