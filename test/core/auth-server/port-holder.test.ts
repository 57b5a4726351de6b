import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeHolder, isAnotherUser, listeningPortHolder } from '../../../src/core/auth-server/port-holder.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const linuxOnly = process.platform !== 'linux' && 'reads /proc/net/tcp (Linux)';

describe('listeningPortHolder', { skip: linuxOnly }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-port-holder-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the owner of the socket listening on the port, not of a connection that uses it', async () => {
    const tcp = join(dir, 'tcp');
    const passwd = join(dir, 'passwd');
    await writeFile(
      tcp,
      HEADER +
        // 127.0.0.1:7411 ↔ 127.0.0.1:50000, established (01), uid 0: a client, not the holder.
        '   0: 0100007F:1CF3 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 4 30 10 -1\n' +
        // 127.0.0.1:7411 listening (0A), uid 1001.
        '   1: 0100007F:1CF3 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 2 1 0000000000000000 100 0 0 10 0\n',
    );
    await writeFile(passwd, 'root:x:0:0:root:/root:/bin/bash\nmallory:x:1001:1001::/home/mallory:/bin/sh\n');
    assert.deepEqual(listeningPortHolder(7411, [tcp], passwd), { uid: 1001, name: 'mallory' });
    assert.equal(listeningPortHolder(7412, [tcp], passwd), null, 'nobody listens there');
    assert.deepEqual(listeningPortHolder(7411, [join(dir, 'missing'), tcp], join(dir, 'no-passwd')), { uid: 1001, name: null }, 'a uid without a passwd entry');
  });

  it('finds this process as the holder of its own listener, which is not another user', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const holder = listeningPortHolder((server.address() as AddressInfo).port);
      assert.equal(holder?.uid, process.getuid?.());
      assert.equal(isAnotherUser(holder), false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('counts every other uid as another user, and words the holder with or without a name', () => {
    const own = process.getuid?.() ?? 0;
    assert.equal(isAnotherUser({ uid: own + 1, name: null }), true);
    assert.equal(isAnotherUser(null), false);
    assert.equal(describeHolder({ uid: 1001, name: 'mallory' }), 'user mallory (uid 1001)');
    assert.equal(describeHolder({ uid: 1001, name: null }), 'uid 1001');
  });
});
