/**
 * The core as seen from another process: a TokentrayCore that drives a running daemon.
 *
 * When `tokentray serve` already owns the data directory, the tray app attaches to it
 * instead of refusing to start: every call goes through the control channel, and status
 * changes are noticed by polling (the channel is request/response only).
 */
import type { StatusReport } from '../../shared/account-status.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokentrayApi } from '../../shared/tokentray-api.js';
import type { ControlClient } from './control-client.js';
import { verifyControlEndpoint } from './control-peer.js';
import { KeytarSecretStore } from '../storage/keytar-secret-store.js';
import { dataFiles, ensureDataDirectory } from '../storage/paths.js';
import { isLockLive, readLock } from '../storage/process-lock.js';
import type { SecretStore } from '../storage/secret-store.js';
import type { TokentrayCore } from '../tokentray-core.js';
import { readVaultKey, type VaultKeyMaterial } from '../storage/vault.js';

/** How often an attached shell asks the daemon for its status. */
export const REMOTE_STATUS_POLL_MS = 2_000;

/**
 * A client for the daemon running on `home`, or null when none runs there.
 *
 * A lock naming a process that no longer runs tokentray (crashed, or a reboot gave its pid
 * to another program) means no daemon. The endpoint it names is checked before every
 * connection (control-peer.ts), and the handshake proves the daemon holds the vault key.
 *
 * Once the endpoint has passed, the keychain read (on Linux a D-Bus exchange with the
 * Secret Service, in a worker thread) and the first connection's hello run side by side:
 * the hello needs no key, and nothing else is sent before the daemon has proved it holds
 * it. The channel's modules load meanwhile too. A short-lived command saves most of the
 * keychain's wait this way. `early` is that read when the caller began it sooner (main.ts,
 * for the commands a daemon answers), for this data directory's vault.
 */
export async function connectToDaemon(home: string, secrets: SecretStore = new KeytarSecretStore(), early?: Promise<EarlyVaultKey>): Promise<ControlClient | null> {
  const files = dataFiles(home);
  await ensureDataDirectory(home);
  const lock = await readLock(files.lock);
  if (!lock?.control || !isLockLive(files.lock, lock)) return null;
  const endpoint = lock.control;
  const verify = (): Promise<void> => verifyControlEndpoint(endpoint, files.lock);
  await verify();
  // The early read skips the keychain when no daemon was running then; one may have started since.
  const material = early ? early.then((read) => (read === NO_DAEMON_SEEN ? readVaultKey(files.vault, secrets) : read)) : readVaultKey(files.vault, secrets);
  const key = material.then((material) => {
    if (!material) throw new TokentrayError('DAEMON_UNREACHABLE', 'A tokentray daemon is running but has not created its vault yet.');
    return material.key;
  });
  key.catch(() => undefined); // thrown below; the early connection ends with it too
  const { ControlClient } = await import('./control-client.js');
  const client = new ControlClient(endpoint, key, verify);
  client.connectAhead();
  await key;
  return client;
}

/** What the early read found when no daemon was running: nothing was asked of the keychain. */
export const NO_DAEMON_SEEN = 'no-daemon-seen';
export type EarlyVaultKey = VaultKeyMaterial | null | typeof NO_DAEMON_SEEN;

/**
 * Begins reading the vault key of `home`, for connectToDaemon's `early` (main.ts), but only
 * when a daemon is running: without one the command opens the core, which reads the key
 * itself, and a locked keychain would otherwise ask its owner to unlock it twice.
 */
export async function readDaemonVaultKey(home: string, secrets: SecretStore = new KeytarSecretStore()): Promise<EarlyVaultKey> {
  const files = dataFiles(home);
  const lock = await readLock(files.lock);
  if (!lock?.control || !isLockLive(files.lock, lock)) return NO_DAEMON_SEEN;
  return readVaultKey(files.vault, secrets);
}

export class RemoteCore implements TokentrayCore {
  readonly #client: TokentrayApi;
  readonly #pollMs: number;
  readonly #listeners = new Set<(report: StatusReport) => void>();
  #timer: NodeJS.Timeout | null = null;
  #last = '';

  constructor(client: TokentrayApi, pollMs = REMOTE_STATUS_POLL_MS) {
    this.#client = client;
    this.#pollMs = pollMs;
  }

  async start(): Promise<void> {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
    await this.#poll();
  }

  /** Stops watching; the daemon itself keeps running. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  onChange(listener: (report: StatusReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #poll(): Promise<void> {
    let report: StatusReport;
    try {
      report = await this.#client.status();
    } catch {
      report = { accounts: [], server: { running: false, url: null, error: 'The running tokentray (tokentray serve) stopped answering.' } };
    }
    const serialized = JSON.stringify(report);
    if (serialized === this.#last) return;
    this.#last = serialized;
    for (const listener of this.#listeners) listener(report);
  }

  status: TokentrayApi['status'] = () => this.#client.status();
  listAccounts: TokentrayApi['listAccounts'] = () => this.#client.listAccounts();
  connectAccount: TokentrayApi['connectAccount'] = (request, hooks) => this.#client.connectAccount(request, hooks);
  cancelSignIn: TokentrayApi['cancelSignIn'] = (id) => this.#client.cancelSignIn(id);
  removeAccount: TokentrayApi['removeAccount'] = (id, options) => this.#client.removeAccount(id, options);
  getToken: TokentrayApi['getToken'] = (id, proto) => this.#client.getToken(id, proto);
  getSettings: TokentrayApi['getSettings'] = () => this.#client.getSettings();
  setSetting: TokentrayApi['setSetting'] = (key, value) => this.#client.setSetting(key, value);
  serverUrl: TokentrayApi['serverUrl'] = () => this.#client.serverUrl();
  rotateServerSecret: TokentrayApi['rotateServerSecret'] = () => this.#client.rotateServerSecret();
  setClientSecret: TokentrayApi['setClientSecret'] = (provider, secret) => this.#client.setClientSecret(provider, secret);
  recentRequests: TokentrayApi['recentRequests'] = (limit) => this.#client.recentRequests(limit);
  requestActivity: TokentrayApi['requestActivity'] = (after, limit) => this.#client.requestActivity(after, limit);
  runDiagnostics: TokentrayApi['runDiagnostics'] = () => this.#client.runDiagnostics();
  checkEmailEngine: TokentrayApi['checkEmailEngine'] = (request) => this.#client.checkEmailEngine(request);
  connectEmailEngine: TokentrayApi['connectEmailEngine'] = (request) => this.#client.connectEmailEngine(request);
  disconnectEmailEngine: TokentrayApi['disconnectEmailEngine'] = () => this.#client.disconnectEmailEngine();
  emailEngineStatus: TokentrayApi['emailEngineStatus'] = (refresh) => this.#client.emailEngineStatus(refresh);
  emailEngineOrphans: TokentrayApi['emailEngineOrphans'] = () => this.#client.emailEngineOrphans();
  previewEmailEngineRegistration: TokentrayApi['previewEmailEngineRegistration'] = (id, profile) => this.#client.previewEmailEngineRegistration(id, profile);
}
