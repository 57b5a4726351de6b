import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAuthenticationQuery, readUsualQuery } from '../../../src/core/auth-server/authentication-query.js';

function targetOf(query: string): [string, number] {
  const target = `/authentication${query === '' ? '' : `?${query}`}`;
  return [target, Math.min(target.length, '/authentication?'.length)];
}

function parse(query: string): ReturnType<typeof parseAuthenticationQuery> {
  return parseAuthenticationQuery(...targetOf(query));
}

function readUsual(query: string): ReturnType<typeof readUsualQuery> {
  return readUsualQuery(...targetOf(query));
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

  describe("EmailEngine's usual query, read in one pass", () => {
    it('reads account=<id>&proto=<known proto> and nothing else', () => {
      assert.deepEqual(readUsual('account=sales&proto=imap'), { problem: null, account: 'sales', proto: 'imap' });
      assert.deepEqual(readUsual('account=a=b&proto=smtp'), { problem: null, account: 'a=b', proto: 'smtp' });
      assert.deepEqual(readUsual('account=x&proto=api'), { problem: null, account: 'x', proto: 'api' });
      for (const other of ['', 'account=sales', 'account=&proto=imap', 'proto=imap&account=sales', 'account=a%20b&proto=imap', 'account=a+b&proto=imap', 'account=café&proto=imap', 'account=sales&proto=IMAP', 'account=sales&proto=imap&x=1', 'account=sales&proto=imapx', 'account=sales&proto=', 'account=sales&&proto=imap', 'account=sales&account=sales&proto=imap']) {
        assert.equal(readUsual(other), null, other);
      }
    });

    it('answers exactly what the general parser answers, whenever it answers', () => {
      const text = fc.oneof(fc.constantFrom('sales', 'imap', 'smtp', 'api', '', '=', '%41', '+', '&', 'a=b', 'x'.repeat(90)), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary-ascii', maxLength: 10 }));
      const visibleOrAny = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[!-~]{1,12}$/) }, { weight: 2, arbitrary: text });
      const query = fc.oneof(
        fc
          .tuple(visibleOrAny, fc.constantFrom('imap', 'smtp', 'api', 'IMAP', 'ima', 'imapx', ''), fc.constantFrom('', '', '&', '&x=1', '&proto=imap'))
          .map(([account, proto, rest]) => `account=${account}&proto=${proto}${rest}`),
        fc.array(text, { maxLength: 4 }).map((parts) => parts.join('&')),
      );
      let read = 0;
      fc.assert(
        fc.property(query, (q) => {
          const usual = readUsual(q);
          if (usual === null) return;
          read += 1;
          assert.deepEqual(usual, parse(q));
        }),
        { numRuns: 5_000 },
      );
      assert.ok(read > 100, `the usual shape came up ${read} times`);
    });
  });
});
