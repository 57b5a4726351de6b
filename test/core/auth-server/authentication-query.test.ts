import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAuthenticationQuery } from '../../../src/core/auth-server/authentication-query.js';

function parse(query: string): ReturnType<typeof parseAuthenticationQuery> {
  const target = `/authentication${query === '' ? '' : `?${query}`}`;
  return parseAuthenticationQuery(target, Math.min(target.length, '/authentication?'.length));
}

describe('authentication query', () => {
  it("reads EmailEngine's query", () => {
    assert.deepEqual(parse('account=sales&proto=imap'), { problem: null, account: 'sales', proto: 'imap' });
    assert.deepEqual(parse('proto=api&account=g'), { problem: null, account: 'g', proto: 'api' });
  });

  it('defaults proto to imap and ignores other parameters', () => {
    assert.deepEqual(parse('account=sales'), { problem: null, account: 'sales', proto: 'imap' });
    assert.deepEqual(parse('x=1&&flag&account=sales&y=%ZZ&proto=smtp&'), { problem: null, account: 'sales', proto: 'smtp' });
  });

  it('decodes like URLSearchParams: percent-encoding, plus as space, encoded keys', () => {
    assert.equal(parse('account=a%20b+c').account, 'a b c');
    assert.equal(parse('%61ccount=sales').account, 'sales');
    assert.equal(parse('account=%E2%9C%93').account, '✓');
  });

  it('refuses what a silent guess would get wrong', () => {
    assert.equal(parse('').problem, 'account_missing');
    assert.equal(parse('account=').problem, 'account_missing');
    assert.equal(parse('account').problem, 'account_missing');
    assert.equal(parse('account=a&account=a').problem, 'param_repeated');
    assert.equal(parse('account=a&acc%6Funt=b').problem, 'param_repeated');
    assert.equal(parse('account=a&proto=imap&proto=imap').problem, 'param_repeated');
    assert.equal(parse('account=a&proto=IMAP').problem, 'proto_invalid');
    assert.equal(parse('account=a&proto=').problem, 'proto_invalid');
    assert.equal(parse('account=%E0%A4%A').problem, 'encoding_invalid');
    assert.equal(parse('account=a&proto=%').problem, 'encoding_invalid');
  });

  it('keeps what it could read for the request log', () => {
    assert.deepEqual(parse('account=sales&proto=pop3'), { problem: 'proto_invalid', account: 'sales', proto: 'pop3' });
  });

  it('agrees with URLSearchParams whenever it accepts a query', () => {
    const key = fc.constantFrom('account', 'proto', 'x', '%61ccount', 'pro%74o', 'a+b', '');
    const value = fc.oneof(
      fc.constantFrom('imap', 'smtp', 'api', 'sales', '', '%', '%2', '%ZZ', '%C3%28', '+', '%2B', 'a=b', '%26'),
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.string({ maxLength: 12 }),
    );
    const param = fc.tuple(key, fc.option(value, { nil: undefined })).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    fc.assert(
      fc.property(fc.array(param, { maxLength: 6 }), (params) => {
        const query = params.join('&');
        const ours = parse(query);
        if (ours.problem !== null) return;
        const theirs = new URLSearchParams(query);
        assert.equal(theirs.getAll('account').length, 1);
        assert.equal(ours.account, theirs.get('account'));
        assert.equal(ours.proto, theirs.get('proto') ?? 'imap');
      }),
      { numRuns: 5_000 },
    );
  });
});
