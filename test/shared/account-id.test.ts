import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_ACCOUNT_ID_LENGTH,
  accountIdForLog,
  accountIdForShell,
  accountIdForUrlPath,
  deleteOwnValue,
  ownValue,
  quoteAccountId,
  setOwnValue,
  validateAccountId,
} from '../../src/shared/account-id.js';

describe('account ids as EmailEngine allows them', () => {
  it('accepts what EmailEngine accepts: addresses, spaces inside, unicode, prototype names, 256 characters', () => {
    for (const id of ['sales', 'sales@contoso.com', 'Sales Team', 'café-ñ', '販売', '😀', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '-dash', 'a/b?c#d%e', 'x'.repeat(MAX_ACCOUNT_ID_LENGTH)]) {
      assert.equal(validateAccountId(id), null, id);
    }
  });

  it('refuses what is unsafe or ambiguous, each with a message', () => {
    const refused: [string, RegExp][] = [
      ['', /Enter an account id/],
      ['x'.repeat(MAX_ACCOUNT_ID_LENGTH + 1), /at most 256/],
      ['a\nb', /control/],
      ['a\tb', /control/],
      ['a\u0000b', /control/],
      ['a\u202eb', /control, invisible/], // right-to-left override
      ['a\u200bb', /control, invisible/], // zero-width space
      ['a\u2028b', /line-break/],
      ['a\ud800b', /surrogate/],
      [' sales', /spaces at the start or end/],
      ['sales\u00a0', /spaces at the start or end/],
      ['cafe\u0301', /NFC/],
    ];
    for (const [id, message] of refused) assert.match(validateAccountId(id) ?? 'accepted', message, JSON.stringify(id));
  });

  it('keeps log lines one line and shell hints one word', () => {
    assert.equal(accountIdForLog('sales@contoso.com'), 'sales@contoso.com');
    assert.equal(accountIdForLog('Sales Team'), '"Sales Team"');
    assert.equal(accountIdForLog('a\nb'), '"a\\nb"');
    assert.equal(accountIdForLog('a\u202eb'), '"a\\u202eb"');
    assert.equal(accountIdForLog('café'), '"café"');
    assert.equal(quoteAccountId('sales'), '"sales"');
    assert.equal(accountIdForShell('sales@contoso.com'), 'sales@contoso.com');
    assert.equal(accountIdForShell("it's"), `'it'\\''s'`);
    assert.equal(accountIdForShell('-x'), '-- -x');
    assert.equal(accountIdForUrlPath('a/b c@d'), 'a%2Fb%20c%40d');
  });

  it('looks ids up as own keys only, __proto__ included', () => {
    const record: Record<string, number> = {};
    assert.equal(ownValue(record, 'constructor'), undefined);
    assert.equal(ownValue(record, 'toString'), undefined);
    assert.equal(ownValue(record, '__proto__'), undefined);
    setOwnValue(record, '__proto__', 1);
    setOwnValue(record, 'constructor', 2);
    assert.equal(Object.getPrototypeOf(record), Object.prototype, 'the prototype is untouched');
    assert.deepEqual(Object.keys(record), ['__proto__', 'constructor']);
    assert.equal(ownValue(record, '__proto__'), 1);
    assert.deepEqual(JSON.parse(JSON.stringify(record)), record);
    deleteOwnValue(record, '__proto__');
    deleteOwnValue(record, 'toString');
    assert.deepEqual(Object.keys(record), ['constructor']);
  });
});
