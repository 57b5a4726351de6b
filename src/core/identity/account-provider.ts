/**
 * Which provider an account record belongs to.
 *
 * Vault records written before tokentray knew more than one provider have no `provider`
 * field: they are Microsoft accounts.
 */
import type { ProviderId } from '../../shared/providers.js';

export function providerOfRecord(record: { provider?: ProviderId | undefined }): ProviderId {
  return record.provider ?? 'microsoft';
}
