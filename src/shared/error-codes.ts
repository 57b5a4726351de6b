/**
 * The closed set of failures tokentray reports, and the words shown for each.
 *
 * Every surface (CLI, tray, window, auth-server body) takes its wording from here so a user
 * reads the same fix-it text wherever the error meets them.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CLIENT_ID_MISSING'
  | 'CLIENT_SECRET_MISSING'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEYCHAIN_LOCKED'
  | 'VAULT_KEY_MISSING'
  | 'VAULT_CORRUPT'
  | 'VAULT_MISSING'
  | 'VAULT_BUSY'
  | 'DATA_DIR_UNSAFE'
  | 'DISK_FULL'
  | 'ACCOUNT_ID_INVALID'
  | 'ACCOUNT_NOT_FOUND'
  | 'ACCOUNT_EXISTS'
  | 'SIGN_IN_CANCELLED'
  | 'SIGN_IN_TIMEOUT'
  | 'SIGN_IN_IN_PROGRESS'
  | 'SIGN_IN_WRONG_USER'
  | 'SIGN_IN_LINK_REUSED'
  | 'SIGNED_IN_ELSEWHERE'
  | 'SIGN_IN_CONSENT_DENIED'
  | 'SIGN_IN_BLOCKED'
  | 'SIGN_IN_APP_UNVERIFIED'
  | 'DEVICE_CODE_UNSUPPORTED'
  | 'SIGN_IN_FAILED'
  | 'BROWSER_OPEN_FAILED'
  | 'NEEDS_SIGN_IN'
  | 'IDP_UNAVAILABLE'
  | 'PROFILE_MISMATCH'
  | 'ALREADY_RUNNING'
  | 'PORT_IN_USE'
  | 'PORT_HELD_BY_OTHER_USER'
  | 'DAEMON_UNREACHABLE'
  | 'NOT_RUNNING'
  | 'DAEMON_UNTRUSTED'
  | 'EMAILENGINE_NOT_CONNECTED'
  | 'EMAILENGINE_URL_INVALID'
  | 'EMAILENGINE_UNREACHABLE'
  | 'EMAILENGINE_TOKEN_INVALID'
  | 'EMAILENGINE_TOKEN_NARROWED'
  | 'EMAILENGINE_VERSION_TOO_OLD'
  | 'EMAILENGINE_UNLICENSED'
  | 'EMAILENGINE_AUTH_SERVER_ELSEWHERE'
  | 'EMAILENGINE_AUTH_SERVER_NOT_SAVED'
  | 'EMAILENGINE_ACCOUNT_CONFLICT'
  | 'EMAILENGINE_REQUEST_FAILED'
  | 'INTERNAL';

/** Exit codes of the `tokentray` command (documented in the README). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NEEDS_SIGN_IN = 3;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
    case 'CONFIG_INVALID':
    case 'ACCOUNT_ID_INVALID':
      return EXIT_USAGE;
    case 'NEEDS_SIGN_IN':
    case 'SIGNED_IN_ELSEWHERE':
      return EXIT_NEEDS_SIGN_IN;
    default:
      return EXIT_FAILURE;
  }
}

/** A one-line hint telling the user how to get out of each failure. */
export const ERROR_HINTS: Record<ErrorCode, string> = {
  USAGE: 'Run `tokentray --help` (or `tokentray <command> --help`) for the accepted arguments.',
  CONFIG_INVALID: 'Enter an allowed value: in Settings in the window, or with `tokentray config set KEY VALUE` (`tokentray config get` lists every key).',
  CLIENT_ID_MISSING:
    'Register a public client app in Azure (see README, "Azure app registration") and run `tokentray config set clientId <Application (client) ID>`.',
  CLIENT_SECRET_MISSING:
    'Copy the client secret of your Google "Desktop app" OAuth client (Cloud Console → APIs & Services → Credentials) and run `tokentray config set-secret google.clientSecret` (it reads the secret from standard input and keeps it in the vault, never in config.json).',
  KEYCHAIN_UNAVAILABLE:
    'Start or unlock your desktop keyring (on Linux: gnome-keyring or KWallet with the Secret Service in a D-Bus session), then try again. Nothing was changed.',
  KEYCHAIN_LOCKED: 'Unlock your login keychain / keyring, then try again. Nothing was changed.',
  VAULT_KEY_MISSING:
    'The vault key is no longer in the OS keychain. Restore the keychain entry "tokentray / vault-key", or start over with `tokentray vault reset` (accounts must then be connected again).',
  VAULT_CORRUPT:
    'The vault file could not be decrypted and was left untouched. Restore it from a backup, or start over with `tokentray vault reset` (accounts must then be connected again).',
  VAULT_MISSING:
    'The vault file is gone, but its key is still in the OS keychain: the file was moved or deleted. Put vault.bin back into the data directory (`tokentray status` names it), or start over with `tokentray vault reset` (accounts must then be connected again). Nothing was created in its place.',
  VAULT_BUSY:
    'Another tokentray process holds the vault (the lock file tokentray.lock in the data directory names it). Wait for it to finish, or stop it and try again.',
  DATA_DIR_UNSAFE:
    'tokentray keeps secrets in its data directory and uses it only when no one else can change it. Make the directory (and the folders above it) yours and not writable by others, replace links with regular files, or pick another directory with --home / TOKENTRAY_HOME.',
  DISK_FULL: 'The disk (or your disk quota) is full. Free some space and try again; nothing was half-written.',
  ACCOUNT_ID_INVALID:
    'Use 1-256 characters without control characters or surrounding spaces, e.g. sales or sales@contoso.com (the same id as in EmailEngine).',
  ACCOUNT_NOT_FOUND: 'Check the id with `tokentray account list`, or connect it with `tokentray account add <id>`.',
  ACCOUNT_EXISTS: 'Pick another id, or sign in again with `tokentray account add <id>` after `tokentray account remove <id>`.',
  SIGN_IN_CANCELLED: 'Nothing was saved. Start again with "Connect account" when you are ready.',
  SIGN_IN_TIMEOUT: 'The browser sign-in was not finished in time. Nothing was saved; start again and complete it in the browser.',
  SIGN_IN_IN_PROGRESS: 'Finish or cancel the sign-in already open in your browser first.',
  SIGN_IN_WRONG_USER: 'Sign in with the address you entered, or leave the address empty to pick any account. Nothing was saved.',
  SIGN_IN_LINK_REUSED:
    'The one-time sign-in link was opened twice, so another program or user on this machine may have opened it. Start the sign-in again and open the new link only in your own browser. Nothing was saved.',
  SIGNED_IN_ELSEWHERE:
    'This account signed in with another authority or cloud than the one now configured. Change the setting back (`tokentray config get` shows it), or sign in again with `tokentray account add <id>`. Its tokens were kept.',
  SIGN_IN_CONSENT_DENIED:
    'The permissions were not granted. Accept the consent screen, or ask your Microsoft 365 administrator to grant consent for the app.',
  SIGN_IN_BLOCKED:
    'Your organisation does not allow this app for this user. Ask your Microsoft 365 administrator to allow it (see README, "Troubleshooting").',
  SIGN_IN_APP_UNVERIFIED:
    'The Google app asks for a restricted Gmail scope but has not passed Google\'s verification. Keep the app in "Testing" status and add your address under OAuth consent screen → Test users (refresh tokens then last 7 days), or complete Google\'s verification (see README, "Google app registration").',
  DEVICE_CODE_UNSUPPORTED:
    'Google does not allow Gmail scopes on its device flow. On a machine without a browser use `tokentray account add <id> --provider google --no-browser` with SSH port forwarding (see README, "Signing in on a server").',
  SIGN_IN_FAILED: 'Try again; if it keeps failing, check the client id, tenant and cloud with `tokentray config get`.',
  BROWSER_OPEN_FAILED: 'Open the printed sign-in URL yourself, or set $BROWSER, or use --no-browser.',
  NEEDS_SIGN_IN: 'Sign in again: tray menu → the account → "Sign in again", or `tokentray account add <id>`.',
  IDP_UNAVAILABLE: 'Microsoft sign-in could not be reached. Check the network; tokentray retries by itself.',
  PROFILE_MISMATCH:
    'Use proto=imap or proto=smtp with an "outlook" account and proto=api with a "graph" account (register the account with the matching profile).',
  ALREADY_RUNNING: 'tokentray is already running for this data directory. Use it (tray icon, or `tokentray status`), or stop it first.',
  PORT_IN_USE: 'Another program uses the auth-server port. Stop it, or pick another port with `tokentray config set port <number>`.',
  PORT_HELD_BY_OTHER_USER:
    'Have that program stopped (by its user, or an administrator), or pick another port with `tokentray config set port <number>`. tokentray makes a new auth-server secret before it next listens, so a secret EmailEngine sent there is worthless; EmailEngine gets the new one by itself when tokentray connected it, otherwise paste `tokentray server-url` into its authServer setting.',
  DAEMON_UNREACHABLE: 'The running tokentray did not answer. Stop it and start it again.',
  NOT_RUNNING: 'Start tokentray first (the tray app, or `tokentray serve`), then try again.',
  DAEMON_UNTRUSTED:
    'Something other than your tokentray answered on its control channel, and nothing was sent to it. Stop unknown processes, delete the lock file named above if no tokentray runs, and start tokentray again.',
  EMAILENGINE_NOT_CONNECTED:
    'Connect EmailEngine first: window → Settings → EmailEngine, or `tokentray emailengine connect --url <EmailEngine URL>` (the token is read from stdin or a prompt).',
  EMAILENGINE_URL_INVALID: 'Give EmailEngine\'s base URL with http:// or https://, e.g. http://127.0.0.1:3000 (without /v1 and without credentials).',
  EMAILENGINE_UNREACHABLE:
    'Check that EmailEngine runs and that the URL is the one of its API (the address its admin UI opens at), then try again. Nothing was changed.',
  EMAILENGINE_TOKEN_INVALID:
    'Create a token in EmailEngine\'s admin UI → Access tokens (all scopes), or run `emailengine tokens issue -s \'*\'` on the EmailEngine host, and connect again with it.',
  EMAILENGINE_TOKEN_NARROWED:
    'This token is limited to one account or some scopes, and EmailEngine\'s settings need a full-privilege one: create a token with all scopes (admin UI → Access tokens, or `emailengine tokens issue -s \'*\'`).',
  EMAILENGINE_VERSION_TOO_OLD: 'Upgrade EmailEngine (https://emailengine.app): tokentray is tested with 2.79; the features named need the version given.',
  EMAILENGINE_UNLICENSED:
    'Without a license EmailEngine stops its IMAP, SMTP and webhook workers 20 minutes after each start, while its accounts still read "connected". Add a license or a trial in EmailEngine\'s admin UI → License; this is not a tokentray failure.',
  EMAILENGINE_AUTH_SERVER_ELSEWHERE:
    'EmailEngine has one authServer for all its accounts, and other accounts there may depend on the current one. If tokentray should serve them all, run again with --replace (window: "Replace").',
  EMAILENGINE_AUTH_SERVER_NOT_SAVED:
    'EmailEngine did not keep the authServer URL tokentray set (another program may be changing it). Check EmailEngine\'s settings, then connect again.',
  EMAILENGINE_ACCOUNT_CONFLICT:
    'EmailEngine already has an account with this id that tokentray did not create. Review the changes shown; to replace it, run again with --overwrite-emailengine (window: "Overwrite"), or use another id.',
  EMAILENGINE_REQUEST_FAILED: 'EmailEngine refused the request; its message is shown. Check EmailEngine\'s log, then try again (`tokentray emailengine status` shows the link).',
  INTERNAL: 'This is a bug in tokentray. Please report it with the output of `tokentray status`.',
};
