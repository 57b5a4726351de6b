/**
 * `tokentray doctor [--json]`: every moving part checked in one go, each with what to fix.
 *
 * With a running tokentray (tray app or serve) the checks run inside it, since it is the
 * process that needs the keychain, the port and EmailEngine. Without one they run here: in a
 * core opened for the command when the vault opens, else the parts that need no vault.
 * Exit code 0 when no check failed (warnings allowed), 1 otherwise.
 */
import type { DiagnosticCheck, DiagnosticReport } from '../../shared/diagnostics.js';
import { EXIT_FAILURE, EXIT_OK } from '../../shared/error-codes.js';
import { connectToDaemon } from '../../core/control/remote-core.js';
import type { CommandEnv } from '../command-env.js';

const LABELS: Record<DiagnosticCheck['outcome'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' };

export function formatDiagnostics(report: DiagnosticReport, where: string): string[] {
  const lines = [`tokentray doctor (${where})`];
  for (const check of report.checks) {
    lines.push(`  ${LABELS[check.outcome]}  ${check.title}: ${check.message}`);
    if (check.fix && (check.outcome === 'fail' || check.outcome === 'warn')) lines.push(`        fix: ${check.fix}`);
  }
  const failures = report.checks.filter((check) => check.outcome === 'fail').length;
  const warnings = report.checks.filter((check) => check.outcome === 'warn').length;
  lines.push(failures === 0 ? `All checks passed${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.` : `${failures} problem${failures === 1 ? '' : 's'} to fix.`);
  return lines;
}

async function diagnoseHere(env: CommandEnv): Promise<DiagnosticReport> {
  const [{ openCore }, { runDiagnostics }, { KeytarSecretStore }, { SettingsStore, createConfBackend }, { dataFiles }] = await Promise.all([
    import('../../core/open-core.js'),
    import('../../core/diagnostics/run-diagnostics.js'),
    import('../../core/storage/keytar-secret-store.js'),
    import('../../core/storage/settings.js'),
    import('../../core/storage/paths.js'),
  ]);
  let core;
  try {
    core = await openCore({ home: env.home, role: 'command', logger: env.logger });
  } catch {
    // The checks below say why (keychain, vault, settings), each with its fix.
    const settings = new SettingsStore(createConfBackend(env.home), env.env).read();
    return runDiagnostics({ secrets: new KeytarSecretStore(), vaultPath: dataFiles(env.home).vault, settings, server: null, status: null });
  }
  try {
    await core.probeAll(); // learn each account's real state, as `status` does
    return await core.runDiagnostics();
  } finally {
    await core.close();
  }
}

export async function doctorCommand(env: CommandEnv, json: boolean): Promise<number> {
  let report: DiagnosticReport;
  let where: string;
  const daemon = await connectToDaemon(env.home).catch(() => null);
  if (daemon) {
    report = await daemon.runDiagnostics();
    where = `checked by the running tokentray for ${env.home}`;
  } else {
    report = await diagnoseHere(env);
    where = `${env.home}; no tokentray running`;
  }
  env.output.out(json ? JSON.stringify(report, null, 2) : formatDiagnostics(report, where).join('\n'));
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}
