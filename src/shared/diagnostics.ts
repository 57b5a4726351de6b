/**
 * What `tokentray doctor` and the window's Settings → Checks report: one entry per moving
 * part, each passing or saying what to fix. Plain data, no secrets.
 */
import type { ErrorCode } from './error-codes.js';

export type DiagnosticId =
  | 'keychain'
  | 'vault'
  | 'client-id'
  | 'authority'
  | 'port'
  | 'emailengine'
  | 'emailengine-auth-server'
  | 'account';

export interface DiagnosticCheck {
  id: DiagnosticId;
  /** For per-account checks: the account id; else null. */
  subject: string | null;
  /** A few words naming what was checked, e.g. "OS keychain". */
  title: string;
  outcome: 'ok' | 'warn' | 'fail' | 'skipped';
  /** What was found, e.g. "reachable and unlocked" or "port 7411 is used by another program". */
  message: string;
  /** The error code of a warn or fail (its shared hint is the generic fix), else null. */
  code: ErrorCode | null;
  /** What to do, specific to what was found; null when nothing is to be done. */
  fix: string | null;
}

export interface DiagnosticReport {
  checks: DiagnosticCheck[];
  /** True when no check failed (warnings and skipped checks allowed): doctor's exit code 0. */
  ok: boolean;
  at: number; // epoch ms
}

export function diagnosticReport(checks: DiagnosticCheck[], at: number): DiagnosticReport {
  return { checks, ok: checks.every((check) => check.outcome !== 'fail'), at };
}
