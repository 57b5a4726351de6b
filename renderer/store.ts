/**
 * The window's state: the last status report, settings and request log from main, plus the
 * sign-ins this window started. Views subscribe and re-render what changed.
 */
import type { AccountStatus, RequestRecord, StatusReport } from '../src/shared/account-status.js';
import type { Settings } from '../src/shared/settings-shape.js';
import type { ConnectRequest } from '../src/shared/tokentray-api.js';
import type { WindowClient } from './client.js';

export interface AppState {
  report: StatusReport | null;
  settings: Settings | null;
  requests: RequestRecord[];
  /** Account ids whose browser sign-in this window is waiting for. */
  signingIn: ReadonlySet<string>;
}

/** How many request records the Activity view shows. */
export const ACTIVITY_LIMIT = 100;

export class Store {
  #state: AppState = { report: null, settings: null, requests: [], signingIn: new Set() };
  readonly #listeners = new Set<(state: AppState) => void>();
  readonly #client: WindowClient;

  constructor(client: WindowClient) {
    this.#client = client;
  }

  get state(): AppState {
    return this.#state;
  }

  subscribe(listener: (state: AppState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  update(patch: Partial<AppState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }

  async loadAll(): Promise<void> {
    const [report, settings, requests] = await Promise.all([this.#client.status(), this.#client.getSettings(), this.#client.recentRequests(ACTIVITY_LIMIT)]);
    this.update({ report, settings, requests });
  }

  async loadReport(): Promise<void> {
    this.update({ report: await this.#client.status() });
  }

  async loadRequests(): Promise<void> {
    this.update({ requests: await this.#client.recentRequests(ACTIVITY_LIMIT) });
  }

  async loadSettings(): Promise<Settings> {
    const settings = await this.#client.getSettings();
    this.update({ settings });
    return settings;
  }

  /** Starts a browser sign-in through main; the id shows as "waiting" until it settles. */
  signIn(request: ConnectRequest): Promise<AccountStatus> {
    return this.#whileSigningIn(request.id, () => this.#client.connectAccount(request));
  }

  /** Follows a sign-in main already has under way (begun in a window since closed). */
  awaitSignIn(id: string): Promise<AccountStatus> {
    return this.#whileSigningIn(id, () => this.#client.awaitSignIn(id));
  }

  async #whileSigningIn(id: string, signIn: () => Promise<AccountStatus>): Promise<AccountStatus> {
    this.update({ signingIn: new Set([...this.#state.signingIn, id]) });
    try {
      const account = await signIn();
      await this.loadReport().catch(() => undefined);
      return account;
    } finally {
      const rest = new Set(this.#state.signingIn);
      rest.delete(id);
      this.update({ signingIn: rest });
    }
  }
}
