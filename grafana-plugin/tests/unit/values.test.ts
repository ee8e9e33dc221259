import { describe, expect, it } from 'vitest';

import { asBoolean, asEnum, asIndexList, asIsoTime, asList, asNumber, asText } from '../../src/data/values.ts';

describe('value readers accept what Infinity may hand over', () => {
  it.each<[unknown, number | null]>([
    [3, 3],
    ['3', 3],
    [' 2.5 ', 2.5],
    ['', null],
    ['abc', null],
    [Number.NaN, null],
    [null, null],
    [undefined, null],
  ])('asNumber(%j) = %j', (value, expected) => {
    expect(asNumber(value)).toBe(expected);
  });

  it.each<[unknown, boolean | null]>([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    [1, true],
    [0, false],
    ['yes', null],
    [null, null],
  ])('asBoolean(%j) = %j', (value, expected) => {
    expect(asBoolean(value)).toBe(expected);
  });

  it.each<[unknown, string[]]>([
    ['data_loss,table_rewrite', ['data_loss', 'table_rewrite']],
    ['', []],
    [null, []],
    ['a, b,,c', ['a', 'b', 'c']],
    [7, ['7']],
  ])('asList(%j) = %j', (value, expected) => {
    expect(asList(value)).toEqual(expected);
  });

  it.each<[unknown, number[]]>([
    ['2,3,4', [2, 3, 4]],
    [0, [0]],
    ['1,x,-2,3.5', [1]],
    ['', []],
  ])('asIndexList(%j) = %j', (value, expected) => {
    expect(asIndexList(value)).toEqual(expected);
  });

  it('asIsoTime reads epoch milliseconds, Dates and ISO text', () => {
    expect(asIsoTime(Date.UTC(2025, 2, 1, 6, 0, 2, 500))).toBe('2025-03-01T06:00:02.500Z');
    expect(asIsoTime(new Date('2025-03-01T06:00:00Z'))).toBe('2025-03-01T06:00:00.000Z');
    expect(asIsoTime('2025-03-01T06:00:02.500Z')).toBe('2025-03-01T06:00:02.500Z');
    expect(asIsoTime('')).toBeNull();
    expect(asIsoTime(null)).toBeNull();
  });

  it('asText keeps empty strings and stringifies scalars', () => {
    expect(asText('')).toBe('');
    expect(asText(4)).toBe('4');
    expect(asText(false)).toBe('false');
    expect(asText(undefined)).toBeNull();
  });

  it('asEnum falls back outside the set', () => {
    const set = ['ok', 'extra'] as const;
    expect(asEnum('extra', set, 'ok')).toBe('extra');
    expect(asEnum('weird', set, 'ok')).toBe('ok');
    expect(asEnum(undefined, set, null)).toBeNull();
  });
});
