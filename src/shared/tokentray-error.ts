import { ERROR_HINTS, type ErrorCode } from './error-codes.js';

/**
 * The one error type tokentray throws across its own boundaries.
 *
 * `message` says what happened (never a secret); `hint` says how to fix it. Adapter errors
 * (MSAL, keytar, fs) are translated into one of these at the adapter, the original kept as
 * `cause` for debugging only: a cause is never printed without --debug.
 */
export class TokentrayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; details?: Record<string, string | number | boolean | null> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokentrayError';
    this.code = code;
    this.hint = options.hint ?? ERROR_HINTS[code];
    this.details = options.details ?? {};
  }

  /** Plain data for JSON (CLI --json, control channel, IPC). */
  toJSON(): { code: ErrorCode; message: string; hint: string; details: Record<string, string | number | boolean | null> } {
    return { code: this.code, message: this.message, hint: this.hint, details: { ...this.details } };
  }

  static fromJSON(data: { code: ErrorCode; message: string; hint?: string; details?: Record<string, string | number | boolean | null> }): TokentrayError {
    return new TokentrayError(data.code, data.message, { hint: data.hint, details: data.details });
  }
}

export function isTokentrayError(error: unknown): error is TokentrayError {
  return error instanceof TokentrayError;
}
