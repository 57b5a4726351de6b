/**
 * MSAL's cache split per identity, against the real MSAL and the local identity provider
 * (which makes refresh tokens single-use, like Entra's rotation).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scopesFor } from '../../../../src/core/identity/microsoft/clouds.js';
import type { PartitionedTokenClient } from '../../../../src/core/identity/microsoft/partitioned-token-client.js';
import { migrateWholeMsalCache } from '../../../../src/core/identity/microsoft/vault-partition-store.js';
import type { TokenResult } from '../../../../src/core/identity/identity-provider.js';
import { Vault } from '../../../../src/core/storage/vault.js';
import { InMemorySecretStore } from '../../../fakes/in-memory-secret-store.js';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../../../support/identity-provider/index.js';
import { partitionedClientFor } from '../../../support/identity-provider/partitioned-client.js';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const SCOPES = scopesFor('global', 'outlook');

function refreshTokensOf(partition: string): string[] {
  return Object.values((JSON.parse(partition) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken).map((rt) => rt.secret);
}

describe('PartitionedTokenClient (real MSAL, local identity provider)', () => {
  let idp: TestIdentityProvider;
  let dir: string;
  const secrets = new InMemorySecretStore();

  function clientOver(vault: Vault): PartitionedTokenClient {
    return partitionedClientFor(idp, vault);
  }

  function signIn(client: PartitionedTokenClient, username: string): Promise<TokenResult> {
    return client.acquireInteractive({
      scopes: SCOPES,
      loginHint: username,
      successPage: 'ok',
      errorPage: 'error',
      signal: new AbortController().signal,
      openBrowser: async (url) => void completeSignIn(url, { username, caCertPem: idp.caCertPem }),
    });
  }

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE }, { username: BOB }] });
    dir = await mkdtemp(join(tmpdir(), 'tokentray-partitions-'));
  });

  after(async () => {
    await idp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps one partition per identity, refreshes and rotates each without touching the other', async () => {
    const path = join(dir, 'split.bin');
    const vault = await Vault.open(path, secrets);
    const client = clientOver(vault);
    const alice = await signIn(client, ALICE);
    const bob = await signIn(client, BOB);
    const partitions = vault.document.msalPartitions ?? {};
    assert.deepEqual(Object.keys(partitions).sort(), [alice.homeAccountId, bob.homeAccountId].sort());
    assert.equal(vault.document.msalCache, '');
    for (const [home, partition] of Object.entries(partitions)) {
      const other = home === alice.homeAccountId ? bob.homeAccountId : alice.homeAccountId;
      assert.ok(!partition.includes(other), 'a partition holds only its own identity');
      assert.equal(refreshTokensOf(partition).length, 1);
    }

    // What the broker serves at start, read without MSAL, is what MSAL issued.
    assert.equal(client.cachedToken(alice.homeAccountId, SCOPES)?.accessToken, alice.accessToken);
    assert.equal(client.cachedToken(bob.homeAccountId, SCOPES)?.accessToken, bob.accessToken);

    const bobBefore = vault.document.msalPartitions![bob.homeAccountId];
    const aliceRefreshToken = refreshTokensOf(vault.document.msalPartitions![alice.homeAccountId]!)[0];
    const refreshed = await client.acquireSilent(alice.homeAccountId, SCOPES, true);
    assert.notEqual(refreshed.accessToken, alice.accessToken);
    assert.equal(refreshed.fromCache, false);
    assert.equal(vault.document.msalPartitions![bob.homeAccountId], bobBefore, "bob's partition is untouched");

    // The rotated refresh token is on disk by the time the new access token is returned.
    const onDisk = (await Vault.open(path, secrets)).document.msalPartitions![alice.homeAccountId]!;
    assert.notDeepEqual(refreshTokensOf(onDisk), [aliceRefreshToken]);
    assert.ok(onDisk.includes(refreshed.accessToken));

    // Bob, served by a lane that just held Alice, still finds only his own tokens.
    const bobRefreshed = await client.acquireSilent(bob.homeAccountId, SCOPES, true);
    assert.equal(bobRefreshed.username, BOB);
    assert.ok(!vault.document.msalPartitions![bob.homeAccountId]!.includes(alice.homeAccountId));
  });

  it('runs concurrent refreshes of one identity one after another, so a single-use refresh token is never raced', async () => {
    const vault = await Vault.open(join(dir, 'race.bin'), secrets);
    const client = clientOver(vault);
    const alice = await signIn(client, ALICE);
    const results = await Promise.all(Array.from({ length: 5 }, () => client.acquireSilent(alice.homeAccountId, SCOPES, true)));
    assert.equal(new Set(results.map((result) => result.accessToken)).size, 5, 'five real refreshes, none refused');
    await vault.flush();
    assert.equal(refreshTokensOf(vault.document.msalPartitions![alice.homeAccountId]!).length, 1);
  });

  it('migrates a vault with the whole cache in one blob, and refreshes from it', async () => {
    const source = await Vault.open(join(dir, 'source.bin'), secrets);
    const signer = clientOver(source);
    const alice = await signIn(signer, ALICE);
    const bob = await signIn(signer, BOB);
    // The old format: every identity's entities in one serialized cache.
    const whole: Record<string, Record<string, unknown>> = { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} };
    for (const partition of Object.values(source.document.msalPartitions!)) {
      const parsed = JSON.parse(partition) as Record<string, Record<string, unknown>>;
      for (const section of Object.keys(whole)) Object.assign(whole[section]!, parsed[section]);
    }
    const path = join(dir, 'old.bin');
    const old = await Vault.open(path, secrets);
    await old.update((doc) => {
      doc.msalCache = JSON.stringify(whole);
    });

    const reopened = await Vault.open(path, secrets);
    await migrateWholeMsalCache(reopened);
    assert.equal(reopened.document.msalCache, '');
    assert.deepEqual(Object.keys(reopened.document.msalPartitions ?? {}).sort(), [alice.homeAccountId, bob.homeAccountId].sort());
    const client = clientOver(reopened);
    assert.equal((await client.acquireSilent(bob.homeAccountId, SCOPES, true)).username, BOB);
    assert.equal((await client.acquireSilent(alice.homeAccountId, SCOPES, true)).username, ALICE);
    assert.equal((await Vault.open(path, secrets)).document.msalCache, '', 'the migration is on disk');
  });

  it('forgets an identity by dropping its partition only', async () => {
    const vault = await Vault.open(join(dir, 'remove.bin'), secrets);
    const client = clientOver(vault);
    const alice = await signIn(client, ALICE);
    const bob = await signIn(client, BOB);
    await client.removeAccount(alice.homeAccountId);
    assert.deepEqual(Object.keys(vault.document.msalPartitions ?? {}), [bob.homeAccountId]);
    await assert.rejects(client.acquireSilent(alice.homeAccountId, SCOPES, true), (error: { errorCode?: string }) => error.errorCode === 'no_account_found');
  });
});
