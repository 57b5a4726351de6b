/** `tokentray serve`: the headless daemon (refresher, auth server, control channel). */
import { EXIT_OK } from '../../shared/error-codes.js';
import { openCore } from '../../core/open-core.js';
import { installProcessGuard } from '../../core/process-guard.js';
import type { CommandEnv } from '../command-env.js';

export async function serveCommand(env: CommandEnv): Promise<number> {
  const core = await openCore({ home: env.home, role: 'daemon', logger: env.logger });
  // A fault nobody caught is logged (redacted) and survived; repeated ones close the core
  // (socket, lock) before exiting, so nothing stale is left behind.
  const unguard = installProcessGuard({ logger: env.logger.child('guard'), cleanup: () => core.close() });
  try {
    const settings = await core.getSettings();
    if (!settings.clientId) env.output.err(`tokentray: no client id configured yet; ${firstRunHint()}`);
    await core.start();
    const report = await core.status();
    env.output.out(`tokentray ready: auth server ${report.server.url ?? '(not running)'} serving ${report.accounts.length} account(s); Ctrl-C stops`);
    await env.interrupted;
    env.output.err('tokentray: stopping…');
    return EXIT_OK;
  } finally {
    await core.close();
    unguard();
  }
}

function firstRunHint(): string {
  return 'register an app in Azure (README, "Azure app registration") and run `tokentray config set clientId <id>`.';
}
