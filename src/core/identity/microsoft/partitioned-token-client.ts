/**
 * MSAL with one token-cache partition per identity: a TokenClient whose every call costs the
 * same at 1 or 1,000 accounts.
 *
 * A few MSAL applications ("lanes") do the work. Before each cache access a lane's cache
 * plugin empties its in-memory cache and loads only the partition of the identity it is
 * serving; after a change it writes back only that partition and waits until the vault has
 * it on disk. So:
 * - a refresh parses one identity's tokens, never all of them;
 * - a rotated refresh token is durable before MSAL returns the new access token (nothing can
 *   serve it, or use the old refresh token, first);
 * - at most one operation per identity runs at a time (a shared mailbox account and its
 *   owner share an identity): two refreshes never race for one single-use refresh token.
 * Interactive sign-ins get a fresh application each (they may run side by side).
 */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { DeviceCodeOptions, InteractiveOptions, TokenClient, TokenResult } from '../identity-provider.js';
import { EMPTY_MSAL_CACHE, cachedAccessToken, splitCacheByIdentity } from './msal-cache-partitions.js';

/** More than the broker's background concurrency, so a request-driven refresh finds a lane. */
export const MSAL_LANE_COUNT = 12;
/** MSAL's key prefix for discovery results, which are not tokens and are kept across calls. */
const AUTHORITY_METADATA_KEY_PREFIX = 'authority-metadata';

/** Where the partitions live (the vault); `put` resolves once they are durable. */
export interface PartitionStore {
  get(homeAccountId: string): string;
  put(partitions: ReadonlyMap<string, string>): Promise<void>;
  delete(homeAccountId: string): Promise<void>;
}

export interface PartitionedTokenClientOptions {
  clientId: string;
  store: PartitionStore;
  /** Builds one MSAL application around a cache plugin (msal-client.ts). */
  createClient(cachePlugin: ICachePlugin): TokenClient;
  lanes?: number;
}

interface Lane {
  client: TokenClient;
  /** The identity whose partition this lane's cache holds during a call; null: none yet. */
  bound: string | null;
}

export class PartitionedTokenClient implements TokenClient {
  readonly #options: PartitionedTokenClientOptions;
  readonly #free: Lane[] = [];
  readonly #waiting: ((lane: Lane) => void)[] = [];
  readonly #identityLocks = new Map<string, Promise<void>>();
  /** Discovery results any lane learned, handed to the others (saves each a round trip). */
  readonly #authorityMetadata = new Map<string, unknown>();
  #laneCount = 0;

  constructor(options: PartitionedTokenClientOptions) {
    this.#options = options;
  }

  cachedToken(homeAccountId: string, scopes: string[]): TokenResult | null {
    const found = cachedAccessToken(this.#options.store.get(homeAccountId), homeAccountId, this.#options.clientId, scopes);
    return found ? { ...found, fromCache: true } : null;
  }

  acquireSilent(homeAccountId: string, scopes: string[], forceRefresh: boolean): Promise<TokenResult> {
    return this.#withIdentity(homeAccountId, () =>
      this.#withLane(async (lane) => {
        lane.bound = homeAccountId;
        try {
          return await lane.client.acquireSilent(homeAccountId, scopes, forceRefresh);
        } finally {
          lane.bound = null;
        }
      }),
    );
  }

  acquireInteractive(options: InteractiveOptions): Promise<TokenResult> {
    // A lane of its own, never reused: it starts empty and writes whatever identity signed in.
    const lane: Lane = { client: null as unknown as TokenClient, bound: null };
    lane.client = this.#options.createClient(this.#plugin(lane));
    return lane.client.acquireInteractive(options);
  }

  acquireByDeviceCode(options: DeviceCodeOptions): Promise<TokenResult> {
    // Like an interactive sign-in: a fresh lane that writes whatever identity signed in.
    const lane: Lane = { client: null as unknown as TokenClient, bound: null };
    lane.client = this.#options.createClient(this.#plugin(lane));
    if (!lane.client.acquireByDeviceCode) throw new TokentrayError('INTERNAL', 'This token client has no device-code sign-in.');
    return lane.client.acquireByDeviceCode(options);
  }

  removeAccount(homeAccountId: string): Promise<void> {
    return this.#withIdentity(homeAccountId, () => this.#options.store.delete(homeAccountId));
  }

  #plugin(lane: Lane): ICachePlugin {
    const store = this.#options.store;
    return {
      beforeCacheAccess: async (context: TokenCacheContext): Promise<void> => {
        // Whatever an earlier call of this lane left in memory is another identity's.
        // (msal-node hands its TokenCache, whose getKVStore is the live key-value map.)
        const entries = (context.tokenCache as Partial<{ getKVStore(): Record<string, unknown> }>).getKVStore?.() ?? {};
        for (const key of Object.keys(entries)) {
          if (!key.startsWith(AUTHORITY_METADATA_KEY_PREFIX)) delete entries[key];
          else this.#authorityMetadata.set(key, entries[key]);
        }
        // A new lane's first cache access comes before its first discovery (MsalClient looks
        // the account up first): what another lane discovered spares it the network.
        for (const [key, metadata] of this.#authorityMetadata) if (!(key in entries)) entries[key] = metadata;
        context.tokenCache.deserialize((lane.bound && store.get(lane.bound)) || EMPTY_MSAL_CACHE);
      },
      afterCacheAccess: async (context: TokenCacheContext): Promise<void> => {
        if (!context.cacheHasChanged) return;
        const partitions = splitCacheByIdentity(context.tokenCache.serialize());
        const bound = lane.bound;
        if (bound !== null) {
          // Only the identity this lane serves is written; an identity missing from MSAL's
          // answer is never taken as a deletion (only removeAccount deletes).
          const own = partitions.get(bound);
          if (own) await store.put(new Map([[bound, own]]));
          return;
        }
        // An interactive sign-in holds no identity lock yet: take each one it writes, so a
        // refresh of the same identity in flight finishes first and the newer tokens win.
        await Promise.all([...partitions].map(([home, partition]) => this.#withIdentity(home, () => store.put(new Map([[home, partition]])))));
      },
    };
  }

  async #withIdentity<T>(homeAccountId: string, run: () => Promise<T>): Promise<T> {
    const before = this.#identityLocks.get(homeAccountId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = before.then(() => mine);
    this.#identityLocks.set(homeAccountId, chained);
    await before;
    try {
      return await run();
    } finally {
      release();
      if (this.#identityLocks.get(homeAccountId) === chained) this.#identityLocks.delete(homeAccountId);
    }
  }

  async #withLane<T>(run: (lane: Lane) => Promise<T>): Promise<T> {
    const lane = await this.#takeLane();
    try {
      return await run(lane);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(lane);
      else this.#free.push(lane);
    }
  }

  #takeLane(): Promise<Lane> {
    const free = this.#free.pop();
    if (free) return Promise.resolve(free);
    if (this.#laneCount < (this.#options.lanes ?? MSAL_LANE_COUNT)) {
      this.#laneCount += 1;
      const lane: Lane = { client: null as unknown as TokenClient, bound: null };
      lane.client = this.#options.createClient(this.#plugin(lane));
      return Promise.resolve(lane);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
