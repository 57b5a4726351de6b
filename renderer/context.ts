/** What every view gets from the app: the client, the store, and shared UI services. */
import type { WindowView } from '../src/shared/ipc-contract.js';
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
  showView(view: WindowView, options?: { focus?: 'tab' | 'panel' }): void;
  /** A short message in the status area (read out politely); errors are read out at once. */
  announce(message: string, kind?: 'info' | 'error'): void;
  confirm(options: ConfirmOptions): Promise<boolean>;
  /** Copies plain text through main and says so. */
  copy(text: string, what: string): Promise<void>;
}
