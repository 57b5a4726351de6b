/**
 * EmailEngine's CreateOAuth2App validation (POST /v1/oauth2), for the EmailEngine-shaped server.
 *
 * Built from EmailEngine 2.79.2's lib/schemas.js (oauthCreateSchema, tailored for the API) and
 * lib/api-routes/oauth2-app-routes.js (stripUnknown: false, so an unknown key is refused). The
 * rules that decide what tokentray may send: which fields each provider requires, which it
 * forbids (`authority`/`cloud` only for Outlook; service-account fields only for
 * gmailService), and the formats of `redirectUrl`, `baseScopes` and `googleProjectId`.
 * Messages are Joi's, as EmailEngine returns them in `fields`.
 */

export type ValidationField = { message: string; key: string };

const PROVIDERS = ['gmail', 'gmailService', 'outlook', 'outlookService', 'mailRu'] as const;
const SERVICE_ACCOUNT_FIELDS = ['serviceClient', 'serviceClientEmail', 'serviceKey', 'authMethod', 'externalAccount'] as const;
const KNOWN_KEYS = new Set([
  'name', 'description', 'title', 'provider', 'enabled', 'clientId', 'clientSecret', 'baseScopes', 'pubSubApp', 'extraScopes', 'skipScopes',
  'serviceClient', 'googleProjectId', 'googleWorkspaceAccounts', 'googleTopicName', 'googleSubscriptionName', 'serviceClientEmail',
  'serviceKey', 'authMethod', 'externalAccount', 'authority', 'cloud', 'redirectUrl',
]);
const GOOGLE_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Joi's `.trim().empty('')`: a blank string counts as absent. */
function present(value: unknown): boolean {
  return value !== undefined && !(typeof value === 'string' && value.trim() === '');
}

/** `.valid(false, null)` when absent is required: only undefined, false or null pass. */
function absentOrOff(value: unknown): boolean {
  return value === undefined || value === false || value === null || (typeof value === 'string' && value.trim() === '');
}

function isHttpUri(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The fields EmailEngine would refuse in a POST /v1/oauth2 body (empty: it would accept it). */
export function createOAuth2AppErrors(body: Record<string, unknown>): ValidationField[] {
  const fields: ValidationField[] = [];
  const refuse = (key: string, message: string): void => void fields.push({ key, message: `"${key}" ${message}` });
  for (const key of Object.keys(body)) if (!KNOWN_KEYS.has(key)) refuse(key, 'is not allowed');

  if (typeof body.name !== 'string' || !present(body.name)) refuse('name', 'is required');
  const provider = body.provider;
  if (!present(provider)) refuse('provider', 'is required');
  else if (!(PROVIDERS as readonly unknown[]).includes(provider)) refuse('provider', `must be one of [${PROVIDERS.join(', ')}]`);

  const service = provider === 'gmailService';
  const appOnly = provider === 'gmailService' || provider === 'outlookService';
  const outlook = provider === 'outlook' || provider === 'outlookService';

  // clientId: `.allow('')` plus required, so '' passes; clientSecret: `.empty('')`, so it does not.
  if (service) {
    if (!absentOrOff(body.clientId)) refuse('clientId', 'must be one of [false, null]');
    if (!absentOrOff(body.clientSecret)) refuse('clientSecret', 'must be one of [false, null]');
  } else {
    if (typeof body.clientId !== 'string') refuse('clientId', body.clientId === undefined ? 'is required' : 'must be a string');
    if (!present(body.clientSecret)) refuse('clientSecret', 'is required');
  }

  if (present(body.baseScopes) && !['imap', 'api', 'pubsub'].includes(String(body.baseScopes))) refuse('baseScopes', 'must be one of [imap, api, pubsub]');
  if (present(body.pubSubApp) && body.pubSubApp !== false && (typeof body.pubSubApp !== 'string' || !/^[A-Za-z0-9_-]+$/.test(body.pubSubApp))) {
    refuse('pubSubApp', 'must be a valid base64 string');
  }
  if (present(body.googleProjectId) && body.googleProjectId !== false && !GOOGLE_PROJECT_ID.test(String(body.googleProjectId).trim())) {
    refuse('googleProjectId', `with value "${String(body.googleProjectId)}" fails to match the required pattern: ${GOOGLE_PROJECT_ID}`);
  }

  for (const key of SERVICE_ACCOUNT_FIELDS) {
    if (!service && !absentOrOff(body[key])) refuse(key, 'must be one of [false, null]');
  }
  if (service && !present(body.serviceClient)) refuse('serviceClient', 'is required');
  if (service && !present(body.serviceClientEmail)) refuse('serviceClientEmail', 'is required');

  if (provider === 'outlook' && !present(body.authority)) refuse('authority', 'is required');
  if (provider === 'outlookService' && !present(body.authority)) refuse('authority', 'is required');
  if (!outlook && !absentOrOff(body.authority)) refuse('authority', 'must be one of [false, null]');
  if (outlook && present(body.cloud) && !['global', 'gcc-high', 'dod', 'china'].includes(String(body.cloud))) refuse('cloud', 'must be one of [global, gcc-high, dod, china]');
  if (!outlook && !absentOrOff(body.cloud)) refuse('cloud', 'must be one of [false, null]');

  // redirectUrl: `.allow('')`, required for every provider that signs users in.
  if (appOnly) {
    if (!absentOrOff(body.redirectUrl)) refuse('redirectUrl', 'must be one of [false, null]');
  } else if (body.redirectUrl === undefined) {
    refuse('redirectUrl', 'is required');
  } else if (typeof body.redirectUrl !== 'string' || (body.redirectUrl !== '' && !isHttpUri(body.redirectUrl))) {
    refuse('redirectUrl', 'must be a valid uri with a scheme matching the http|https pattern');
  }
  return fields;
}
