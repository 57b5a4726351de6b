/**
 * Everything secret tokentray keeps, encrypted with one key that lives in the OS keychain.
 *
 * File layout: "TTV1" | vault id (16 bytes) | IV (12) | AES-256-GCM ciphertext | tag (16).
 * The vault id names the keychain entry ("vault-key/<id>"), so a moved or copied data
 * directory still finds its key, and a missing key is reported, never silently replaced:
 * a new key would orphan every account in the existing file. A file that does not decrypt
 * is reported and left untouched; only `Vault.reset` removes it.
 *
 * Beside the vault, `vault.id` names the vault id in plain text (not a secret). It is what
 * tells "first run" from "vault.bin was moved away" (the id's key is still in the keychain:
 * VAULT_MISSING, and nothing is created in its place, since a new key and a new auth-server
 * secret would silently replace everything), and a damaged header from a lost key (the id in
 * the file has no key but the recorded id has: VAULT_CORRUPT, not VAULT_KEY_MISSING).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { ScopeProfile } from '../../shared/scope-profile.js';
import type { ProviderId } from '../../shared/providers.js';
import { writeFileAtomic } from './atomic-file.js';
import { readOwnFileHeadIfExists, readOwnFileIfExists } from './file-safety.js';
import type { SecretStore } from './secret-store.js';

const MAGIC = Buffer.from('TTV1', 'ascii');
const ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32; // AES-256
const HEADER_BYTES = MAGIC.length + ID_BYTES;

/** What tokentray knows about a connected account (stored encrypted: addresses are personal). */
export interface AccountRecord {
  id: string;
  /** Absent in records written before Google support: those are Microsoft (providerOfRecord). */
  provider?: ProviderId;
  profile: ScopeProfile;
  /** The identity the account is bound to (MSAL homeAccountId, Google `sub`), once signed in. */
  homeAccountId: string;
  username: string;
  sharedMailbox: string | null;
  createdAt: number;
  /**
   * When the access token now in MSAL's cache was obtained: after a restart MSAL cannot say,
   * and the refresh schedule depends on the token's lifetime.
   */
  lastToken?: { obtainedAt: number; expiresAt: number } | null;
  /**
   * The authority and app the account signed in with (absent for accounts connected before
   * this was recorded: set at their next good token). See identity/sign-in-target.ts.
   */
  signedInWith?: SignInTarget;
}

/** Where an account signed in, as recorded in the vault (what it guards: identity/sign-in-target.ts). */
export interface SignInTarget {
  authority: string;
  /** The scopes' resource hosts follow the cloud, even under an authority override. */
  cloud: string;
  clientId: string;
}

/** The connected EmailEngine: its API token is a full-privilege secret, so it lives here only. */
export interface EmailEngineLinkRecord {
  url: string; // EmailEngine's base URL (no credentials)
  token: string;
  /** The EmailEngine OAuth2 app (base scope `api`) Graph accounts name as provider, once created. */
  graphAppId: string | null;
  /** The "gmail" OAuth2 app (base scope `api`) Gmail API accounts name; absent in older vaults. */
  gmailApiAppId?: string | null;
  /** Accounts tokentray registered (or took over) in EmailEngine. */
  managed: string[];
  /** The authServer URL tokentray last set, to tell "still ours" from "changed by someone". */
  authServerSet: string | null;
}

export interface VaultDocument {
  version: 1;
  /**
   * MSAL's serialized token cache as one blob: the format before per-identity partitions.
   * Read once to migrate into `msalPartitions` (see msal-cache-partitions.ts), then ''.
   */
  msalCache: string;
  /**
   * MSAL's token cache split by identity: homeAccountId → that identity's serialized cache.
   * Each refresh reads and writes only its own partition, so its cost does not grow with the
   * number of accounts. Values are replaced whole, never mutated (see cloneForChange).
   */
  msalPartitions?: Record<string, string>;
  serverCredentials: { username: string; password: string } | null;
  /**
   * Set when the auth-server port was found held by another local user: EmailEngine may have
   * sent that program the secret, so a new one is made before the server next listens.
   */
  serverSecretExposed?: boolean;
  accounts: Record<string, AccountRecord>;
  /** Absent in vaults written before EmailEngine could be connected. */
  emailEngine?: EmailEngineLinkRecord | null;
  /**
   * Google's grants per identity and mail scope, keyed "<sub> <mail scope>"
   * (identity/google/google-grant-keys.ts); absent in vaults from before Google support. Vaults
   * of the release before kept one grant per bare `sub`: read for its scope, moved on write.
   */
  googleTokens?: Record<string, GoogleTokenRecord>;
  /**
   * OAuth client secrets per provider. Google's "Desktop app" secret is not confidential by
   * Google's own account, but it is still a secret to us: never in config.json.
   */
  clientSecrets?: { google?: string };
}

/** One Google identity's grant for one mail scope. Google does not rotate refresh tokens: one lives until revoked. */
export interface GoogleTokenRecord {
  refreshToken: string;
  /** When this refresh token was issued: apps in "Testing" status lose it after 7 days. */
  refreshTokenIssuedAt: number;
  accessToken: string | null;
  expiresAt: number; // epoch ms, 0 when no access token is held
  email: string;
  scopes: string[];
}

export function emptyVaultDocument(): VaultDocument {
  return { version: 1, msalCache: '', serverCredentials: null, accounts: {} };
}

/**
 * A copy of the document for a change to work on.
 *
 * Deep for everything small, shallow for the partitions: they are strings, replaced whole,
 * and the bulk of the document at many accounts, so one refresh does not copy all of them.
 */
function cloneForChange(document: VaultDocument): VaultDocument {
  const { msalPartitions, ...rest } = document;
  const copy: VaultDocument = structuredClone(rest);
  if (msalPartitions) copy.msalPartitions = { ...msalPartitions };
  return copy;
}

interface PendingWrite {
  previous: VaultDocument;
  retried?: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

export function keychainAccountFor(vaultId: string): string {
  return `vault-key/${vaultId}`;
}

function encrypt(document: VaultDocument, vaultId: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const header = Buffer.concat([MAGIC, vaultId]);
  cipher.setAAD(header); // the id is authenticated too: a swapped header fails to decrypt
  const body = Buffer.concat([cipher.update(JSON.stringify(document), 'utf8'), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

function corrupt(path: string, why: string, cause?: unknown): TokentrayError {
  return new TokentrayError('VAULT_CORRUPT', `The vault ${path} cannot be read: ${why}.`, { cause, details: { path } });
}

function decrypt(data: Buffer, key: Buffer, path: string): VaultDocument {
  if (data.length < HEADER_BYTES + IV_BYTES + TAG_BYTES) throw corrupt(path, 'the file is truncated');
  const header = data.subarray(0, HEADER_BYTES);
  const iv = data.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const body = data.subarray(HEADER_BYTES + IV_BYTES, data.length - TAG_BYTES);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch (error) {
    throw corrupt(path, 'it does not decrypt with the key in the keychain (wrong key, or the file was damaged)', error);
  }
  const parsed = JSON.parse(plain) as VaultDocument;
  if (parsed.version !== 1) throw corrupt(path, `unknown vault version ${String(parsed.version)}`);
  return parsed;
}

function readVaultId(data: Buffer, path: string): Buffer {
  if (data.length < HEADER_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt(path, 'it is not a tokentray vault (bad header)');
  }
  return Buffer.from(data.subarray(MAGIC.length, HEADER_BYTES));
}


const PROBE_ACCOUNT = 'probe';
const VAULT_ID_HEX = /^[0-9a-f]{32}$/;

/** `vault.bin` → `vault.id`: where the vault's id is recorded in plain text. */
export function vaultIdPathFor(path: string): string {
  return join(dirname(path), `${basename(path).replace(/\.bin$/, '')}.id`);
}

async function readRecordedId(path: string): Promise<string | null> {
  const data = await readOwnFileIfExists(vaultIdPathFor(path));
  const text = data?.toString('utf8').trim() ?? '';
  return VAULT_ID_HEX.test(text) ? text : null;
}

function vaultMissing(path: string): TokentrayError {
  return new TokentrayError('VAULT_MISSING', `The vault ${path} is missing, but its key is still in the OS keychain.`, { details: { path } });
}

async function probeWritable(secrets: SecretStore): Promise<void> {
  await secrets.set(PROBE_ACCOUNT, 'writable');
  await secrets.delete(PROBE_ACCOUNT);
}

/** A vault's id (from its header) and its key (from the keychain). */
export interface VaultKeyMaterial {
  vaultId: Buffer;
  key: Buffer;
}

/**
 * Reads the vault's key from the keychain for the file at `path` (null when there is no file).
 * Used by the vault itself and by the control channel to prove "same user, same keychain".
 */
export async function readVaultKey(path: string, secrets: SecretStore): Promise<VaultKeyMaterial | null> {
  // The header holds the vault's id, all this needs: the rest may be megabytes of accounts.
  const data = await readOwnFileHeadIfExists(path, HEADER_BYTES);
  if (!data) {
    // No file: a first run, unless the recorded vault still has its key (the file was moved).
    const recorded = await readRecordedId(path);
    if (recorded !== null && (await secrets.get(keychainAccountFor(recorded))) !== null) throw vaultMissing(path);
    return null;
  }
  const vaultId = readVaultId(data, path);
  const encoded = await secrets.get(keychainAccountFor(vaultId.toString('hex')));
  if (encoded === null) {
    // libsecret answers "not found" for a locked or missing collection too; a probe write
    // tells those apart, so a locked keyring is never reported as a lost key.
    await probeWritable(secrets);
    const recorded = await readRecordedId(path);
    if (recorded !== null && recorded !== vaultId.toString('hex') && (await secrets.get(keychainAccountFor(recorded))) !== null) {
      throw corrupt(path, 'its header is damaged (the vault id in it has no key, the recorded one has)');
    }
    throw new TokentrayError('VAULT_KEY_MISSING', `The key for the vault ${path} is not in the OS keychain.`, { details: { path } });
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES) throw new TokentrayError('VAULT_KEY_MISSING', 'The vault key in the OS keychain is malformed.', { details: { path } });
  return { vaultId, key };
}

export class Vault {
  readonly #path: string;
  readonly #secrets: SecretStore;
  #vaultId: Buffer | null;
  #key: Buffer | null;
  #document: VaultDocument;
  /** Updates applied in memory and waiting for the next write (group commit). */
  #pending: PendingWrite[] = [];
  #writing: Promise<void> | null = null;
  #idRecorded = false;

  private constructor(path: string, secrets: SecretStore, vaultId: Buffer | null, key: Buffer | null, document: VaultDocument) {
    this.#path = path;
    this.#secrets = secrets;
    this.#vaultId = vaultId;
    this.#key = key;
    this.#document = document;
  }

  /**
   * Opens (decrypts) the vault at `path`. A missing file is an empty vault on a first run:
   * the key and the file are created on the first write (merely looking at status touches
   * no keychain unless `vault.id` says a vault existed). A missing file whose key is still in
   * the keychain is VAULT_MISSING.
   */
  static async open(path: string, secrets: SecretStore): Promise<Vault> {
    const material = await readVaultKey(path, secrets);
    if (!material) return new Vault(path, secrets, null, null, emptyVaultDocument());
    const data = await readOwnFileIfExists(path);
    if (!data) throw vaultMissing(path); // removed between the two reads
    const vault = new Vault(path, secrets, material.vaultId, material.key, decrypt(data, material.key, path));
    vault.#idRecorded = (await readRecordedId(path)) === material.vaultId.toString('hex');
    return vault;
  }

  /**
   * Starts over: the old file is kept beside as `<vault>.reset-<time>` (never deleted, in
   * case the key turns up again) and its keychain entry removed if it can be read.
   */
  static async reset(path: string, secrets: SecretStore, now = Date.now()): Promise<string | null> {
    const data = await readOwnFileIfExists(path);
    const idPath = vaultIdPathFor(path);
    // The id goes too, so the next start is a first run (the old key stays, for the old file).
    if (await readOwnFileIfExists(idPath)) await rename(idPath, `${idPath}.reset-${now}`);
    if (!data) return null;
    const keptAs = `${path}.reset-${now}`;
    await rename(path, keptAs);
    try {
      await secrets.delete(keychainAccountFor(readVaultId(data, path).toString('hex')));
    } catch {
      // A damaged header or an unreachable keychain must not stop a reset the user asked for.
    }
    return keptAs;
  }

  get document(): Readonly<VaultDocument> {
    return this.#document;
  }

  /**
   * Applies `change` in memory and resolves once the result is durable on disk (fsync'd).
   *
   * Group commit: while one write is in flight, every update made meanwhile waits for the
   * next single write of the then-current document, so N concurrent refreshes cost two full
   * rewrites, not N. Order is kept: a later update is never on disk before an earlier one.
   */
  update(change: (document: VaultDocument) => void): Promise<void> {
    const previous = this.#document;
    const next = cloneForChange(previous);
    change(next);
    this.#document = next;
    const written = new Promise<void>((resolve, reject) => this.#pending.push({ previous, resolve, reject }));
    this.#writing ??= this.#drain();
    return written;
  }

  async #drain(): Promise<void> {
    await Promise.resolve(); // updates made in the same tick share the first write too
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      const snapshot = this.#document;
      try {
        await this.#persist(snapshot);
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        const [first, ...rest] = batch as [PendingWrite, ...PendingWrite[]];
        if (rest.length > 0 && !rest[0]!.retried) {
          // A failed write must not poison the updates grouped behind the first one: they
          // get one more write of their own (a transient keychain or disk error).
          first.reject(error);
          for (const waiter of rest) waiter.retried = true;
          this.#pending.unshift(...rest);
          continue;
        }
        // What could not be saved must not linger in memory to be saved by a later write;
        // updates made since are still written by the next batch, carrying their own state.
        if (this.#document === snapshot) this.#document = first.previous;
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#writing = null;
  }

  /**
   * Makes sure the vault has its key and file, so a keychain problem shows up before the
   * user spends a browser sign-in on an account that could not then be saved.
   */
  async ensureWritable(): Promise<void> {
    if (!this.#key) await this.update(() => undefined);
  }

  /** Resolves once every write issued so far is on disk (never rejects). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #persist(document: VaultDocument): Promise<void> {
    if (!this.#key || !this.#vaultId) {
      const vaultId = randomBytes(ID_BYTES);
      const key = randomBytes(KEY_BYTES);
      // Key first: a file whose key was never stored would be unreadable forever.
      await this.#secrets.set(keychainAccountFor(vaultId.toString('hex')), key.toString('base64'));
      this.#vaultId = vaultId;
      this.#key = key;
    }
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#path, encrypt(document, this.#vaultId, this.#key));
    if (!this.#idRecorded) {
      // After the vault: a crash in between must not leave an id without a vault (that
      // would read as "moved away"); a vault without its id is only recorded next time.
      await writeFileAtomic(vaultIdPathFor(this.#path), Buffer.from(`${this.#vaultId.toString('hex')}\n`, 'utf8'));
      this.#idRecorded = true;
    }
  }

  /** The key material (for deriving the control-channel token); null before the first write. */
  get keyMaterial(): Buffer | null {
    return this.#key;
  }
}
