/**
 * A SecretStore held in a Map, with switches for the keychain states users really hit.
 *
 * `state` decides how every call answers: 'unlocked' works; 'locked' and 'unavailable' throw
 * the TokentrayErrors the keytar adapter throws (KEYCHAIN_LOCKED, KEYCHAIN_UNAVAILABLE);
 * 'locked-reads-as-missing' is libsecret's behaviour with a locked collection: reads answer
 * "not found" (null) and only writes fail with KEYCHAIN_LOCKED. Every call is recorded.
 */
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import type { SecretStore } from '../../src/core/storage/secret-store.js';

export type KeychainState = 'unlocked' | 'locked' | 'locked-reads-as-missing' | 'unavailable';

export interface SecretStoreCall {
  op: 'get' | 'set' | 'delete';
  account: string;
}

export class InMemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();
  readonly calls: SecretStoreCall[] = [];
  state: KeychainState = 'unlocked';

  /** Accounts written with `set`, in order (including failed attempts). */
  get setAccounts(): string[] {
    return this.calls.filter((call) => call.op === 'set').map((call) => call.account);
  }

  async get(account: string): Promise<string | null> {
    this.calls.push({ op: 'get', account });
    if (this.state === 'locked-reads-as-missing') return null;
    this.#failIfUnusable();
    return this.entries.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.calls.push({ op: 'set', account });
    this.#failIfUnusable();
    this.entries.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    this.calls.push({ op: 'delete', account });
    this.#failIfUnusable();
    return this.entries.delete(account);
  }

  #failIfUnusable(): void {
    switch (this.state) {
      case 'unlocked':
        return;
      case 'locked':
      case 'locked-reads-as-missing':
        throw new TokentrayError('KEYCHAIN_LOCKED', 'The OS keychain is locked (InMemorySecretStore).');
      case 'unavailable':
        throw new TokentrayError('KEYCHAIN_UNAVAILABLE', 'The OS keychain is not available (InMemorySecretStore).');
    }
  }
}
