/**
 * `tokentray doctor` and Settings → Checks: every moving part checked in one go.
 *
 * Each check is its own unit (see the files beside this one) and never throws: a failing part
 * becomes a failed check with its fix, and the checks that depend on it are skipped, so one
 * run tells the user everything there is to fix. Modelled on Git Credential Manager's
 * `diagnose`.
 */
import type { DiagnosticCheck, DiagnosticReport } from '../../shared/diagnostics.js';
import { diagnosticReport } from '../../shared/diagnostics.js';
import type { ServerStatus, StatusReport } from '../../shared/account-status.js';
import type { Settings } from '../../shared/settings-shape.js';
import type { SecretStore } from '../storage/secret-store.js';
import type { EmailEngineStatus } from '../../shared/emailengine.js';
import { checkAccount } from './account-checks.js';
import { checkEmailEngine } from './emailengine-checks.js';
import { failedWith, skipped } from './check-result.js';
import { checkAuthority, checkClientId, type HttpGet } from './identity-checks.js';
import { checkKeychain } from './keychain-check.js';
import { checkPort, probePort } from './port-check.js';
import { checkVault } from './vault-check.js';

export interface DiagnosticsInput {
  secrets: SecretStore;
  vaultPath: string;
  settings: Settings;
  /** The running tokentray's auth-server status; null when none runs. */
  server: ServerStatus | null;
  /** The core to ask about accounts; null when it could not be opened (the checks say why). */
  status: (() => Promise<StatusReport>) | null;
  /** The link to EmailEngine, asked afresh; null when the core could not be opened. */
  emailEngine?: (() => Promise<EmailEngineStatus>) | null;
  /** How the authority is asked (default: fetch); in-process tests trust their CA through it. */
  httpGet?: HttpGet;
  probePort?: typeof probePort;
  now?: () => number;
}

export async function runDiagnostics(input: DiagnosticsInput): Promise<DiagnosticReport> {
  const now = input.now ?? Date.now;
  const keychain = await checkKeychain(input.secrets);
  const vault = await checkVault(input.vaultPath, input.secrets, keychain.outcome === 'ok');
  const [authority, port] = await Promise.all([
    checkAuthority(input.settings, input.httpGet),
    checkPort(input.settings, input.server, input.probePort ?? probePort),
  ]);
  const checks: DiagnosticCheck[] = [keychain, vault, checkClientId(input.settings), authority, port];
  if (input.emailEngine) {
    try {
      checks.push(...checkEmailEngine(await input.emailEngine()));
    } catch (error) {
      checks.push(failedWith({ id: 'emailengine', title: 'EmailEngine' }, error));
    }
  } else {
    checks.push(skipped({ id: 'emailengine', title: 'EmailEngine' }, 'not checked: the vault could not be opened'));
  }
  if (!input.status) {
    checks.push(skipped({ id: 'account', title: 'Accounts' }, 'not checked: the vault could not be opened'));
  } else {
    try {
      const report = await input.status();
      for (const account of report.accounts) checks.push(checkAccount(account, now()));
    } catch (error) {
      checks.push(failedWith({ id: 'account', title: 'Accounts' }, error));
    }
  }
  return diagnosticReport(checks, now());
}
