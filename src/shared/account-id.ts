/**
 * The rule for account ids: the id EmailEngine sends as `account=`, chosen by the user.
 *
 * Shared by the core (refuses bad ids), the CLI and the window (validates as you type).
 */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** null when the id is acceptable, else a message saying what is wrong. */
export function validateAccountId(id: string): string | null {
  if (id.length === 0) return 'Enter an account id.';
  if (id.length > 64) return 'Use at most 64 characters.';
  if (!/^[A-Za-z0-9]/.test(id)) return 'Start with a letter or a digit.';
  if (!ACCOUNT_ID_PATTERN.test(id)) return 'Use only letters, digits, dot, dash and underscore.';
  return null;
}
