/**
 * The window's state: the last status report, settings and request log from main, plus the
 * sign-ins under way: those this window started and those main reports (begun from the tray,
 * a notification, or a window since closed). Views subscribe and re-render what changed.
 */
import type { AccountStatus, RequestRecord, StatusReport } from '../src/shared/account-status.js';
import type { Settings } from '../src/shared/settings-shape.js';
import type { ConnectRequest } from '../src/shared/tokentray-api.js';
import type { WindowClient } from './client.js';

export interface AppState {
  report: StatusReport | null;
  settings: Settings | null;
  requests: RequestRecord[];
  /** Account ids with a sign-in under way, whoever started it. */
  signingIn: ReadonlySet<string>;
}

/** How many request records the Activity view shows. */
export const ACTIVITY_LIMIT = 100;

export class Store {
  #state: AppState = { report: null, settings: null, requests: [], signingIn: new Set() };
  readonly #listeners = new Set<(state: AppState) => void>();
  readonly #client: WindowClient;
  /** Sign-ins this window is following, until their call settles. */
  readonly #following = new Set<string>();
  /** Sign-ins main last said it has under way. */
  #underWay: ReadonlySet<string> = new Set();

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
    const [report, settings, requests, pending] = await Promise.all([
      this.#client.status(),
      this.#client.getSettings(),
      this.#client.recentRequests(ACTIVITY_LIMIT),
      this.#client.pendingSignIns().catch(() => []),
    ]);
    this.#underWay = new Set(pending.map((session) => session.id));
    this.update({ report, settings, requests, signingIn: this.#signingIn() });
  }

  /** main's word on which sign-ins are under way (sent after every change). */
  setSignInsUnderWay(ids: readonly string[]): void {
    this.#underWay = new Set(ids);
    this.update({ signingIn: this.#signingIn() });
  }

  #signingIn(): ReadonlySet<string> {
    return new Set([...this.#following, ...this.#underWay]);
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
    this.#following.add(id);
    this.update({ signingIn: this.#signingIn() });
    try {
      const account = await signIn();
      await this.loadReport().catch(() => undefined);
      return account;
    } finally {
      this.#following.delete(id);
      this.update({ signingIn: this.#signingIn() });
    }
  }
}
