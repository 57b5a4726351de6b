/**
 * The Gmail scopes by name, for the core's sign-in and the window's setup guide alike.
 *
 * `https://mail.google.com/` is the only scope Google accepts for IMAP and SMTP (XOAUTH2);
 * gmail.modify is the base scope of EmailEngine's Gmail API backend (read, label, send;
 * postalsys/emailengine lib/oauth/gmail.js). Both are "restricted" scopes in Google's terms.
 */
export const GMAIL_SCOPE = 'https://mail.google.com/';
export const GMAIL_API_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
/** Who signed in: tokentray reads the address from the ID token. */
export const GOOGLE_IDENTITY_SCOPES: readonly string[] = ['openid', 'email'];
