/** What every view gets from the app: the client, the store, and shared UI services. */
import type { WindowView } from '../src/shared/ipc-contract.js';
import type { ProviderId } from '../src/shared/providers.js';
import type { ConnectRequest } from '../src/shared/tokentray-api.js';
import type { WindowClient } from './client.js';
import type { Store } from './store.js';

export interface ConfirmOptions {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
}

export interface AppContext {
  client: WindowClient;
  store: Store;
  now(): number;
  /** `section`: in Settings, the provider section to show (and focus what it is missing). */
  showView(view: WindowView, options?: { focus?: 'tab' | 'panel'; section?: ProviderId }): void;
  /** A short message in the status area (read out politely); errors are read out at once. */
  announce(message: string, kind?: 'info' | 'error'): void;
  confirm(options: ConfirmOptions): Promise<boolean>;
  /** Opens Connect and signs `request`'s account in with a code on another device (Microsoft). */
  signInWithCode(request: ConnectRequest): void;
  /** Copies plain text through main and says so. */
  copy(text: string, what: string): Promise<void>;
}
