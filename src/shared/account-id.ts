/**
 * The rule for account ids: the id EmailEngine sends as `account=`, chosen by the user.
 *
 * Shared by the core (refuses bad ids), the CLI and the window (validates as you type).
 * EmailEngine accepts any string up to 256 characters (it trims it first), so an existing
 * EmailEngine account such as `sales@contoso.com` must be accepted here too. Refused is only
 * what is unsafe or ambiguous wherever an id travels: control and format characters (log
 * injection, bidi spoofing), lone surrogates (cannot be percent-encoded), leading or trailing
 * white space (EmailEngine would trim it and then call with another id), and text not in
 * Unicode NFC (two spellings of one visible id). Ids such as `constructor` or `__proto__` are
 * ordinary ids: every lookup keyed by id is prototype-safe (Map, or own-key helpers below).
 */

/** EmailEngine's own limit (its Joi schema: `max(256)`, in UTF-16 code units). */
export const MAX_ACCOUNT_ID_LENGTH = 256;

// Cc: controls (incl. CR/LF/TAB); Cf: format (bidi overrides, zero-width); Cs: lone
// surrogates; Zl/Zp: line and paragraph separators.
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const EDGE_SPACE = /^\s|\s$/u;

/** null when the id is acceptable, else a message saying what is wrong. */
export function validateAccountId(id: string): string | null {
  if (id.length === 0) return 'Enter an account id.';
  if (id.length > MAX_ACCOUNT_ID_LENGTH) return `Use at most ${MAX_ACCOUNT_ID_LENGTH} characters (EmailEngine's limit).`;
  if (LONE_SURROGATE.test(id)) return 'Remove the broken (unpaired surrogate) character.';
  if (UNSAFE_CHARACTER.test(id)) return 'Remove control, invisible formatting and line-break characters.';
  if (EDGE_SPACE.test(id)) return 'Remove the spaces at the start or end (EmailEngine trims them).';
  if (id.normalize('NFC') !== id) return 'Use the composed (NFC) form of accented letters.';
  return null;
}

const PLAIN_FOR_DISPLAY = /^[\x21-\x7e]+$/;
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * The id as it may appear in a log line or a one-line message: unchanged when it is plain
 * printable ASCII without spaces, else JSON-quoted with control and invisible characters
 * escaped, so a line stays one line and its boundaries are unambiguous (`"sales team"`).
 */
export function accountIdForLog(id: string): string {
  return PLAIN_FOR_DISPLAY.test(id) && !id.includes('"') ? id : quoteAccountId(id);
}

function escapeUnits(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) out += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** The id in double quotes for a message, escaped as in accountIdForLog: `"sales"`, `"a\\nb"`. */
export function quoteAccountId(id: string): string {
  // JSON.stringify escapes controls, quotes, backslashes and lone surrogates; the invisible
  // rest (bidi overrides, zero-width, line separators) is escaped here. Letters stay letters.
  return JSON.stringify(id).replace(INVISIBLE, (c) => escapeUnits(c));
}

const SHELL_SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;

/** The id as a POSIX shell word, for hints such as `tokentray account remove <id>`. */
export function accountIdForShell(id: string): string {
  const word = SHELL_SAFE.test(id) ? id : `'${id.replaceAll("'", `'\\''`)}'`;
  // An id that starts with a dash must follow `--`, or the CLI reads it as an option.
  return id.startsWith('-') ? `-- ${word}` : word;
}

/** The id as one path segment of a URL (EmailEngine's `/v1/account/{id}`). */
export function accountIdForUrlPath(id: string): string {
  return encodeURIComponent(id);
}

/** The value of an own property, never one inherited from Object.prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets an own data property, even for `__proto__` (plain assignment would set the prototype). */
export function setOwnValue<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deletes an own property (a no-op for inherited names). */
export function deleteOwnValue<T>(record: Record<string, T>, key: string): void {
  if (Object.hasOwn(record, key)) delete record[key];
}
