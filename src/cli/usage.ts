/** Help texts of the `tokentray` command. */
export const MAIN_HELP = `tokentray: keeps Microsoft 365 and Gmail tokens fresh and serves them to a local EmailEngine.

Usage: tokentray [--home DIR] <command> [options]

Commands:
  serve                                   run headless: refresher + auth server (Ctrl-C stops)
  account add <id> [--provider microsoft|google] [--email ADDRESS] [--profile PROFILE] [--shared-mailbox ADDRESS] [--no-browser | --device-code]
                                          connect an account (or sign it in again) in the browser
  account list [--json]                   the connected accounts
  account remove <id> [--keep-in-emailengine]
                                          forget an account and its tokens (and remove it from EmailEngine)
  emailengine connect --url URL [--replace]
                                          connect EmailEngine (token on stdin or a hidden prompt)
  emailengine status [--json]             EmailEngine's side: its authServer and each account's state
  emailengine disconnect                  forget EmailEngine's URL and token (EmailEngine is left as it is)
  token <id> [--proto imap|smtp|api] [--json]
                                          print a currently valid access token
  status [--json]                         every account's state, expiry and last error
  server-url [--rotate]                   the authServer URL (with its secret) for EmailEngine
  activity [--follow] [--json]            EmailEngine's recent requests to the running tokentray
  doctor [--json]                         check every moving part and say what to fix
  config get [KEY] [--json]               show settings
  config set KEY VALUE                    change a setting
  config set-secret google.clientSecret   store the Google client secret in the vault (from stdin)
  vault reset --yes                       start over when the vault cannot be opened

Global options:
  --home DIR     data directory (default: the desktop app's; or $TOKENTRAY_HOME)
  --debug        verbose logs on stderr (still without secrets)
  -h, --help     help for tokentray or a command
  -v, --version  print the version

Exit codes: 0 ok, 1 failure, 2 usage error, 3 an account needs sign-in.`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `Usage: tokentray serve

Runs the refresher and the auth server in the foreground until Ctrl-C (SIGINT) or SIGTERM.
Prints one line when ready. Other tokentray commands talk to it while it runs.`,
  'account add': `Usage: tokentray account add <id> [--provider microsoft|google] [--email ADDRESS] [--profile PROFILE] [--shared-mailbox ADDRESS] [--no-browser]

<id> is the account id you register in EmailEngine (at most 256 characters, e.g. sales or
sales@contoso.com; no control characters or surrounding spaces; after \`--\` if it starts with -).
  --provider microsoft|google  who signs the account in (default microsoft, or the profile's)
  --email ADDRESS           the address to sign in with (the browser pre-fills it,
                            and a sign-in as anyone else is refused)
  --profile PROFILE         Microsoft: outlook (IMAP + SMTP, default) or graph (Graph mail API);
                            Google: gmail (IMAP + SMTP, default) or gmail-api (Gmail API)
  --shared-mailbox ADDRESS  IMAP user for a shared mailbox the signed-in user can open
  --no-browser              print the sign-in URL (on stderr) instead of opening a browser
  --device-code             Microsoft: sign in on another device (prints a URL and a code); for a
                            machine without a browser. Google does not allow it for Gmail: use
                            --no-browser with SSH port forwarding (README, "Signing in on a server")
  --overwrite-emailengine   replace an account with this id in EmailEngine that tokentray did
                            not create (without it, the changes are shown and nothing is done)
Running it for an existing id signs that account in again (same user).`,
  'account list': `Usage: tokentray account list [--json]

--json prints [{"id","email","user","provider","profile"}].`,
  'account remove': `Usage: tokentray account remove <id> [--keep-in-emailengine]

Removes the account and every token tokentray holds for it. With EmailEngine connected, the
account is removed there too, unless --keep-in-emailengine (it then fails to log in there).`,
  emailengine: `Usage: tokentray emailengine connect --url URL [--replace]
       tokentray emailengine status [--json]
       tokentray emailengine disconnect

connect checks EmailEngine (reachable, a full-privilege API token, its version and license,
where its authServer points), sets its authServer to this tokentray and registers every
account. The API token is read from stdin, or from a hidden prompt in a terminal; never give it
as an argument. Get one in EmailEngine's admin UI → Access tokens, or with
\`emailengine tokens issue -s '*'\` on the EmailEngine host.
--replace   replace an authServer that points to another server (it is one setting for all of
            EmailEngine's accounts: others may depend on it)
status shows EmailEngine's side of each account and the accounts there that use the auth server
but are not connected here. Exit code 1 when EmailEngine is not connected or not answering.`,
  token: `Usage: tokentray token <id> [--proto imap|smtp|api] [--json]

Prints a currently valid access token (refreshing it first when needed).
--json prints {"user","accessToken","expiresAt"} (expiresAt: ISO 8601).`,
  status: `Usage: tokentray status [--json]

--json prints {"accounts":[{"id","email","user","provider","profile","state":{"kind",…},"lastRequest","lastError",
"emailengine":{"presence","state","lastError","checkedAt","managed","hint","error"} or null}],"server":{"running","url","error"},
"emailengine":{"connected","url","version","licensed","authServer","checkedAt","error","warnings"}}.
With EmailEngine connected, each account also shows EmailEngine's side and a hint when the two disagree.`,
  'server-url': `Usage: tokentray server-url [--rotate]

Prints the URL to set as EmailEngine's authServer, credentials included.
--rotate replaces the secret first; a connected EmailEngine's authServer is updated in the
same step (else update it yourself).`,
  config: `Usage: tokentray config get [KEY] [--json]
       tokentray config set KEY VALUE
       tokentray config set-secret google.clientSecret   (reads the secret from standard input)

Keys: clientId, tenant, cloud, authority (Microsoft), host, port, allowedClients, signInTimeoutSeconds,
startAtLogin, google.clientId, google.endpoint (Google).
Each can also be set with an environment variable, e.g. TOKENTRAY_CLIENT_ID, TOKENTRAY_GOOGLE_CLIENT_ID.
The Google client secret is kept in the encrypted vault, never in config.json.`,
  doctor: `Usage: tokentray doctor [--json]

Checks, in one go: the OS keychain (reachable, unlocked) and the vault (opens); the Azure
client id and the sign-in authority (reachable); the auth-server port (free, or ours); and each
account. Prints what to fix for each failure. With a running tokentray the checks run inside it.
Exit code 0 when no check failed (warnings allowed), 1 otherwise.
--json prints {"checks":[{"id","subject","title","outcome","message","code","fix"}],"ok","at"}
(outcome: ok, warn, fail or skipped).`,
  activity: `Usage: tokentray activity [--follow] [--json]

The auth server's recent requests (the last 50), asked from the running tokentray (the tray
app or \`tokentray serve\`): time, status, outcome, account, proto, latency, client. Never a token.
  -f, --follow  keep printing new requests until Ctrl-C
  --json        a JSON array of {"at","account","proto","outcome","status","latencyMs","client"};
                with --follow, one such object per line`,
  'vault reset': `Usage: tokentray vault reset --yes

Moves an unreadable vault aside (kept as vault.bin.reset-<time>) and starts an empty one.
Every account must then be connected again.`,
};
