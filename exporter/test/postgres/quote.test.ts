import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../src/dialects/postgres/quote.ts';

describe('quoteIdent', () => {
  it.each([
    ['users', 'users'],
    ['_x1', '_x1'],
    ['Users', '"Users"'],
    ['user', '"user"'],
    ['order', '"order"'],
    ['select', '"select"'],
    ['timestamp', '"timestamp"'],
    ['name', 'name'],
    ['1abc', '"1abc"'],
    ['a b', '"a b"'],
    ['a"b', '"a""b"'],
    ['with$dollar', '"with$dollar"'],
    ['', '""'],
  ])('%j → %s', (input, expected) => {
    expect(quoteIdent(input)).toBe(expected);
  });
});

describe('quoteQualified / quoteLiteral', () => {
  it('quotes each part of a qualified name on its own', () => {
    expect(quoteQualified('public', 'user')).toBe('public."user"');
    expect(quoteQualified('My Schema', 'items')).toBe('"My Schema".items');
  });
  it.each([
    ["it's", "'it''s'"],
    ['back\\slash', "'back\\slash'"],
    ['', "''"],
  ])('literal %j → %s', (input, expected) => {
    expect(quoteLiteral(input)).toBe(expected);
  });
});
