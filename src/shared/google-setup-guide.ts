/**
 * The Google Cloud registration Gmail accounts need, step by step: the one wording of the
 * window's Google setup guide (Settings → Google sign-in).
 *
 * Data, not markup: each step is text with values the window shows as copyable code, so the
 * scopes listed are the very constants the core requests (google-scope-names.ts).
 */
import { GMAIL_API_SCOPE, GMAIL_SCOPE, GOOGLE_IDENTITY_SCOPES } from './google-scope-names.js';

/** Plain text, or a value the user pastes somewhere (shown as code with a Copy button). */
export type GuidePart = string | { copy: string };

export interface GuideStep {
  title: string;
  parts: readonly GuidePart[];
  /** Values grouped by what they are for (the scopes of each profile). */
  groups?: ReadonlyArray<{ title: string; values: readonly string[] }>;
  /** Text after the groups. */
  after?: readonly GuidePart[];
}

/** What a Google refresh token's life depends on, said once for the guide and the README. */
export const GOOGLE_TESTING_EXPIRY_NOTE =
  'In "Testing" only the test users you list can sign in, and Google lets their refresh tokens expire after 7 days: the account then needs sign-in again.';

export const GOOGLE_SETUP_INTRO =
  'Gmail accounts sign in through an OAuth client of your own in Google Cloud, of type "Desktop app". tokentray needs its client ID and its client secret.';

export const GOOGLE_SETUP_STEPS: readonly GuideStep[] = [
  {
    title: 'Project and Gmail API.',
    parts: ['In the Google Cloud Console pick or create a project, then APIs & Services → Library → enable the ', { copy: 'Gmail API' }, ' (the Gmail API profile needs it).'],
  },
  {
    title: 'OAuth consent screen.',
    parts: [
      'Google Auth Platform → Branding: an app name, e.g. ',
      { copy: 'tokentray' },
      ', and a support address. Audience: External (or Internal for your Workspace organisation). Data access → Add or remove scopes:',
    ],
    groups: [
      { title: 'Gmail IMAP/SMTP accounts', values: [GMAIL_SCOPE, ...GOOGLE_IDENTITY_SCOPES] },
      { title: 'Gmail API accounts', values: [GMAIL_API_SCOPE, ...GOOGLE_IDENTITY_SCOPES] },
    ],
    after: ['Both Gmail scopes are "restricted" scopes.'],
  },
  {
    title: 'Testing or In production.',
    parts: [
      `${GOOGLE_TESTING_EXPIRY_NOTE} Add your address under Audience → Test users. "In production" (Publish app) keeps sign-ins until they are revoked; for a restricted scope outside your own Workspace organisation Google then asks for verification.`,
    ],
  },
  {
    title: 'Desktop client.',
    parts: ['Clients → Create client → Application type ', { copy: 'Desktop app' }, '. No redirect URI to enter: tokentray listens on http://127.0.0.1 with a free port.'],
  },
  {
    title: 'Client ID and secret.',
    parts: ['Copy the client ID and the client secret into the fields below and save. The secret goes into the encrypted vault and is never shown again.'],
  },
];
