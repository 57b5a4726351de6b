/**
 * The scopes requested per Google profile.
 *
 * `gmail` is IMAP + SMTP (XOAUTH2), which Google allows only with the full
 * `https://mail.google.com/` scope. `gmail-api` is EmailEngine's Gmail API backend, whose base
 * scope is gmail.modify (read, label, send; postalsys/emailengine lib/oauth/gmail.js). Both
 * are "restricted" scopes in Google's terms. `openid email` names the signed-in user. The
 * names live in src/shared, so the window's setup guide lists exactly what is requested.
 */
import type { ScopeProfile } from '../../../shared/scope-profile.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE, GOOGLE_IDENTITY_SCOPES } from '../../../shared/google-scope-names.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';

export { GMAIL_API_SCOPE, GMAIL_SCOPE };
const IDENTITY_SCOPES = GOOGLE_IDENTITY_SCOPES;

export function googleScopesFor(profile: ScopeProfile): string[] {
  switch (profile) {
    case 'gmail':
      return [GMAIL_SCOPE, ...IDENTITY_SCOPES];
    case 'gmail-api':
      return [GMAIL_API_SCOPE, ...IDENTITY_SCOPES];
    case 'outlook':
    case 'graph':
      throw new TokentrayError('INTERNAL', `The ${profile} profile is a Microsoft profile, not a Google one.`);
  }
}
