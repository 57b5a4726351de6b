/**
 * Builders for DiagnosticCheck values, so every check words its outcome the same way.
 */
import { ERROR_HINTS, type ErrorCode } from '../../shared/error-codes.js';
import type { DiagnosticCheck, DiagnosticId } from '../../shared/diagnostics.js';
import { isTokentrayError } from '../../shared/tokentray-error.js';

type Head = { id: DiagnosticId; title: string; subject?: string | null };

export function passed(head: Head, message: string): DiagnosticCheck {
  return { id: head.id, subject: head.subject ?? null, title: head.title, outcome: 'ok', message, code: null, fix: null };
}

export function skipped(head: Head, message: string): DiagnosticCheck {
  return { id: head.id, subject: head.subject ?? null, title: head.title, outcome: 'skipped', message, code: null, fix: null };
}

/** A failed (or, with `warn`, a doubtful) check; the fix defaults to the code's shared hint. */
export function failed(head: Head, code: ErrorCode, message: string, options: { fix?: string; warn?: boolean } = {}): DiagnosticCheck {
  return { id: head.id, subject: head.subject ?? null, title: head.title, outcome: options.warn ? 'warn' : 'fail', message, code, fix: options.fix ?? ERROR_HINTS[code] };
}

/** A check that threw: its TokentrayError code and hint, or INTERNAL for anything else. */
export function failedWith(head: Head, error: unknown): DiagnosticCheck {
  if (isTokentrayError(error)) return failed(head, error.code, error.message, { fix: error.hint });
  return failed(head, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
