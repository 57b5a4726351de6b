/**
 * The Microsoft clouds tokentray can sign in to, and everything that follows from the choice.
 *
 * One access token is for one resource, so the scope sets of the two profiles never mix.
 */
import type { ScopeProfile } from '../../../shared/scope-profile.js';
import type { Cloud } from '../../../shared/settings-shape.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';

export interface CloudEndpoints {
  label: string;
  loginHost: string; // sign-in authority host
  outlookResource: string; // IMAP / SMTP scopes live here
  graphResource: string;
  imapHost: string;
  smtpHost: string;
  smtpPort: number;
}

export const CLOUDS: Readonly<Record<Cloud, CloudEndpoints>> = {
  global: {
    label: 'Microsoft 365 (worldwide)',
    loginHost: 'https://login.microsoftonline.com',
    outlookResource: 'https://outlook.office.com',
    graphResource: 'https://graph.microsoft.com',
    imapHost: 'outlook.office365.com',
    smtpHost: 'smtp.office365.com',
    smtpPort: 587,
  },
  'gcc-high': {
    label: 'US Government GCC High',
    loginHost: 'https://login.microsoftonline.us',
    outlookResource: 'https://outlook.office365.us',
    graphResource: 'https://graph.microsoft.us',
    imapHost: 'outlook.office365.us',
    smtpHost: 'smtp.office365.us',
    smtpPort: 587,
  },
  dod: {
    label: 'US Government DoD',
    loginHost: 'https://login.microsoftonline.us',
    outlookResource: 'https://outlook-dod.office365.us',
    graphResource: 'https://dod-graph.microsoft.us',
    imapHost: 'outlook-dod.office365.us',
    smtpHost: 'outlook-dod.office365.us',
    smtpPort: 587,
  },
  china: {
    label: 'Microsoft 365 operated by 21Vianet (China)',
    loginHost: 'https://login.chinacloudapi.cn',
    outlookResource: 'https://partner.outlook.cn',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn',
    imapHost: 'partner.outlook.cn',
    smtpHost: 'partner.outlook.cn',
    smtpPort: 587,
  },
};

/** The scopes requested for a profile (offline_access is what gets us a refresh token). */
export function scopesFor(cloud: Cloud, profile: ScopeProfile): string[] {
  const endpoints = CLOUDS[cloud];
  switch (profile) {
    case 'outlook':
      return [`${endpoints.outlookResource}/IMAP.AccessAsUser.All`, `${endpoints.outlookResource}/SMTP.Send`, 'offline_access'];
    case 'graph':
      return [
        `${endpoints.graphResource}/Mail.ReadWrite`,
        `${endpoints.graphResource}/Mail.Send`,
        `${endpoints.graphResource}/User.Read`,
        'offline_access',
      ];
    case 'gmail':
    case 'gmail-api':
      throw new TokentrayError('INTERNAL', `The ${profile} profile is a Google profile, not a Microsoft one.`);
  }
}

/** The authority MSAL signs in against: the override when set, else cloud host + tenant. */
export function authorityFor(settings: { cloud: Cloud; tenant: string; authority: string | null }): string {
  if (settings.authority) return settings.authority.replace(/\/+$/, '');
  return `${CLOUDS[settings.cloud].loginHost}/${settings.tenant}`;
}
