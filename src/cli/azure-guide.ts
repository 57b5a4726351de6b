/** What to register in Azure, printed on a fresh install (no client id yet). */
import type { CLOUDS } from '../core/identity/microsoft/clouds.js';
import { scopesFor } from '../core/identity/microsoft/clouds.js';

export function azureGuide(cloud: keyof typeof CLOUDS): string {
  return [
    'No clientId yet. Register an app in Azure (Entra ID → App registrations → New registration):',
    '  1. Supported account types: your organisation (or any, to match the "tenant" setting).',
    '  2. Redirect URI: platform "Public client/native (mobile & desktop)", value http://localhost',
    '  3. Authentication → "Allow public client flows": Yes.',
    '  4. API permissions (delegated):',
    `       outlook profile: ${scopesFor(cloud, 'outlook').join(', ')}`,
    `       graph profile:   ${scopesFor(cloud, 'graph').join(', ')}`,
    '  5. Copy the "Application (client) ID" and run: tokentray config set clientId <that id>',
  ].join('\n');
}
