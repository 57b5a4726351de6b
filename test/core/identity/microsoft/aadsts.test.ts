import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AADSTS, BLOCKING_CODES, CONSENT_CODES, aadstsCodeIn } from '../../../../src/core/identity/microsoft/aadsts.js';

describe('aadsts', () => {
  it('finds the AADSTS code inside an error message', () => {
    assert.equal(aadstsCodeIn('AADSTS50173: The provided grant has expired.'), '50173');
    assert.equal(aadstsCodeIn('invalid_grant: AADSTS7000218: body must contain client_assertion'), '7000218');
    assert.equal(aadstsCodeIn('no code here'), null);
    assert.equal(aadstsCodeIn('AADSTS12: too short'), null);
    assert.equal(aadstsCodeIn(undefined), null);
    assert.equal(aadstsCodeIn(null), null);
  });

  it('explains every code it treats specially', () => {
    for (const code of [...BLOCKING_CODES, ...CONSENT_CODES]) {
      assert.ok(AADSTS[code], `AADSTS${code} has a summary and advice`);
      assert.ok(AADSTS[code]!.summary.length > 0 && AADSTS[code]!.advice.length > 0);
    }
  });
});
