/**
 * The MSAL adapter: the only file that knows @azure/msal-node's API.
 *
 * The token cache is MSAL's own serialized format, kept inside the encrypted vault (we are
 * its only writer: see process-lock.ts) and written back only when MSAL reports a change.
 * A refresh costs no disk read, and serving a token costs no MSAL call at all: the broker
 * serves from memory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CryptoProvider,
  LogLevel,
  PublicClientApplication,
  ResponseMode,
  ServerError,
  type AuthenticationResult,
  type DeviceCodeRequest,
  type Configuration,
  type ICachePlugin,
  type INetworkModule,
  type TokenCacheContext,
} from '@azure/msal-node';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { Logger } from '../../logging/logger.js';
import type { DeviceCodeOptions, InteractiveOptions, TokenClient, TokenResult } from '../identity-provider.js';
import { LoopbackListener } from '../loopback-listener.js';

export type { InteractiveOptions, TokenResult } from '../identity-provider.js';

/** What the Microsoft adapter needs from MSAL: the port's TokenClient. */
export type MsalPort = TokenClient;

export interface CachePersistence {
  read(): string;
  write(serialized: string): Promise<void>;
}

export interface MsalClientOptions {
  clientId: string;
  authority: string;
  /** Set for authorities MSAL does not know (overrides, local test providers). */
  knownAuthorities?: string[];
  /** The whole cache in one blob; or, with `cachePlugin`, MSAL's plugin as given. */
  cache?: CachePersistence;
  cachePlugin?: ICachePlugin;
  logger: Logger;
  networkClient?: INetworkModule;
}

function toResult(result: AuthenticationResult | null): TokenResult {
  if (!result?.accessToken || !result.account || !result.expiresOn) {
    throw new TokentrayError('SIGN_IN_FAILED', 'Microsoft answered without an access token.');
  }
  return {
    accessToken: result.accessToken,
    expiresAt: result.expiresOn.getTime(),
    homeAccountId: result.account.homeAccountId,
    username: result.account.username,
    fromCache: result.fromCache,
  };
}

export function createCachePlugin(persistence: CachePersistence): ICachePlugin {
  return {
    // MSAL expects the cache to be (re)loaded before every access: it merges on serialize
    // against the last snapshot it was given. The snapshot is the vault's in-memory copy, so
    // this is a JSON.parse per refresh, never a disk read, and never on the serving path.
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      context.tokenCache.deserialize(persistence.read());
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (context.cacheHasChanged) await persistence.write(context.tokenCache.serialize());
    },
  };
}

export class MsalClient implements MsalPort {
  readonly #app: PublicClientApplication;

  constructor(options: MsalClientOptions) {
    const log = options.logger;
    const config: Configuration = {
      auth: {
        clientId: options.clientId,
        authority: options.authority,
        ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
      },
      cache: { cachePlugin: options.cachePlugin ?? createCachePlugin(options.cache ?? { read: () => '', write: async () => undefined }) },
      system: {
        ...(options.networkClient ? { networkClient: options.networkClient } : {}),
        loggerOptions: {
          // MSAL's own PII switch stays off; our logger redacts whatever remains.
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => {
            if (level <= LogLevel.Error) log.debug(message);
          },
        },
      },
    };
    this.#app = new PublicClientApplication(config);
  }

  async #account(homeAccountId: string) {
    const account = await this.#app.getTokenCache().getAccountByHomeId(homeAccountId);
    if (!account) {
      // Same shape as MSAL's own "no account" error so classifyRefreshFailure treats it alike.
      throw Object.assign(new Error('No saved sign-in for this account.'), { errorCode: 'no_account_found' });
    }
    return account;
  }

  async acquireSilent(homeAccountId: string, scopes: string[], forceRefresh: boolean): Promise<TokenResult> {
    const account = await this.#account(homeAccountId);
    return toResult(await this.#app.acquireTokenSilent({ account, scopes, forceRefresh }));
  }

  /**
   * Authorization code + PKCE through our own capped loopback listener, not MSAL's
   * (acquireTokenInteractive's LoopbackClient cannot be replaced in msal-node 7.2.3 and reads
   * any body into one string). MSAL still builds the authorize URL and redeems the code.
   */
  async acquireInteractive(options: InteractiveOptions): Promise<TokenResult> {
    const listener = await LoopbackListener.open({
      responseMode: 'form_post',
      successPage: options.successPage,
      errorPage: options.errorPage,
      signal: options.signal,
    });
    try {
      const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
      const state = randomBytes(32).toString('base64url');
      const nonce = randomBytes(32).toString('base64url');
      const correlationId = randomUUID();
      const request = {
        scopes: options.scopes,
        redirectUri: listener.redirectUri,
        correlationId,
        ...(options.loginHint ? { loginHint: options.loginHint } : { prompt: 'select_account' }),
      };
      const authorizeUrl = await this.#app.getAuthCodeUrl({
        ...request,
        responseMode: ResponseMode.FORM_POST,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        state,
        nonce,
      });
      const startUrl = listener.expect(authorizeUrl, state);
      const answer = listener.response();
      await options.openBrowser(startUrl);
      const response = await answer;
      if (response.error) throw new ServerError(response.error, correlationId, response.error_description, response.suberror);
      if (!response.code) throw Object.assign(new Error('The sign-in answer had no authorization code.'), { errorCode: 'no_auth_code_in_response' });
      const result = await this.#app.acquireTokenByCode(
        { ...request, code: response.code, codeVerifier: verifier, clientInfo: response.client_info ?? '', state, nonce },
        { code: response.code, state: response.state, ...(response.client_info ? { client_info: response.client_info } : {}) },
      );
      return toResult(result);
    } finally {
      listener.close();
    }
  }

  async acquireByDeviceCode(options: DeviceCodeOptions): Promise<TokenResult> {
    const request: DeviceCodeRequest = {
      scopes: options.scopes,
      timeout: options.timeoutSeconds,
      deviceCodeCallback: (response) => {
        void options.onCode({
          verificationUri: response.verificationUri,
          userCode: response.userCode,
          expiresAt: Date.now() + response.expiresIn * 1000,
          message: response.message || null,
        });
      },
    };
    // msal-node checks `cancel` before each poll of the token endpoint.
    const cancel = (): void => {
      request.cancel = true;
    };
    if (options.signal.aborted) cancel();
    options.signal.addEventListener('abort', cancel, { once: true });
    try {
      return toResult(await this.#app.acquireTokenByDeviceCode(request));
    } finally {
      options.signal.removeEventListener('abort', cancel);
    }
  }

  async removeAccount(homeAccountId: string): Promise<void> {
    const cache = this.#app.getTokenCache();
    const account = await cache.getAccountByHomeId(homeAccountId);
    if (account) await cache.removeAccount(account);
  }
}
