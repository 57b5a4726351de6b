/**
 * Turns caller-supplied text (an account id from the query) into something safe to show.
 *
 * Account ids reach places with strict rules: the HTTP reason phrase (ASCII, no control
 * characters, or Node refuses to send the response) and the request log shown in the tray.
 * Anything outside printable ASCII becomes `?`, and long ids are cut with `...`, so a
 * hostile id can neither break the response nor flood a screen.
 */
import { validateAccountId } from '../../shared/account-id.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;
const ELLIPSIS = '...';

export function toPrintableAscii(text: string, maxChars: number): string {
  // Fast path for the ordinary case (`sales`): no copy.
  if (text.length <= maxChars && PRINTABLE_ASCII.test(text)) return text;
  const cut = text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - ELLIPSIS.length))}${ELLIPSIS}` : text;
  return cut.replace(NOT_PRINTABLE_ASCII, '?');
}

/**
 * The account of a request record: a valid account id is kept whole (so `café` or a
 * 256-character id still finds its account's last request), anything else made printable.
 */
export function recordedAccountId(account: string, maxOtherChars: number): string {
  if (account === '') return '';
  if (account.length <= maxOtherChars && PRINTABLE_ASCII.test(account)) return account;
  return validateAccountId(account) === null ? account : toPrintableAscii(account, maxOtherChars);
}
