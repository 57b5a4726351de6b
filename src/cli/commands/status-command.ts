/** `tokentray status`: every account's state, expiry and last error. */
import { EXIT_NEEDS_SIGN_IN, EXIT_OK } from '../../shared/error-codes.js';
import { describeAccountState } from '../../shared/state-text.js';
import { describeBothSides } from '../../shared/emailengine-hints.js';
import { PROVIDER_LABELS } from '../../shared/providers.js';
import type { CommandEnv } from '../command-env.js';

export async function statusCommand(env: CommandEnv, json: boolean): Promise<number> {
  return env.withApi(async ({ api, local }) => {
    if (local) await local.probeAll(); // no daemon: find out the real state now
    const report = await api.status();
    if (json) {
      env.output.out(JSON.stringify(report, null, 2));
    } else {
      const now = Date.now();
      const server = report.server.running ? `running at ${report.server.url}` : local ? 'not running (start the tray app or `tokentray serve`)' : `stopped${report.server.error ? `: ${report.server.error}` : ''}`;
      env.output.out(`auth server: ${server}`);
      if (report.server.running) env.output.out('  the URL for EmailEngine, with its secret: `tokentray server-url`');
      if (report.accounts.length === 0) env.output.out('accounts: none yet (`tokentray account add <id>`)');
      for (const account of report.accounts) {
        const code = account.state.kind === 'needs-sign-in' ? ` (${account.state.reason.code})` : '';
        env.output.out(`${account.id} (${account.email ?? '?'}, ${PROVIDER_LABELS[account.provider]} ${account.profile}): ${describeAccountState(account.state, now)}${code}`);
        if (account.lastRequest) {
          const r = account.lastRequest;
          env.output.out(`  last EmailEngine request: ${new Date(r.at).toISOString()} proto=${r.proto} ${r.outcome} (${r.latencyMs.toFixed(1)} ms)`);
        }
        if (account.lastError && account.state.kind !== 'active') env.output.out(`  last error: ${account.lastError.message}`);
        const sides = describeBothSides(account);
        if (sides) env.output.out(`  ${sides}${account.emailengine?.hint ? `\n    hint: ${account.emailengine.hint}` : ''}`);
      }
      if (report.emailengine?.connected) env.output.out(`EmailEngine: ${report.emailengine.url}${report.emailengine.error ? ` — ${report.emailengine.error.message}` : ''} (\`tokentray emailengine status\`)`);
    }
    return report.accounts.some((account) => account.state.kind === 'needs-sign-in') ? EXIT_NEEDS_SIGN_IN : EXIT_OK;
  });
}
