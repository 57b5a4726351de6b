/**
 * MSAL's cache partitions inside the encrypted vault (the vault stays their only writer).
 */
import { deleteOwnValue, ownValue, setOwnValue } from '../../../shared/account-id.js';
import type { Vault } from '../../storage/vault.js';
import { splitCacheByIdentity } from './msal-cache-partitions.js';
import type { PartitionStore } from './partitioned-token-client.js';

export function vaultPartitionStore(vault: Vault): PartitionStore {
  return {
    get: (homeAccountId) => {
      const partitions = vault.document.msalPartitions;
      return (partitions && ownValue(partitions, homeAccountId)) || '';
    },
    put: (partitions) =>
      vault.update((doc) => {
        doc.msalPartitions ??= {};
        for (const [home, partition] of partitions) setOwnValue(doc.msalPartitions, home, partition);
      }),
    delete: async (homeAccountId) => {
      if (!vault.document.msalPartitions || !Object.hasOwn(vault.document.msalPartitions, homeAccountId)) return;
      await vault.update((doc) => {
        if (doc.msalPartitions) deleteOwnValue(doc.msalPartitions, homeAccountId);
      });
    },
  };
}

/**
 * Moves a vault written before partitions (one `msalCache` blob) to one partition per
 * identity, in one durable write. A partition that already exists is newer and kept.
 */
export async function migrateWholeMsalCache(vault: Vault): Promise<void> {
  if (!vault.document.msalCache) return;
  const split = splitCacheByIdentity(vault.document.msalCache);
  await vault.update((doc) => {
    doc.msalPartitions ??= {};
    for (const [home, partition] of split) if (!Object.hasOwn(doc.msalPartitions, home)) setOwnValue(doc.msalPartitions, home, partition);
    doc.msalCache = '';
  });
}
