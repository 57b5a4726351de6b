/**
 * Data directories with N accounts signed in for real: each account a distinct user of the
 * local identity provider, signed in through MSAL's interactive flow (auth code + PKCE) into
 * a vault whose key is in the OS keychain. Made once, then copied per size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerCredentials } from '../../src/core/auth-server/index.js';
import type { TokenResult } from '../../src/core/identity/identity-provider.js';
import { scopesFor } from '../../src/core/identity/microsoft/clouds.js';
import { vaultPartitionStore } from '../../src/core/identity/microsoft/vault-partition-store.js';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault, type AccountRecord } from '../../src/core/storage/vault.js';
import { completeSignIn, type TestIdentityProvider } from './identity-provider/index.js';
import { partitionedClientFor } from './identity-provider/partitioned-client.js';

/** Sign-ins in flight at once (each holds a loopback listener and a provider session). */
const SIGN_IN_CONCURRENCY = 8;
const SCOPES = scopesFor('global', 'outlook');

export interface SignedIn {
  record: AccountRecord;
  partition: string;
}

export function benchUsername(index: number): string {
  return `user${index}@contoso.test`;
}

export function accountIdOf(index: number): string {
  return `acc-${index}`;
}

/** Signs users 0..count-1 of `idp` in (users must be named as benchUsername gives). */
export async function signInUsers(idp: TestIdentityProvider, count: number): Promise<SignedIn[]> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'tokentray-mint-'));
  const scratch = await Vault.open(join(scratchDir, 'vault.bin'), new KeytarSecretStore());
  const client = partitionedClientFor(idp, scratch);
  const results: SignedIn[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const username = benchUsername(index);
      const result: TokenResult = await client.acquireInteractive({
        scopes: SCOPES,
        loginHint: username,
        successPage: 'ok',
        errorPage: 'error',
        signal: new AbortController().signal,
        openBrowser: async (url) => void completeSignIn(url, { username, caCertPem: idp.caCertPem }),
      });
      results[index] = {
        record: {
          id: accountIdOf(index),
          provider: 'microsoft',
          profile: 'outlook',
          homeAccountId: result.homeAccountId,
          username: result.username,
          sharedMailbox: null,
          createdAt: Date.now(),
          lastToken: { obtainedAt: Date.now(), expiresAt: result.expiresAt },
        },
        partition: '',
      };
    }
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, worker));
  await scratch.flush();
  for (const signedIn of results) signedIn.partition = vaultPartitionStore(scratch).get(signedIn.record.homeAccountId);
  await Vault.reset(join(scratchDir, 'vault.bin'), new KeytarSecretStore());
  await rm(scratchDir, { recursive: true, force: true });
  return results;
}

/**
 * A data directory whose vault holds these accounts and an auth-server secret. `layout`
 * 'whole' writes MSAL's cache as one blob (the format before partitions), to measure the
 * old code on the same sign-ins.
 */
export async function writeHome(accounts: readonly SignedIn[], layout: 'partitions' | 'whole' = 'partitions'): Promise<{ home: string; credentials: { username: string; password: string } }> {
  const home = await mkdtemp(join(tmpdir(), 'tokentray-bench-home-'));
  const vault = await Vault.open(dataFiles(home).vault, new KeytarSecretStore());
  const credentials = generateServerCredentials();
  await vault.update((doc) => {
    doc.serverCredentials = credentials;
    for (const { record } of accounts) doc.accounts[record.id] = record;
    if (layout === 'partitions') {
      doc.msalPartitions = Object.fromEntries(accounts.map(({ record, partition }) => [record.homeAccountId, partition]));
    } else {
      const whole: Record<string, Record<string, unknown>> = { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} };
      for (const { partition } of accounts) {
        const parsed = JSON.parse(partition) as Record<string, Record<string, unknown>>;
        for (const section of Object.keys(whole)) Object.assign(whole[section]!, parsed[section]);
      }
      doc.msalCache = JSON.stringify(whole);
    }
  });
  return { home, credentials };
}
