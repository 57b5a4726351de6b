/**
 * The OS keychain as tokentray needs it: three calls, nothing more.
 *
 * Only the vault key lives here (never the token cache: Windows Credential Manager caps one
 * secret at 2560 bytes). Implementations translate their failures into KEYCHAIN_UNAVAILABLE
 * or KEYCHAIN_LOCKED TokentrayErrors so callers never see a backend's own error shapes.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export const KEYCHAIN_SERVICE = 'tokentray';
