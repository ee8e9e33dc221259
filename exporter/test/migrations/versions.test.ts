import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/migrations/index.ts';

describe('compareVersions', () => {
  it.each([
    ['2', '10', -1],
    ['10', '2', 1],
    ['001', '1', 0],
    ['002', '10', -1],
    ['1.9', '1.10', -1],
    ['1_10', '1.9', 1],
    ['1.1', '1_1', 0],
    ['1', '1.0', 0],
    ['1', '1.0.1', -1],
    ['2', '1.999', 1],
    ['20240101120000', '20240101120001', -1],
    ['20240101120000', '9999999999', 1],
    // Beyond 2^53: Number() would make these equal.
    ['9007199254740993', '9007199254740992', 1],
    ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ['0001.0002', '1.2', 0],
    ['1', '1a', -1],
    ['1.b', '1.a', 1],
  ])('compareVersions(%s, %s) has sign %d', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(-sign || 0);
  });

  it('sorts a mixed list numerically', () => {
    const versions = ['10', '1.10', '2', '1.9', '1', '001.2'];
    expect([...versions].sort(compareVersions)).toEqual(['1', '001.2', '1.9', '1.10', '2', '10']);
  });
});
