/**
 * Entra ID (AADSTS) error codes tokentray explains to the user.
 *
 * MSAL hands most of these over as a plain ServerError whose AADSTS code is only inside the
 * message text, so the code is parsed out and looked up here.
 */
export interface AadstsInfo {
  summary: string; // a few words: shown in tray lines and HTTP reason phrases
  advice: string; // what the user does about it
}

export const AADSTS: Readonly<Record<string, AadstsInfo>> = {
  '50173': { summary: 'password changed', advice: 'The password was changed or reset, or the session was revoked: sign in again.' },
  '70043': { summary: 'sign-in frequency reached', advice: 'Your organisation requires signing in again after a set time (Conditional Access): sign in again.' },
  '700082': { summary: 'unused for too long', advice: 'The sign-in expired after 90 days without use: sign in again.' },
  '700084': { summary: 'sign-in expired', advice: 'The refresh token reached its lifetime: sign in again.' },
  '70008': { summary: 'sign-in expired', advice: 'The grant expired or was revoked: sign in again.' },
  '65001': { summary: 'consent missing', advice: 'The app no longer has consent: sign in again and accept, or ask an administrator to grant consent.' },
  '65004': { summary: 'consent declined', advice: 'The consent screen was declined: sign in again and accept it.' },
  '50076': { summary: 'MFA required', advice: 'Multi-factor authentication is now required: sign in again.' },
  '50079': { summary: 'MFA enrollment required', advice: 'Register for multi-factor authentication, then sign in again.' },
  '50078': { summary: 'MFA expired', advice: 'Multi-factor authentication expired: sign in again.' },
  '50158': { summary: 'extra verification required', advice: 'An external security challenge is required: sign in again.' },
  '53003': { summary: 'blocked by Conditional Access', advice: 'A Conditional Access policy blocks this sign-in; ask your administrator.' },
  '50105': { summary: 'user not assigned to the app', advice: 'Ask your administrator to assign you to the tokentray app registration.' },
  '50057': { summary: 'user disabled', advice: 'The account is disabled; ask your administrator.' },
  '50053': { summary: 'account locked', advice: 'The account is locked after too many attempts; wait or ask your administrator.' },
  '50126': { summary: 'wrong password', advice: 'Sign in again with the right password.' },
  '700016': { summary: 'app not found in tenant', advice: 'Check the client id and tenant (`tokentray config get`); the app may not exist in this tenant.' },
  '7000218': { summary: 'app is not a public client', advice: 'Enable "Allow public client flows" in the app registration (Authentication page).' },
  '50011': { summary: 'redirect URI not registered', advice: 'Add the redirect URI http://localhost under "Mobile and desktop applications" in the app registration.' },
  '50020': { summary: 'user not in tenant', advice: 'This user is not in the configured tenant; check `tokentray config get tenant`.' },
  '90072': { summary: 'user not in tenant', advice: 'This user is not in the configured tenant; check `tokentray config get tenant`.' },
};

const CODE = /AADSTS(\d{5,7})/;

export function aadstsCodeIn(text: string | undefined | null): string | null {
  const match = text ? CODE.exec(text) : null;
  return match ? match[1]! : null;
}

/** AADSTS codes that end an interactive sign-in as "this tenant/app setup blocks it". */
export const BLOCKING_CODES: ReadonlySet<string> = new Set(['53003', '50105', '50057', '50053', '700016', '7000218', '50011', '50020', '90072']);
/** AADSTS codes that mean consent was refused or is missing. */
export const CONSENT_CODES: ReadonlySet<string> = new Set(['65001', '65004']);
