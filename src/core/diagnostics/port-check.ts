/**
 * Doctor: the auth-server port is free, or it is this tokentray that holds it (and, when it
 * is taken, whether by a program of another user, who would receive EmailEngine's secret).
 */
import { createServer } from 'node:net';
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import type { ServerStatus } from '../../shared/account-status.js';
import { heldByAnotherUser, isAnotherUser, listeningPortHolder, type PortHolder } from '../auth-server/port-holder.js';
import { failed, passed } from './check-result.js';

export type PortProbe = 'free' | 'in-use' | 'not-permitted';

/** Binds `host:port` for an instant to learn whether another program holds it. */
export function probePort(host: string, port: number): Promise<PortProbe> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in-use');
      else if (error.code === 'EACCES' || error.code === 'EPERM') resolve('not-permitted');
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/**
 * @param server the running tokentray's auth-server status, or null when none runs
 */
export async function checkPort(
  settings: { host: string; port: number },
  server: ServerStatus | null,
  probe = probePort,
  holderOf: (port: number) => PortHolder | null = listeningPortHolder,
): Promise<DiagnosticCheck> {
  const head = { id: 'port', title: 'Auth-server port' } as const;
  if (server?.running) return passed(head, `in use by this tokentray (${server.url ?? `port ${settings.port}`})`);
  if (settings.port === 0) return passed(head, 'a free port is picked at each start (set a fixed one for EmailEngine)');
  let found: PortProbe;
  try {
    found = await probe(settings.host, settings.port);
  } catch (error) {
    return failed(head, 'PORT_IN_USE', `${settings.host}:${settings.port} cannot be bound (${error instanceof Error ? error.message : String(error)}).`);
  }
  const where = `${settings.host}:${settings.port}`;
  if (found === 'in-use') {
    const holder = holderOf(settings.port);
    if (isAnotherUser(holder)) {
      return failed(head, 'PORT_HELD_BY_OTHER_USER', `${where} ${heldByAnotherUser(holder)}`);
    }
    return failed(head, 'PORT_IN_USE', `${where} is used by another program${server ? ', so the auth server could not start' : ''}.`, {
      fix: `Stop the program that holds port ${settings.port} (\`lsof -iTCP:${settings.port} -sTCP:LISTEN\` or \`ss -ltnp\` names it), or pick another port with \`tokentray config set port <number>\`${server ? '; the running tokentray starts its auth server again then' : ''}.`,
    });
  }
  if (found === 'not-permitted') {
    return failed(head, 'PORT_IN_USE', `${where} may not be bound by this user.`, { fix: 'Pick a port above 1023 with `tokentray config set port <number>`.' });
  }
  if (server?.error) {
    return failed(head, 'PORT_IN_USE', `The auth server is not running (${server.error}); ${where} is free now.`, {
      warn: true,
      fix: 'Start the auth server again: change the port setting back and forth, or restart tokentray.',
    });
  }
  return passed(head, `${where} is free`);
}
