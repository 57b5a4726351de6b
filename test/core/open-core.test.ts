/**
 * The assembled core in its daemon role, without an identity provider: the parts that do
 * not need a sign-in (lock, control channel, auth-server lifecycle, settings changes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ControlClient } from '../../src/core/control/control-client.js';
import { silentLogger } from '../../src/core/logging/logger.js';
import { openCore } from '../../src/core/open-core.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { RemoteCore, connectToDaemon } from '../../src/core/control/remote-core.js';
import { readVaultKey } from '../../src/core/storage/vault.js';
import type { StatusReport } from '../../src/shared/account-status.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import { InMemorySecretStore } from '../fakes/in-memory-secret-store.js';
import { memorySettings } from '../support/memory-settings.js';

describe('openCore (daemon role)', () => {
  let home: string;
  let blocker: Server;
  let takenPort: number;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'tokentray-open-core-'));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    takenPort = (blocker.address() as { port: number }).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await rm(home, { recursive: true, force: true });
  });

  it('stays reachable when its port is taken, and starts the auth server once the port is changed', async () => {
    const secrets = new InMemorySecretStore();
    const core = await openCore({ home, role: 'daemon', logger: silentLogger, secretStore: secrets, settingsBackend: memorySettings({ host: '127.0.0.1', port: takenPort }) });
    try {
      await assert.rejects(core.start(), (error: unknown) => error instanceof TokentrayError && error.code === 'PORT_IN_USE');
      const stopped = await core.status();
      assert.equal(stopped.server.running, false);
      assert.match(stopped.server.error ?? '', /already in use/);

      // A second daemon is refused; a command reaches this one through the control channel.
      await assert.rejects(
        openCore({ home, role: 'daemon', logger: silentLogger, secretStore: secrets }),
        (error: unknown) => error instanceof TokentrayError && error.code === 'ALREADY_RUNNING',
      );
      const material = await readVaultKey(dataFiles(home).vault, secrets);
      assert.ok(material);
      const client = new ControlClient(join(home, 'control.sock'), material.key);
      const settings = await client.setSetting('port', 0);
      assert.equal(settings.port, 0);
      const running = await client.status();
      assert.equal(running.server.running, true);
      assert.match(running.server.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/authentication$/);
      assert.match(await client.serverUrl(), /^http:\/\/emailengine:[A-Za-z0-9._~-]+@127\.0\.0\.1:\d+\/authentication$/);
    } finally {
      await core.close();
    }
    // Closed: the lock is gone, so the next daemon may start.
    const next = await openCore({ home, role: 'daemon', logger: silentLogger, secretStore: secrets, settingsBackend: memorySettings({ port: 0 }) });
    await next.close();
  });

  it('takes its port back by itself once the program holding it is gone', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    const retryHome = await mkdtemp(join(tmpdir(), 'tokentray-open-core-retry-'));
    const core = await openCore({
      home: retryHome,
      role: 'daemon',
      logger: silentLogger,
      secretStore: new InMemorySecretStore(),
      settingsBackend: memorySettings({ host: '127.0.0.1', port }),
      serverRetryMs: 50,
    });
    try {
      await assert.rejects(core.start(), (error: unknown) => error instanceof TokentrayError && error.code === 'PORT_IN_USE');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await core.status()).server.running, false, 'still taken: tried again, not started');
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      let report = await core.status();
      for (let i = 0; i < 60 && !report.server.running; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        report = await core.status();
      }
      assert.equal(report.server.running, true);
      assert.equal(report.server.url, `http://127.0.0.1:${port}/authentication`);
      assert.equal(report.server.error, null);
    } finally {
      await core.close();
      await rm(retryHome, { recursive: true, force: true });
    }
  });

  it('tells listeners of a burst of requests once, and of a state change at once', async () => {
    const home = await mkdtemp(join(tmpdir(), 'tokentray-notify-'));
    const core = await openCore({ home, role: 'daemon', logger: silentLogger, secretStore: new InMemorySecretStore(), settingsBackend: memorySettings({ port: 0 }) });
    try {
      await core.start();
      const health = (await core.status()).server.url!.replace('/authentication', '/health');
      const reports: StatusReport[] = [];
      core.onChange((report) => reports.push(report));
      for (let i = 0; i < 100; i += 1) assert.equal((await fetch(health)).status, 200);
      const afterBurst = reports.length;
      assert.ok(afterBurst <= 1, `a burst of 100 requests must not rebuild the status each time (${afterBurst} reports)`);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      assert.equal(reports.length, 1, 'one report for the whole burst');

      // A request schedules a report a second away; a state change then must not wait for it.
      await fetch(health);
      const before = reports.length;
      await core.setSetting('tenant', 'contoso.com');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(reports.length, before + 1, 'the state change was reported without waiting for the request report');
    } finally {
      await core.close();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('lets another shell attach to the running daemon and follow its status', async () => {
    const home = await mkdtemp(join(tmpdir(), 'tokentray-remote-'));
    const secrets = new InMemorySecretStore();
    const core = await openCore({ home, role: 'daemon', logger: silentLogger, secretStore: secrets, settingsBackend: memorySettings({ port: 0 }) });
    await core.start();
    const remote = new RemoteCore((await connectToDaemon(home, secrets))!, 20);
    try {
      const reports: StatusReport[] = [];
      remote.onChange((report) => reports.push(report));
      await remote.start();
      assert.equal(reports.length, 1, 'the first status arrives at start');
      assert.equal(reports[0]!.server.running, true);
      await remote.setSetting('tenant', 'contoso.com');
      assert.equal((await core.getSettings()).tenant, 'contoso.com', 'calls reach the daemon');
      await core.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(reports.at(-1)!.server.running, false, 'a daemon that stopped answering shows as stopped');
      assert.equal(await connectToDaemon(home, secrets), null, 'no daemon left to attach to');
    } finally {
      await remote.close();
      await core.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
