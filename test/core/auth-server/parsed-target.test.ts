import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTarget } from '../../../src/core/auth-server/parsed-target.js';

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
