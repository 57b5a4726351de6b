import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrintableAscii } from '../../../src/core/auth-server/printable-text.js';

describe('printable text', () => {
  it('keeps ordinary ids as they are', () => {
    const id = 'sales.team-01';
    assert.equal(toPrintableAscii(id, 40), id);
  });

  it('replaces control and non-ASCII characters and cuts long text', () => {
    assert.equal(toPrintableAscii('a\r\nb✓', 40), 'a??b?');
    assert.equal(toPrintableAscii('x'.repeat(50), 10), 'xxxxxxx...');
  });

  it('always yields short printable ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 4, max: 100 }), (text, max) => {
        const out = toPrintableAscii(text, max);
        assert.ok(out.length <= max);
        assert.match(out, /^[\x20-\x7e]*$/);
      }),
    );
  });
});
