/**
 * tokentray pointed at the local identity provider: in-process (a core in a temp data
 * directory) or for child processes (the environment of the `tokentray` command).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { silentLogger } from '../../src/core/logging/logger.js';
import { openCore, type OpenedCore } from '../../src/core/open-core.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import type { SecretStore } from '../../src/core/storage/secret-store.js';
import { Vault } from '../../src/core/storage/vault.js';
import { createTrustingNetworkClient, type TestIdentityProvider } from './identity-provider/index.js';
import { memorySettings } from './memory-settings.js';

/** The environment that makes the `tokentray` command use `idp` and the data directory `home`. */
export function cliEnvironment(idp: TestIdentityProvider, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TOKENTRAY_HOME: home,
    TOKENTRAY_CLIENT_ID: idp.clientId,
    TOKENTRAY_AUTHORITY: idp.authority,
    TOKENTRAY_PORT: '0',
    NODE_EXTRA_CA_CERTS: idp.caCertPath,
    ...extra,
  };
}

export interface TestCore {
  core: OpenedCore;
  home: string;
  /** Closes the core and removes its data directory and its vault key. */
  dispose(): Promise<void>;
}

/** A started daemon-role core in a temp directory, trusting `idp`'s certificate. */
export async function startTestCore(idp: TestIdentityProvider, options: { prefix: string; secretStore?: SecretStore }): Promise<TestCore> {
  const home = await mkdtemp(join(tmpdir(), `tokentray-${options.prefix}-`));
  const core = await openCore({
    home,
    role: 'daemon',
    logger: silentLogger,
    settingsBackend: memorySettings({ clientId: idp.clientId, authority: idp.authority, port: 0 }),
    msalNetworkClient: createTrustingNetworkClient(idp.caCertPem),
    ...(options.secretStore ? { secretStore: options.secretStore } : {}),
  });
  await core.start();
  return {
    core,
    home,
    dispose: async () => {
      await core.close();
      // Takes the vault key out of the keychain along with the vault.
      await Vault.reset(dataFiles(home).vault, options.secretStore ?? new KeytarSecretStore());
      await rm(home, { recursive: true, force: true });
    },
  };
}
