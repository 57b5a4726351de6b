/**
 * Assembles the real core for one data directory: the one place that builds the parts.
 *
 * Roles:
 * - 'daemon' (the tray app, `tokentray serve`): holds the data directory's lock for its
 *   lifetime, runs the refresher, the auth server and the control channel.
 * - 'command' (a one-shot `tokentray …` when no daemon runs): holds the lock only while the
 *   command runs; no servers.
 * If a daemon already holds the lock, openCore throws ALREADY_RUNNING with the daemon's
 * control endpoint in `details.control`; callers then talk to it through ControlClient.
 */
import { basename } from 'node:path';
import type { INetworkModule } from '@azure/msal-node';
import type { RequestRecord, StatusReport } from '../shared/account-status.js';
import type { ActivityPage } from '../shared/activity.js';
import type { DiagnosticReport } from '../shared/diagnostics.js';
import type { EmailEngineStatus } from '../shared/emailengine.js';
import type { Settings } from '../shared/settings-shape.js';
import { TokentrayError } from '../shared/tokentray-error.js';
import { deleteOwnValue, ownValue } from '../shared/account-id.js';
import {
  RequestLog,
  authServerUrlWithCredentials,
  formatServerUrl,
  generateServerCredentials,
  startAuthServer,
  type AuthServer,
  type AuthServerCredentials,
} from './auth-server/index.js';
import { authorityFor } from './identity/microsoft/clouds.js';
import type { IdentityProvider, IdentityProviders } from './identity/identity-provider.js';
import { createMicrosoftProvider } from './identity/microsoft/microsoft-provider.js';
import { prepareControlEndpoint, type ControlEndpoint } from './control/control-channel.js';
import { GoogleClient } from './identity/google/google-client.js';
import { googleEndpointsFor } from './identity/google/google-endpoints.js';
import { createGoogleProvider } from './identity/google/google-provider.js';
import { logRequestLines } from './auth-server/request-lines.js';
import { signInTargetFor } from './identity/sign-in-target.js';
import { startControlServer } from './control/control-server.js';
import { KeytarSecretStore } from './storage/keytar-secret-store.js';
import { createLogger, type Logger } from './logging/logger.js';
import { MsalClient, type MsalPort } from './identity/microsoft/msal-client.js';
import { PartitionedTokenClient } from './identity/microsoft/partitioned-token-client.js';
import { migrateWholeMsalCache, vaultPartitionStore } from './identity/microsoft/vault-partition-store.js';
import { removeStaleTemps } from './storage/atomic-file.js';
import { dataFiles, ensureDataDirectory } from './storage/paths.js';
import { acquireLock, isHeldLock, type HeldLock, type LockInfo } from './storage/process-lock.js';
import type { SecretStore } from './storage/secret-store.js';
import { SETTINGS_FILE_NAME, SettingsStore, createConfBackend, type SettingsBackend } from './storage/settings.js';
import { TokenBroker } from './broker/token-broker.js';
import type { TokentrayCore } from './tokentray-core.js';
import { TokentrayService, type AuthServerControl } from './tokentray-service.js';
import { Vault } from './storage/vault.js';
import { runDiagnostics } from './diagnostics/run-diagnostics.js';
import { EmailEngineLink } from './emailengine/emailengine-link.js';
import type { HttpGet } from './diagnostics/identity-checks.js';

/** How long a one-shot command waits for another one-shot command to finish with the vault. */
const COMMAND_LOCK_WAIT_MS = 10_000;

export interface OpenCoreOptions {
  /** The data directory (settings file, encrypted vault, lock). */
  home: string;
  role?: 'daemon' | 'command';
  logger?: Logger;
  /** Where settings live: config.json in the data directory by default (settings-file.ts). */
  settingsBackend?: SettingsBackend;
  /** The OS keychain (keytar) by default; tests may pass an in-memory store. */
  secretStore?: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** For identity providers with private CAs in-process (child processes use NODE_EXTRA_CA_CERTS). */
  msalNetworkClient?: INetworkModule;
  /** The same for google-auth-library (its `fetchImplementation`). */
  googleFetch?: typeof fetch;
  now?: () => number;
  /** How often a daemon tries a taken auth-server port again (default 15 s). */
  serverRetryMs?: number;
}

export interface OpenedCore extends TokentrayCore {
  /** One-shot commands: learn every account's real state (may refresh). */
  probeAll(): Promise<void>;
}

function buildMsal(settings: Settings, vault: Vault, logger: Logger, networkClient?: INetworkModule): MsalPort {
  if (!settings.clientId) throw new TokentrayError('CLIENT_ID_MISSING', 'No Azure app (client) id is configured yet.');
  const clientId = settings.clientId;
  const authority = authorityFor(settings);
  const msalLogger = logger.child('msal');
  return new PartitionedTokenClient({
    clientId,
    store: vaultPartitionStore(vault),
    createClient: (cachePlugin) =>
      new MsalClient({
        clientId,
        authority,
        // An override authority is one MSAL cannot validate against Microsoft's list.
        ...(settings.authority ? { knownAuthorities: [new URL(authority).host] } : {}),
        cachePlugin,
        logger: msalLogger,
        ...(networkClient ? { networkClient } : {}),
      }),
  });
}

function buildGoogle(settings: Settings, vault: Vault, fetchImplementation?: typeof fetch): GoogleClient {
  const clientId = settings['google.clientId'];
  const clientSecret = vault.document.clientSecrets?.google;
  if (!clientId || !clientSecret) throw new TokentrayError('INTERNAL', 'The Google client was built before it was configured.');
  return new GoogleClient({
    clientId,
    clientSecret,
    endpoints: googleEndpointsFor(settings['google.endpoint']),
    store: {
      get: (key) => ownValue(vault.document.googleTokens ?? {}, key),
      put: (key, record, replaced) =>
        vault.update((doc) => {
          const tokens = { ...doc.googleTokens, [key]: record };
          for (const old of replaced) if (old !== key) deleteOwnValue(tokens, old);
          doc.googleTokens = tokens;
        }),
      delete: (keys) =>
        vault.update((doc) => {
          if (doc.googleTokens) for (const key of keys) deleteOwnValue(doc.googleTokens, key);
        }),
    },
    ...(fetchImplementation ? { fetchImplementation } : {}),
  });
}

/** The URL for EmailEngine: the running server's, else the one the settings will give. */
export function serverUrlFor(credentials: AuthServerCredentials, settings: Settings, runningUrl: string | null): string {
  return authServerUrlWithCredentials(runningUrl ?? formatServerUrl(settings.host, settings.port), credentials);
}

export async function openCore(options: OpenCoreOptions): Promise<OpenedCore> {
  const role = options.role ?? 'daemon';
  const logger = options.logger ?? createLogger();
  const files = dataFiles(options.home);
  await ensureDataDirectory(options.home);

  const endpoint = role === 'daemon' ? await prepareControlEndpoint(options.home) : null;
  let lock: HeldLock | LockInfo;
  try {
    lock = await acquireLock(files.lock, {
      waitMs: role === 'daemon' ? 0 : COMMAND_LOCK_WAIT_MS,
      control: endpoint?.endpoint ?? null,
      log: (message) => logger.child('lock').warn(message),
    });
  } catch (error) {
    await endpoint?.cleanup();
    throw error;
  }
  if (!isHeldLock(lock)) {
    await endpoint?.cleanup();
    const ifStale = `If no tokentray runs, delete the lock file ${files.lock}.`;
    if (lock.control) {
      throw new TokentrayError('ALREADY_RUNNING', `tokentray is already running for ${options.home} (pid ${lock.pid}, lock file ${files.lock}).`, {
        hint: `Use it (tray icon, or \`tokentray status\`), or stop it first. ${ifStale}`,
        details: { control: lock.control, pid: lock.pid, lock: files.lock },
      });
    }
    throw new TokentrayError('VAULT_BUSY', `Another tokentray command (pid ${lock.pid}) is using ${options.home} (lock file ${files.lock}).`, {
      hint: `Wait for it to finish, or stop it and try again. ${ifStale}`,
      details: { pid: lock.pid, lock: files.lock },
    });
  }
  // Temp files of writes a SIGKILL interrupted; only the lock holder may judge them.
  const removed = await removeStaleTemps(options.home, (name) => name === basename(files.vault) || name === `${SETTINGS_FILE_NAME}.json`, {
    holdsWriterLock: true,
  });
  if (removed.length > 0) logger.child('storage').info(`removed ${removed.length} temp file(s) left by an interrupted write`);

  try {
    return await assemble(options, role, logger, files, endpoint, lock);
  } catch (error) {
    await lock.release();
    await endpoint?.cleanup();
    throw error;
  }
}

async function assemble(
  options: OpenCoreOptions,
  role: 'daemon' | 'command',
  logger: Logger,
  files: ReturnType<typeof dataFiles>,
  endpoint: ControlEndpoint | null,
  lock: HeldLock,
): Promise<OpenedCore> {
  const settings = new SettingsStore(options.settingsBackend ?? createConfBackend(options.home), options.env ?? process.env);
  settings.read(); // a broken settings file is reported before anything else happens
  const secrets = options.secretStore ?? new KeytarSecretStore();
  const vault = await Vault.open(files.vault, secrets);
  await migrateWholeMsalCache(vault);

  let msal: MsalPort | null = null;
  const microsoft = createMicrosoftProvider({
    client: () => (msal ??= buildMsal(settings.read(), vault, logger, options.msalNetworkClient)),
    cloud: () => settings.read().cloud,
    clientId: () => settings.read().clientId,
  });
  let googleClient: GoogleClient | null = null;
  const google = createGoogleProvider({
    client: () => (googleClient ??= buildGoogle(settings.read(), vault, options.googleFetch)),
    clientId: () => settings.read()['google.clientId'],
    hasClientSecret: () => Boolean(vault.document.clientSecrets?.google),
  });
  const providers: IdentityProviders = (id): IdentityProvider => {
    switch (id) {
      case 'microsoft':
        return microsoft;
      case 'google':
        return google;
    }
  };
  let service: TokentrayService | null = null;
  const broker = new TokenBroker({
    providers,
    logger: logger.child('broker'),
    ...(options.now ? { now: options.now } : {}),
    onChange: () => service?.notifyChanged(),
    onTokenObtained: (id, token) => service?.recordTokenObtained(id, token),
    signInTarget: (provider) => signInTargetFor(provider, settings.read()),
  });

  const server = role === 'daemon' ? new AuthServerManager(settings, vault, broker, logger.child('auth-server'), () => service?.notifyRequestServed()) : null;

  const emailengine = new EmailEngineLink({
    vault,
    serverUrl: () => service!.serverUrl(),
    settings: () => settings.read(),
    accounts: () => service?.registrationInputs() ?? [],
    logger: logger.child('emailengine'),
    onChange: () => service?.notifyChanged(),
    ...(options.now ? { now: options.now } : {}),
  });

  service = new TokentrayService({
    vault,
    settings,
    broker,
    providers,
    resetProviders: () => {
      msal = null;
      googleClient = null;
    },
    server,
    generateCredentials: generateServerCredentials,
    formatServerUrl: serverUrlFor,
    ...(options.serverRetryMs !== undefined ? { serverRetryMs: options.serverRetryMs } : {}),
    diagnose: (): Promise<DiagnosticReport> =>
      runDiagnostics({
        secrets,
        vaultPath: files.vault,
        settings: settings.read(),
        server: server?.status() ?? null,
        status: (): Promise<StatusReport> => service!.status(),
        emailEngine: (): Promise<EmailEngineStatus> => service!.emailEngineStatus(true),
        ...(options.msalNetworkClient ? { httpGet: networkClientGet(options.msalNetworkClient) } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    logger: logger.child('core'),
    emailengine,
    ...(options.now ? { now: options.now } : {}),
  });
  const core = service;

  let control: { close(): Promise<void> } | null = null;
  const baseStart = core.start.bind(core);
  const baseClose = core.close.bind(core);
  let closed = false;

  return Object.assign(core, {
    start: async () => {
      try {
        await baseStart();
      } finally {
        // Even when the auth server could not start, commands must reach this daemon (to
        // change the port, say) rather than find a lock they cannot talk to.
        if (endpoint && !control && vault.keyMaterial) {
          control = await startControlServer({
            endpoint: endpoint.endpoint,
            vaultKey: () => vault.keyMaterial,
            api: core,
            logger: logger.child('control'),
          });
        }
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await control?.close();
      await baseClose();
      await lock.release();
      await endpoint?.cleanup();
    },
  });
}

/** The doctor's authority check through the network client MSAL is given (same trust, same proxy). */
function networkClientGet(client: INetworkModule): HttpGet {
  return async (url, timeoutMs) => ({ status: (await client.sendGetRequestAsync(url, {}, timeoutMs)).status });
}

/** Runs the auth server with the current settings; restartable after a settings change. */
class AuthServerManager implements AuthServerControl {
  readonly #log = new RequestLog();
  #stopRequestLines: (() => void) | null = null;
  #server: AuthServer | null = null;
  #error: string | null = null;

  constructor(
    private readonly settings: SettingsStore,
    private readonly vault: Vault,
    private readonly broker: TokenBroker,
    private readonly logger: Logger,
    onRecord: () => void,
  ) {
    this.#log.onRecord(onRecord);
  }

  async start(): Promise<void> {
    await this.stop();
    this.#stopRequestLines = logRequestLines(this.#log, this.logger);
    const settings = this.settings.read();
    try {
      this.#server = await startAuthServer({
        host: settings.host,
        port: settings.port,
        allowedClients: settings.allowedClients,
        credentials: () => {
          const credentials = this.vault.document.serverCredentials;
          if (!credentials) throw new TokentrayError('INTERNAL', 'The auth-server secret is missing from the vault.');
          return credentials;
        },
        tokenSource: this.broker,
        recorder: this.#log,
        logger: this.logger,
      });
      this.#error = null;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.close();
    this.#stopRequestLines?.();
    this.#stopRequestLines = null;
  }

  status(): StatusReport['server'] {
    return { running: this.#server !== null, url: this.#server?.url ?? null, error: this.#error };
  }

  latestRequestFor(accountId: string): RequestRecord | null {
    return this.#log.latestFor(accountId);
  }

  recentRequests(limit: number): RequestRecord[] {
    return this.#log.recent(limit);
  }

  requestsSince(after: number | null, limit: number): ActivityPage {
    return this.#log.since(after, limit);
  }
}
