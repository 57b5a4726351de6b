/**
 * The checks run before tokentray changes anything in an EmailEngine.
 *
 * In order: reachable, token valid and full-privilege (the settings routes are in EmailEngine's
 * admin group, which an account-bound or scope-limited token cannot reach), the version
 * (GET /v1/stats), the license (GET /v1/license: unlicensed, EmailEngine stops its IMAP/SMTP
 * workers 20 minutes after each start while its accounts keep reading "connected", and users
 * would blame tokentray), and where the one global authServer points now.
 */
import type { AuthServerTarget, EmailEngineCheck, EmailEnginePreflight } from '../../shared/emailengine.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { EmailEngineClient } from './emailengine-client.js';

/** Below this, tokentray refuses: the auth-server contract it serves was observed on 2.x. */
export const MIN_EMAILENGINE_VERSION = '2.0.0';

/** Features and the EmailEngine version each needs (from EmailEngine's CHANGELOG). */
export const FEATURE_VERSIONS: ReadonlyArray<{ feature: string; version: string }> = [
  { feature: 'Graph-profile accounts and gmail-api accounts (oauth2.useAuthServer for API accounts)', version: '2.47.0' },
  { feature: 'oauth2.useAuthServer on the IMAP/SMTP path', version: '2.77.0' },
];

/** Compares dotted versions numerically; a non-numeric part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < 3; i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** A URL without its credentials (for display). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function sameAddress(a: URL, b: URL): boolean {
  const hostA = LOOPBACK.has(a.hostname) ? 'loopback' : a.hostname.toLowerCase();
  const hostB = LOOPBACK.has(b.hostname) ? 'loopback' : b.hostname.toLowerCase();
  const path = (url: URL): string => url.pathname.replace(/\/+$/, '') || '/';
  return a.protocol === b.protocol && hostA === hostB && a.port === b.port && path(a) === path(b);
}

/** Where `current` (EmailEngine's authServer) points relative to this tokentray's full URL. */
export function classifyAuthServer(current: string | null, ours: string): AuthServerTarget {
  if (!current) return { kind: 'unset' };
  let theirs: URL;
  let mine: URL;
  try {
    theirs = new URL(current);
    mine = new URL(ours);
  } catch {
    return { kind: 'other', url: withoutCredentials(current) };
  }
  const url = withoutCredentials(current);
  if (!sameAddress(theirs, mine)) return { kind: 'other', url };
  const sameCredentials = theirs.username === mine.username && theirs.password === mine.password;
  return sameCredentials ? { kind: 'this', url } : { kind: 'this-outdated', url };
}

function fromError(error: unknown): { code: TokentrayError['code']; message: string } {
  if (error instanceof TokentrayError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** Runs every check; a failed check skips the ones that depend on it. Never throws for EmailEngine's answers. */
export async function runPreflight(client: EmailEngineClient, ourUrl: string): Promise<EmailEnginePreflight> {
  const checks: EmailEngineCheck[] = [];
  const report: EmailEnginePreflight = { url: client.baseUrl, checks, version: null, licensed: null, authServer: null, needsNewer: [], ok: false };
  const skipRest = (from: number): EmailEnginePreflight => {
    const ids: EmailEngineCheck['id'][] = ['reachable', 'token', 'version', 'license', 'auth-server'];
    for (const id of ids.slice(from)) checks.push({ id, outcome: 'skipped', message: 'not checked (an earlier check failed)', code: null });
    return report;
  };

  // reachable + token: GET /v1/stats needs a valid token but no admin rights.
  let stats: { version?: string };
  try {
    stats = await client.stats();
    checks.push({ id: 'reachable', outcome: 'ok', message: `EmailEngine answered at ${client.baseUrl}`, code: null });
  } catch (error) {
    const failure = fromError(error);
    if (failure.code === 'EMAILENGINE_TOKEN_INVALID' || failure.code === 'EMAILENGINE_TOKEN_NARROWED') {
      checks.push({ id: 'reachable', outcome: 'ok', message: `EmailEngine answered at ${client.baseUrl}`, code: null });
      checks.push({ id: 'token', outcome: 'fail', message: failure.message, code: failure.code });
      return skipRest(2);
    }
    checks.push({ id: 'reachable', outcome: 'fail', message: failure.message, code: failure.code === 'EMAILENGINE_REQUEST_FAILED' ? 'EMAILENGINE_UNREACHABLE' : failure.code });
    return skipRest(1);
  }

  // Full privilege: the settings routes (admin group) are what tokentray must reach.
  let current: string | null;
  try {
    current = await client.authServer();
    checks.push({ id: 'token', outcome: 'ok', message: 'the token may change EmailEngine\'s settings (full privilege)', code: null });
  } catch (error) {
    const failure = fromError(error);
    checks.push({ id: 'token', outcome: 'fail', message: failure.message, code: failure.code });
    return skipRest(2);
  }

  const version = typeof stats.version === 'string' ? stats.version : null;
  report.version = version;
  if (!version) {
    checks.push({ id: 'version', outcome: 'warn', message: 'EmailEngine did not report its version', code: 'EMAILENGINE_VERSION_TOO_OLD' });
  } else if (compareVersions(version, MIN_EMAILENGINE_VERSION) < 0) {
    checks.push({ id: 'version', outcome: 'fail', message: `EmailEngine ${version} is older than ${MIN_EMAILENGINE_VERSION}`, code: 'EMAILENGINE_VERSION_TOO_OLD' });
  } else {
    report.needsNewer = FEATURE_VERSIONS.filter((entry) => compareVersions(version, entry.version) < 0).map((entry) => `${entry.feature} needs EmailEngine ${entry.version}`);
    checks.push(
      report.needsNewer.length > 0
        ? { id: 'version', outcome: 'warn', message: `EmailEngine ${version}: ${report.needsNewer.join('; ')}`, code: 'EMAILENGINE_VERSION_TOO_OLD' }
        : { id: 'version', outcome: 'ok', message: `EmailEngine ${version}`, code: null },
    );
  }

  try {
    const license = await client.license();
    report.licensed = license.active === true && license.suspended !== true;
    checks.push(
      report.licensed
        ? { id: 'license', outcome: 'ok', message: license.details?.trial ? 'licensed (trial)' : 'licensed', code: null }
        : {
            id: 'license',
            outcome: 'warn',
            message: license.suspended ? 'the license is suspended' : 'EmailEngine runs without a license: it stops IMAP and SMTP 20 minutes after each start',
            code: 'EMAILENGINE_UNLICENSED',
          },
    );
  } catch (error) {
    const failure = fromError(error);
    checks.push({ id: 'license', outcome: 'warn', message: `the license could not be read (${failure.message})`, code: 'EMAILENGINE_UNLICENSED' });
  }

  report.authServer = classifyAuthServer(current, ourUrl);
  switch (report.authServer.kind) {
    case 'unset':
      checks.push({ id: 'auth-server', outcome: 'ok', message: 'authServer is not set yet', code: null });
      break;
    case 'this':
      checks.push({ id: 'auth-server', outcome: 'ok', message: `authServer already points to this tokentray (${report.authServer.url})`, code: null });
      break;
    case 'this-outdated':
      checks.push({ id: 'auth-server', outcome: 'ok', message: `authServer points to this tokentray with an old secret (${report.authServer.url}); it will be updated`, code: null });
      break;
    case 'other':
      checks.push({
        id: 'auth-server',
        outcome: 'warn',
        message: `authServer points to another server: ${report.authServer.url}`,
        code: 'EMAILENGINE_AUTH_SERVER_ELSEWHERE',
      });
      break;
  }
  report.ok = !checks.some((check) => check.outcome === 'fail');
  return report;
}
