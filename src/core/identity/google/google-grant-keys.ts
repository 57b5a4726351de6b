/**
 * Where a Google grant is kept in the vault: one record per identity and mail scope.
 *
 * The same Google user may be connected twice, as `gmail` (https://mail.google.com/, IMAP and
 * SMTP) and as `gmail-api` (gmail.modify). Google issues each sign-in its own refresh token for
 * the scopes of that sign-in only (tokentray does not ask for incremental authorization), so
 * the two grants are kept apart: one record per identity would let the second sign-in replace
 * the first's refresh token, and Gmail's IMAP would then be handed a gmail.modify token, which
 * it refuses. Vaults written before this kept one record under the bare `sub`; it is still
 * read for the mail scope it holds and moved to its own key on the next write.
 */
import { GMAIL_API_SCOPE, GMAIL_SCOPE } from './google-scopes.js';

/** The scopes that tell one Gmail grant from another (the rest are "openid email"). */
export const GOOGLE_MAIL_SCOPES: readonly string[] = [GMAIL_SCOPE, GMAIL_API_SCOPE];

/** The mail scope among `scopes`, or null when they name none. */
export function mailScopeOf(scopes: readonly string[]): string | null {
  return scopes.find((scope) => GOOGLE_MAIL_SCOPES.includes(scope)) ?? null;
}

/**
 * The vault key of one identity's grant for one mail scope: "<sub> <scope>".
 *
 * A space is in neither a Google `sub` (digits) nor a scope URL, so keys never collide with
 * each other or with a bare `sub` of an older vault.
 */
export function grantKeyFor(subject: string, mailScope: string): string {
  return `${subject} ${mailScope}`;
}

/** Every key one identity's grants may be stored under, the older vaults' bare `sub` included. */
export function grantKeysOf(subject: string): string[] {
  return [subject, ...GOOGLE_MAIL_SCOPES.map((scope) => grantKeyFor(subject, scope))];
}
