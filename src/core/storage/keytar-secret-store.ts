/**
 * The SecretStore over keytar (macOS Keychain, Windows Credential Manager, libsecret).
 *
 * keytar is archived upstream (7.9.0 is the last release), which is why it stays behind the
 * SecretStore port: swapping the backend touches this file only.
 */
import { createRequire } from 'node:module';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store.js';

interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

// libsecret / D-Bus messages that mean "the keyring is there but locked" (or the unlock
// prompt was dismissed); everything else means "there is no usable keyring".
const LOCKED = /locked|IsLocked|prompt.*(dismiss|cancel)|dismissed|user canceled|interaction is not allowed/i;

export function translateKeychainError(error: unknown, action: string): TokentrayError {
  const text = error instanceof Error ? error.message : String(error);
  if (LOCKED.test(text)) {
    return new TokentrayError('KEYCHAIN_LOCKED', `The OS keychain is locked, so tokentray could not ${action} (${text}).`, { cause: error });
  }
  return new TokentrayError('KEYCHAIN_UNAVAILABLE', `The OS keychain is not available, so tokentray could not ${action} (${text}).`, {
    cause: error,
  });
}

function loadKeytar(): KeytarModule {
  try {
    // keytar is a CommonJS native addon; require() keeps a broken build a catchable error.
    return createRequire(import.meta.url)('keytar') as KeytarModule;
  } catch (error) {
    throw translateKeychainError(error, 'load the keychain module (keytar)');
  }
}

export class KeytarSecretStore implements SecretStore {
  readonly #service: string;
  #keytar: KeytarModule | null = null;

  constructor(service = KEYCHAIN_SERVICE) {
    this.#service = service;
  }

  #module(): KeytarModule {
    this.#keytar ??= loadKeytar();
    return this.#keytar;
  }

  async get(account: string): Promise<string | null> {
    try {
      return await this.#module().getPassword(this.#service, account);
    } catch (error) {
      throw error instanceof TokentrayError ? error : translateKeychainError(error, 'read the vault key');
    }
  }

  async set(account: string, secret: string): Promise<void> {
    try {
      await this.#module().setPassword(this.#service, account, secret);
    } catch (error) {
      throw error instanceof TokentrayError ? error : translateKeychainError(error, 'store the vault key');
    }
  }

  async delete(account: string): Promise<boolean> {
    try {
      return await this.#module().deletePassword(this.#service, account);
    } catch (error) {
      throw error instanceof TokentrayError ? error : translateKeychainError(error, 'delete the vault key');
    }
  }
}
