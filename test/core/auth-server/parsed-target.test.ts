import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REMEMBERED_TARGETS, ParsedTargets, parseTarget } from '../../../src/core/auth-server/parsed-target.js';

describe('parsed target', () => {
  it('reads the query, with the account and proto as the request log shows them', () => {
    assert.deepEqual(parseTarget('/authentication?account=sales&proto=smtp'), { query: { problem: null, account: 'sales', proto: 'smtp' }, shownAccount: 'sales', shownProto: 'smtp' });
    assert.deepEqual(parseTarget('/authentication').query, { problem: 'account_missing', account: '', proto: '' });
  });

  it('escapes and cuts what it shows', () => {
    const parsed = parseTarget(`/authentication?account=${encodeURIComponent('bad\nid')}&proto=${'x'.repeat(20)}`);
    assert.equal(parsed.query.problem, 'proto_invalid');
    assert.equal(parsed.shownAccount, 'bad?id');
    assert.equal(parsed.shownProto, 'xxxxx...');
  });
});

describe('parsed targets', () => {
  it('hands back the remembered parse, the same object with the same account string', () => {
    const targets = new ParsedTargets();
    const target = '/authentication?account=sales&proto=imap';
    assert.equal(targets.known(target), undefined);
    const parsed = parseTarget(target);
    targets.remember(target, parsed);
    assert.equal(targets.known(target), parsed);
    assert.equal(targets.known(`${target}&x=1`), undefined);
  });

  it('starts over past its limit, so callers cannot grow it without bound', () => {
    const targets = new ParsedTargets();
    const first = '/authentication?account=a0&proto=imap';
    targets.remember(first, parseTarget(first));
    for (let i = 1; i < MAX_REMEMBERED_TARGETS; i += 1) {
      const target = `/authentication?account=a${i}&proto=imap`;
      targets.remember(target, parseTarget(target));
    }
    assert.notEqual(targets.known(first), undefined);
    const over = '/authentication?account=over&proto=imap';
    targets.remember(over, parseTarget(over));
    assert.equal(targets.known(first), undefined);
    assert.notEqual(targets.known(over), undefined);
  });
});
