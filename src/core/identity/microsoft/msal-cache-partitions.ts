/**
 * MSAL's serialized token cache, split by identity (homeAccountId).
 *
 * MSAL keeps every account of an application in one cache and, with a cache plugin, re-reads
 * all of it before every call: with N accounts each refresh parses N accounts' tokens, so a
 * start with N accounts costs N². Split per identity, a refresh reads and writes only its
 * own partition. The format inside a partition is MSAL's own (the schema all MSAL libraries
 * share): sections Account, IdToken, AccessToken, RefreshToken keyed by entity, every entity
 * carrying `home_account_id`; AppMetadata (per app, not per identity) goes into each partition.
 */

import { setOwnValue } from '../../../shared/account-id.js';

const IDENTITY_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken'] as const;
/** Scopes MSAL adds to every request and leaves out of an access token's `target`. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

type Section = Record<string, Record<string, unknown>>;
interface SerializedCache {
  Account?: Section;
  IdToken?: Section;
  AccessToken?: Section;
  RefreshToken?: Section;
  AppMetadata?: Section;
}

/** A cache with nothing in it: deserializing it leaves MSAL's in-memory cache empty. */
export const EMPTY_MSAL_CACHE = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} });

function parse(serialized: string): SerializedCache {
  if (!serialized) return {};
  const parsed = JSON.parse(serialized) as unknown;
  return parsed && typeof parsed === 'object' ? (parsed as SerializedCache) : {};
}

/** Splits a whole serialized cache into one serialized cache per homeAccountId. */
export function splitCacheByIdentity(serialized: string): Map<string, string> {
  const cache = parse(serialized);
  const partitions = new Map<string, Required<SerializedCache>>();
  for (const section of IDENTITY_SECTIONS) {
    for (const [key, entity] of Object.entries(cache[section] ?? {})) {
      const home = entity['home_account_id'];
      if (typeof home !== 'string' || home === '') continue;
      let partition = partitions.get(home);
      if (!partition) {
        partition = { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: { ...cache.AppMetadata } };
        partitions.set(home, partition);
      }
      setOwnValue(partition[section], key, entity);
    }
  }
  return new Map([...partitions].map(([home, partition]) => [home, JSON.stringify(partition)]));
}

export interface CachedAccessToken {
  accessToken: string;
  expiresAt: number; // epoch ms
  homeAccountId: string;
  username: string;
}

/**
 * The access token MSAL would answer from a partition for these scopes, without MSAL.
 *
 * Lets the broker serve a token that is already in the vault at once at start, before any
 * MSAL call. Matches as MSAL does: same identity and app, every requested resource scope in
 * the token's target (case-insensitive, OIDC scopes aside); the latest expiry wins. Anything
 * it cannot match goes through MSAL as before, so a miss only costs time.
 */
export function cachedAccessToken(partition: string, homeAccountId: string, clientId: string, scopes: readonly string[]): CachedAccessToken | null {
  if (!partition) return null;
  const cache = parse(partition);
  const wanted = scopes.map((scope) => scope.toLowerCase()).filter((scope) => !OIDC_SCOPES.has(scope));
  let best: { secret: string; expiresAt: number } | null = null;
  for (const entity of Object.values(cache.AccessToken ?? {})) {
    if (entity['home_account_id'] !== homeAccountId || entity['client_id'] !== clientId) continue;
    const type = entity['token_type'];
    if (type !== undefined && typeof type === 'string' && type.toLowerCase() !== 'bearer') continue;
    const secret = entity['secret'];
    const expiresOnSeconds = Number(entity['expires_on']);
    if (typeof secret !== 'string' || !Number.isFinite(expiresOnSeconds)) continue;
    const target = new Set(String(entity['target'] ?? '').toLowerCase().split(' '));
    if (!wanted.every((scope) => target.has(scope))) continue;
    const expiresAt = expiresOnSeconds * 1000;
    if (!best || expiresAt > best.expiresAt) best = { secret, expiresAt };
  }
  if (!best) return null;
  const account = Object.values(cache.Account ?? {}).find((entity) => entity['home_account_id'] === homeAccountId);
  const username = account?.['username'];
  if (typeof username !== 'string') return null;
  return { accessToken: best.secret, expiresAt: best.expiresAt, homeAccountId, username };
}
