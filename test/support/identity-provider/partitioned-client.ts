/**
 * tokentray's real Microsoft token client (per-identity MSAL cache partitions in `vault`),
 * pointed at the local identity provider and trusting its CA: how tests and the bench sign in
 * through MSAL itself.
 */
import { MsalClient } from '../../../src/core/identity/microsoft/msal-client.js';
import { PartitionedTokenClient } from '../../../src/core/identity/microsoft/partitioned-token-client.js';
import { vaultPartitionStore } from '../../../src/core/identity/microsoft/vault-partition-store.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import type { Vault } from '../../../src/core/storage/vault.js';
import type { TestIdentityProvider } from './index.js';
import { createTrustingNetworkClient } from './index.js';

export function partitionedClientFor(idp: TestIdentityProvider, vault: Vault): PartitionedTokenClient {
  return new PartitionedTokenClient({
    clientId: idp.clientId,
    store: vaultPartitionStore(vault),
    createClient: (cachePlugin) =>
      new MsalClient({
        clientId: idp.clientId,
        authority: idp.authority,
        knownAuthorities: [idp.host],
        cachePlugin,
        logger: silentLogger,
        networkClient: createTrustingNetworkClient(idp.caCertPem),
      }),
  });
}
