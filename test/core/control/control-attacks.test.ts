/**
 * Attacks on the control channel by a process without the vault key: a fake daemon, a
 * replayed recording, and a relay between a real command and the real daemon.
 *
 * Everything is real: Unix sockets, the real server and client, the attacker's own socket
 * server and proxy written here. The fake API records every call, so "nothing executed" is
 * checked on the daemon's side, and the bytes each attacker saw are checked for secrets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ControlClient } from '../../../src/core/control/control-client.js';
import { startControlServer } from '../../../src/core/control/control-server.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { FakeTokentrayApi } from '../../fakes/fake-tokentray-api.js';

const SECRET_TOKEN = 'at-secret-0123456789abcdef';

/** Counts calls that reach the daemon's API, and answers getToken with a recognisable secret. */
function recordingApi(): { api: FakeTokentrayApi; calls: string[] } {
  const api = new FakeTokentrayApi();
  const calls: string[] = [];
  const original = api.getToken.bind(api);
  api.getToken = async (id, proto) => {
    calls.push(`getToken:${id}`);
    await original(id, proto).catch(() => undefined);
    return { user: 'alice@contoso.com', accessToken: SECRET_TOKEN, expiresAt: 1 };
  };
  api.cancelSignIn = async (id) => {
    calls.push(`cancelSignIn:${id}`);
  };
  return { api, calls };
}

async function listen(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** A proxy between `front` (where the client connects) and `back` (the real daemon), with a hook per direction. */
async function startRelay(
  front: string,
  back: string,
  hooks: { toServer?: (line: string, upstream: Socket) => string | null; toClient?: (line: string) => string | null } = {},
): Promise<{ server: Server; toServer: string[]; toClient: string[]; upstreams: Socket[] }> {
  const toServer: string[] = [];
  const toClient: string[] = [];
  const upstreams: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(back);
    upstreams.push(upstream);
    const pump = (from: Socket, to: Socket, log: string[], hook?: (line: string) => string | null): void => {
      let buffered = '';
      from.setEncoding('utf8');
      from.on('data', (chunk: string) => {
        buffered += chunk;
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          log.push(line);
          const forwarded = hook ? hook(line) : line;
          if (forwarded !== null && !to.destroyed) to.write(`${forwarded}\n`);
        }
      });
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
    };
    pump(client, upstream, toServer, hooks.toServer ? (line) => hooks.toServer!(line, upstream) : undefined);
    pump(upstream, client, toClient, hooks.toClient);
  });
  await listen(server, front);
  return { server, toServer, toClient, upstreams };
}

/** Sends raw lines on a fresh connection; resolves with the lines received once closed or after `ms`. */
async function sendRaw(endpoint: string, lines: string[], ms = 700): Promise<{ received: string[]; closed: boolean }> {
  const socket = connect(endpoint);
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  let text = '';
  let closed = false;
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  for (const line of lines) socket.write(`${line}\n`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  socket.destroy();
  return { received: text.split('\n').filter(Boolean), closed };
}

describe('control channel under attack (no vault key)', () => {
  let dir: string;
  let daemonPath: string;
  let key: Buffer;
  let daemon: { close(): Promise<void> };
  let calls: string[];
  const servers: Server[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-attack-'));
    daemonPath = join(dir, 'control.sock');
    key = randomBytes(32);
    const recording = recordingApi();
    calls = recording.calls;
    daemon = await startControlServer({ endpoint: daemonPath, vaultKey: () => key, api: recording.api, logger: silentLogger });
  });
  afterEach(async () => {
    await daemon.close();
    for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('a fake daemon learns only a random nonce, and the command sends it nothing else', async () => {
    const fakePath = join(dir, 'fake.sock');
    const seen: string[] = [];
    const fake = createServer((socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        seen.push(...chunk.split('\n').filter(Boolean));
        // Plays along as well as it can without the key: a nonce and a made-up proof.
        socket.write(`${JSON.stringify({ nonce: randomBytes(32).toString('hex'), proof: randomBytes(32).toString('hex') })}\n`);
      });
      socket.on('error', () => undefined);
    });
    servers.push(fake);
    await listen(fake, fakePath);

    const client = new ControlClient(fakePath, key);
    await assert.rejects(client.getToken('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNTRUSTED');
    await assert.rejects(client.cancelSignIn('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNTRUSTED');
    assert.equal(seen.length, 2, 'one hello per attempt, nothing after it');
    for (const line of seen) {
      const hello = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(hello).sort(), ['hello', 'nonce']);
      assert.match(String(hello.nonce), /^[0-9a-f]{64}$/);
    }
    assert.notEqual(seen[0], seen[1], 'a fresh nonce each time');

    // What it learned is worth nothing at the real daemon: replaying the hello gets a
    // challenge it cannot answer, and nothing runs.
    const replay = await sendRaw(daemonPath, [seen[0]!, JSON.stringify({ proof: randomBytes(32).toString('hex') }), 'anything']);
    assert.equal(replay.closed, true, 'the daemon hangs up on a wrong proof');
    assert.deepEqual(calls, []);
  });

  it('a fake daemon that replays a real daemon\'s recorded answer is refused', async () => {
    const relayPath = join(dir, 'recorder.sock');
    const recorder = await startRelay(relayPath, daemonPath);
    servers.push(recorder.server);
    assert.equal((await new ControlClient(relayPath, key).getToken('work')).accessToken, SECRET_TOKEN);
    const recordedAnswer = recorder.toClient[0]!;

    const fakePath = join(dir, 'fake.sock');
    let sentAfterHello = 0;
    const fake = createServer((socket) => {
      let lines = 0;
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        lines += chunk.split('\n').filter(Boolean).length;
        if (lines > 1) sentAfterHello += 1;
        socket.write(`${recordedAnswer}\n`);
      });
      socket.on('error', () => undefined);
    });
    servers.push(fake);
    await listen(fake, fakePath);
    await assert.rejects(new ControlClient(fakePath, key).getToken('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNTRUSTED');
    assert.equal(sentAfterHello, 0);
  });

  it('a recorded session replayed to the daemon runs nothing', async () => {
    const relayPath = join(dir, 'recorder.sock');
    const recorder = await startRelay(relayPath, daemonPath);
    servers.push(recorder.server);
    await new ControlClient(relayPath, key).cancelSignIn('work');
    assert.deepEqual(calls, ['cancelSignIn:work']);
    assert.equal(recorder.toServer.length, 3, 'hello, proof, one sealed request');

    const replay = await sendRaw(daemonPath, recorder.toServer);
    assert.equal(replay.closed, true);
    assert.equal(replay.received.length, 1, 'only the fresh challenge came back');
    assert.deepEqual(calls, ['cancelSignIn:work'], 'the replayed request did not run again');
  });

  it('a relay between a real command and the daemon can neither read nor inject', async () => {
    const relayPath = join(dir, 'relay.sock');
    // After the handshake the relay injects a request of its own: a sealed request it
    // recorded from an earlier session, then a forged one, before the client's.
    const earlier = await startRelay(join(dir, 'earlier.sock'), daemonPath);
    servers.push(earlier.server);
    await new ControlClient(join(dir, 'earlier.sock'), key).cancelSignIn('earlier');
    const recordedRequest = earlier.toServer[2]!;
    calls.length = 0;

    let forwarded = 0;
    const relay = await startRelay(relayPath, daemonPath, {
      toServer: (line, upstream) => {
        forwarded += 1;
        if (forwarded === 3) {
          upstream.write(`${recordedRequest}\n`); // replay from another session
          return line;
        }
        return line;
      },
    });
    servers.push(relay.server);
    await assert.rejects(new ControlClient(relayPath, key).getToken('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNREACHABLE');
    assert.deepEqual(calls, [], 'the injected request did not run, and the connection ended before the real one');

    // A flipped bit in the real request: refused, nothing runs.
    const tamper = await startRelay(join(dir, 'tamper.sock'), daemonPath, {
      toServer: (line) => {
        if (!line.startsWith('{')) {
          const bytes = Buffer.from(line, 'base64');
          bytes[5]! ^= 0x01;
          return bytes.toString('base64');
        }
        return line;
      },
    });
    servers.push(tamper.server);
    await assert.rejects(new ControlClient(join(dir, 'tamper.sock'), key).cancelSignIn('victim'), (error: unknown) => error instanceof TokentrayError);
    assert.deepEqual(calls, []);

    // The same request twice in one session (the relay repeats it): the copy is refused.
    const repeat = await startRelay(join(dir, 'repeat.sock'), daemonPath, {
      toServer: (line, upstream) => {
        if (!line.startsWith('{')) upstream.write(`${line}\n`);
        return line;
      },
    });
    servers.push(repeat.server);
    await new ControlClient(join(dir, 'repeat.sock'), key).cancelSignIn('once').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(calls, ['cancelSignIn:once'], 'ran exactly once');

    // An honest relay completes the call, yet the secret never crosses it in the clear.
    calls.length = 0;
    const honest = await startRelay(join(dir, 'honest.sock'), daemonPath);
    servers.push(honest.server);
    assert.equal((await new ControlClient(join(dir, 'honest.sock'), key).getToken('work')).accessToken, SECRET_TOKEN);
    const wire = [...honest.toServer, ...honest.toClient].join('\n');
    assert.ok(!wire.includes(SECRET_TOKEN), 'the access token is sealed');
    assert.ok(!wire.includes('getToken'), 'the request is sealed too');
  });

  it('a client without the key gets no challenge answered and runs nothing', async () => {
    const wrong = new ControlClient(daemonPath, randomBytes(32));
    await assert.rejects(wrong.cancelSignIn('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNTRUSTED');
    // Skipping the handshake: a request line straight away.
    const direct = await sendRaw(daemonPath, [JSON.stringify({ id: 1, method: 'removeAccount', params: ['work'] })]);
    assert.equal(direct.closed, true);
    assert.deepEqual(direct.received, []);
    // Reflecting the daemon's own proof back as the client's.
    const socket = connect(daemonPath);
    await once(socket, 'connect');
    socket.setEncoding('utf8');
    socket.write(`${JSON.stringify({ hello: 'tokentray-control-v2', nonce: randomBytes(32).toString('hex') })}\n`);
    const [challenge] = (await once(socket, 'data')) as [string];
    const { proof } = JSON.parse(challenge) as { proof: string };
    socket.write(`${JSON.stringify({ proof })}\n`);
    await once(socket, 'close');
    assert.deepEqual(calls, []);
  });
});
