import assert from 'node:assert/strict';
import { timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { BasicCredentialsChecker, MIN_COMPARE_BLOCK_BYTES, basicAuthorizationValue } from '../../../src/core/auth-server/basic-credentials.js';

const CREDENTIALS = { username: 'emailengine', password: 'Zk3-q_9vLr2mX8tPq4wE7yUi0oA1sD5f' };
const GOOD = basicAuthorizationValue(CREDENTIALS);

describe('basic credentials', () => {
  it('builds the header EmailEngine sends for URL credentials', () => {
    assert.equal(GOOD, `Basic ${Buffer.from('emailengine:Zk3-q_9vLr2mX8tPq4wE7yUi0oA1sD5f').toString('base64')}`);
  });

  it('accepts the right header, in any scheme case, and refuses the rest', () => {
    const checker = new BasicCredentialsChecker(() => CREDENTIALS);
    assert.equal(checker.check(GOOD), 'ok');
    assert.equal(checker.check(GOOD.replace('Basic', 'BASIC')), 'ok');
    assert.equal(checker.check(`  ${GOOD.replace('Basic ', 'basic   ')} `), 'ok');
    assert.equal(checker.check(undefined), 'missing');
    assert.equal(checker.check(''), 'missing');
    for (const wrong of ['Basic', 'Basic ', `${GOOD}=`, GOOD.slice(0, -1), GOOD.replace('Basic', 'Bearer'), `${GOOD}${'A'.repeat(1_000)}`, GOOD.toLowerCase()]) {
      assert.equal(checker.check(wrong), 'wrong', wrong.slice(0, 40));
    }
  });

  it('compares fixed-size blocks with the constant-time comparison, whatever the length sent', () => {
    const seen: number[][] = [];
    const checker = new BasicCredentialsChecker(
      () => CREDENTIALS,
      (a, b) => {
        seen.push([a.byteLength, b.byteLength]);
        return timingSafeEqual(a, b);
      },
    );
    for (const header of [GOOD, 'Basic x', `${GOOD}AAAA`, `Basic ${'Q'.repeat(60)}`]) checker.check(header);
    assert.deepEqual(seen, Array.from({ length: 4 }, () => [MIN_COMPARE_BLOCK_BYTES, MIN_COMPARE_BLOCK_BYTES]));
    // Longer than the block: refused on its length alone, which is the caller's own.
    assert.equal(checker.check(`Basic ${'Q'.repeat(MIN_COMPARE_BLOCK_BYTES)}`), 'wrong');
    assert.equal(seen.length, 4);
  });

  it('takes new credentials on the next check, and fits long ones in a larger block', () => {
    let current = CREDENTIALS;
    const checker = new BasicCredentialsChecker(() => current);
    assert.equal(checker.check(GOOD), 'ok');
    current = { username: 'emailengine', password: 'p'.repeat(400) };
    assert.equal(checker.check(GOOD), 'wrong');
    assert.equal(checker.check(basicAuthorizationValue(current)), 'ok');
  });

  it('remembers a connection that passed, only for the same header and the same credentials', () => {
    let compares = 0;
    let current = CREDENTIALS;
    const checker = new BasicCredentialsChecker(
      () => current,
      (a, b) => {
        compares += 1;
        return timingSafeEqual(a, b);
      },
    );
    const emailengine = { provenGeneration: 0 };
    const guesser = { provenGeneration: 0 };
    assert.equal(checker.check(GOOD, emailengine), 'ok');
    assert.equal(checker.check(GOOD, emailengine), 'ok');
    assert.equal(compares, 1, 'the second request on the same connection skips the block compare');
    assert.equal(checker.check(`${GOOD.slice(0, -2)}AA`, emailengine), 'wrong', 'another header on that connection is checked in full');
    assert.equal(compares, 2);
    for (let i = 0; i < 3; i += 1) assert.equal(checker.check(`Basic ${'Q'.repeat(60)}`, guesser), 'wrong');
    assert.equal(compares, 5, 'a connection that never passed takes the constant-time path every time');
    current = { username: 'emailengine', password: 'rotated-0123456789abcdef0123' };
    assert.equal(checker.check(GOOD, emailengine), 'wrong', 'rotation forgets remembered connections');
    assert.equal(checker.check(basicAuthorizationValue(current), emailengine), 'ok');
  });
});
