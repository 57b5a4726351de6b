import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Connections } from '../../../src/core/auth-server/connections.js';

/** Just enough of a socket: an address that counts its reads, destroy() that closes. */
class FakeSocket extends EventEmitter {
  reads = 0;
  destroyed = false;
  constructor(readonly address: string | undefined) {
    super();
  }
  get remoteAddress(): string | undefined {
    this.reads += 1;
    return this.address;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const asSocket = (socket: FakeSocket): Socket => socket as unknown as Socket;

describe('connections', () => {
  it("reads a connection's address once, when it opens, and says whether it may call", () => {
    const connections = new Connections(10, new Set(['10.0.0.7']));
    const local = new FakeSocket('127.0.0.1');
    const listed = new FakeSocket('10.0.0.7');
    const stranger = new FakeSocket('10.0.0.8');
    const gone = new FakeSocket(undefined);
    for (const socket of [local, listed, stranger, gone]) connections.admit(asSocket(socket));
    for (let i = 0; i < 3; i += 1) assert.equal(connections.of(asSocket(local)).client, '127.0.0.1');
    assert.equal(local.reads, 1, 'later requests on the connection do not ask the socket again');
    assert.deepEqual(
      [local, listed, stranger, gone].map((socket) => [connections.of(asSocket(socket)).client, connections.of(asSocket(socket)).allowed]),
      [
        ['127.0.0.1', true],
        ['10.0.0.7', true],
        ['10.0.0.8', false],
        ['', false],
      ],
    );
  });

  it('still judges a socket it never admitted, without remembering it', () => {
    const connections = new Connections(10, new Set());
    const unknown = new FakeSocket('::1');
    assert.equal(connections.of(asSocket(unknown)).allowed, true);
    assert.equal(connections.of(asSocket(new FakeSocket('192.0.2.1'))).allowed, false);
    connections.of(asSocket(unknown));
    assert.equal(unknown.reads, 2);
  });

  it('makes room by closing the oldest connection that has not proved the secret', () => {
    const connections = new Connections(2, new Set());
    const [emailengine, idle, newcomer, another] = [1, 2, 3, 4].map(() => new FakeSocket('127.0.0.1')) as [FakeSocket, FakeSocket, FakeSocket, FakeSocket];
    connections.admit(asSocket(emailengine));
    connections.admit(asSocket(idle));
    connections.proven(connections.of(asSocket(emailengine)));
    connections.admit(asSocket(newcomer));
    assert.deepEqual([emailengine.destroyed, idle.destroyed, newcomer.destroyed], [false, true, false]);
    connections.proven(connections.of(asSocket(newcomer)));
    connections.admit(asSocket(another));
    assert.equal(another.destroyed, true, 'every open connection proved the secret: the newcomer is refused');
    emailengine.destroy();
    const last = new FakeSocket('127.0.0.1');
    connections.admit(asSocket(last));
    assert.equal(last.destroyed, false, 'a closed connection frees its place');
  });
});
