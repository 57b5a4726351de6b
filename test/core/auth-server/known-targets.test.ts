import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KnownTargets, parseTarget } from '../../../src/core/auth-server/known-targets.js';

const SALES = '/authentication?account=sales&proto=smtp';

describe('known targets', () => {
  it('parses a target it has not kept, with the shown account and proto', () => {
    const targets = new KnownTargets();
    const parsed = targets.parse(SALES);
    assert.deepEqual(parsed, { query: { problem: null, account: 'sales', proto: 'smtp' }, shownAccount: 'sales', shownProto: 'smtp' });
    assert.equal(targets.size, 0, 'parsing alone keeps nothing: only an authenticated request is remembered');
  });

  it('answers a remembered target with the very same parse', () => {
    const targets = new KnownTargets();
    const first = targets.parse(SALES);
    targets.remember(SALES, first);
    assert.equal(targets.parse(SALES), first);
    assert.notEqual(targets.parse('/authentication?account=sales&proto=imap'), first);
  });

  it('never keeps an invalid query', () => {
    const targets = new KnownTargets();
    for (const target of ['/authentication?proto=imap', '/authentication?account=a&proto=pop3', '/authentication?account=a&account=b']) {
      targets.remember(target, parseTarget(target));
    }
    assert.equal(targets.size, 0);
  });

  it('escapes what it shows, as the request log needs', () => {
    const parsed = parseTarget(`/authentication?account=${encodeURIComponent('bad\nid')}&proto=${'x'.repeat(20)}`);
    assert.equal(parsed.shownAccount, 'bad?id');
    assert.equal(parsed.shownProto.length, 8);
  });

  it('starts over when full, so a caller cycling through targets cannot grow it', () => {
    const targets = new KnownTargets(3);
    for (let i = 0; i < 10; i += 1) {
      const target = `/authentication?account=a${i}`;
      targets.remember(target, parseTarget(target));
      assert.ok(targets.size <= 3);
    }
    assert.equal(targets.parse('/authentication?account=a9').query.account, 'a9');
  });
});
