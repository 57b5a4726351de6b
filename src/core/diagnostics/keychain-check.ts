/**
 * Doctor: the OS keychain is reachable and unlocked (a probe item is written, read back and
 * deleted; a read alone cannot tell a locked keyring from a missing item on libsecret).
 */
import { randomBytes } from 'node:crypto';
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import type { SecretStore } from '../storage/secret-store.js';
import { failed, failedWith, passed } from './check-result.js';

const HEAD = { id: 'keychain', title: 'OS keychain' } as const;
export const KEYCHAIN_PROBE_ACCOUNT = 'doctor-probe';

export async function checkKeychain(secrets: SecretStore): Promise<DiagnosticCheck> {
  const value = randomBytes(8).toString('hex');
  try {
    await secrets.set(KEYCHAIN_PROBE_ACCOUNT, value);
    const read = await secrets.get(KEYCHAIN_PROBE_ACCOUNT);
    await secrets.delete(KEYCHAIN_PROBE_ACCOUNT);
    if (read !== value) return failed(HEAD, 'KEYCHAIN_UNAVAILABLE', 'The keychain accepted an item but did not give it back.');
    return passed(HEAD, 'reachable and unlocked');
  } catch (error) {
    return failedWith(HEAD, error);
  }
}
