/**
 * Doctor: EmailEngine answers, its token is accepted, and its one global authServer setting
 * points at this tokentray (with the current secret).
 */
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import type { EmailEngineStatus } from '../../shared/emailengine.js';
import { failed, passed, skipped } from './check-result.js';

const AUTH_SERVER_CODES: ReadonlySet<string> = new Set(['EMAILENGINE_AUTH_SERVER_ELSEWHERE', 'EMAILENGINE_AUTH_SERVER_NOT_SAVED']);
const LINK = { id: 'emailengine', title: 'EmailEngine' } as const;
const AUTH_SERVER = { id: 'emailengine-auth-server', title: "EmailEngine's authServer" } as const;

export function checkEmailEngine(status: EmailEngineStatus): DiagnosticCheck[] {
  if (!status.connected) {
    return [skipped(LINK, 'none connected (window → Settings → EmailEngine, or `tokentray emailengine connect --url URL`)')];
  }
  const at = status.url ?? 'EmailEngine';
  // An authServer pointing elsewhere is reported by the link as its error too; EmailEngine did
  // answer then, so it belongs to the authServer check below.
  if (status.error && !AUTH_SERVER_CODES.has(status.error.code)) {
    return [failed(LINK, status.error.code, `${at}: ${status.error.message}`), skipped(AUTH_SERVER, 'not checked: EmailEngine did not answer')];
  }
  const checks: DiagnosticCheck[] = [passed(LINK, `${at} answers${status.version ? ` (EmailEngine ${status.version})` : ''}; its API token is accepted`)];
  for (const warning of status.warnings) checks.push(failed(LINK, warning.code, warning.message, { warn: true }));
  const target = status.authServer;
  if (!target) checks.push(skipped(AUTH_SERVER, 'could not be read'));
  else if (target.kind === 'this') checks.push(passed(AUTH_SERVER, `points here (${target.url})`));
  else if (target.kind === 'this-outdated') {
    checks.push(
      failed(AUTH_SERVER, 'EMAILENGINE_AUTH_SERVER_NOT_SAVED', `points here (${target.url}) but with an old secret: EmailEngine's requests are refused with 401.`, {
        fix: 'Run `tokentray emailengine connect` again (window: Settings → EmailEngine → Connect): it writes the current URL.',
      }),
    );
  } else if (target.kind === 'unset') {
    checks.push(failed(AUTH_SERVER, 'EMAILENGINE_AUTH_SERVER_NOT_SAVED', 'is not set: EmailEngine cannot ask tokentray for tokens.', { fix: 'Run `tokentray emailengine connect` again: it sets authServer.' }));
  } else {
    checks.push(failed(AUTH_SERVER, 'EMAILENGINE_AUTH_SERVER_ELSEWHERE', `points to ${target.url}, not to this tokentray.`));
  }
  return checks;
}
