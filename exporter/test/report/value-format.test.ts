/**
 * Attribute values on one line (`diff`'s text, the panel's "Expected vs actual"): index key parts read as the SQL list
 * they were written as, not as JSON; strings quoted or bare as each output wants; long values cut.
 */
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/core/render/value.ts';

const BARE = { maxLength: 120, quoteStrings: false };
const QUOTED = { maxLength: 160, quoteStrings: true };

describe('formatValue', () => {
  it('index parts as SQL: columns, expressions in parentheses, options in CREATE INDEX order', () => {
    const parts = [
      { expression: 'lower((slug)::text)' },
      { column: 'created_at', descending: true, nullsFirst: false },
      { column: 'name', collation: '"C"', opclass: 'text_pattern_ops' },
      { column: 'title', prefixLength: 20 },
    ];
    const sql = '((lower((slug)::text)), created_at DESC NULLS LAST, name COLLATE "C" text_pattern_ops, title(20))';
    expect(formatValue(parts, BARE)).toBe(sql);
    expect(formatValue(parts, QUOTED)).toBe(sql);
  });

  it('strings bare or quoted, line breaks as spaces, other values as JSON, missing as none', () => {
    expect(formatValue('SELECT a,\n    b  FROM t', BARE)).toBe('SELECT a, b FROM t');
    expect(formatValue('unset ', QUOTED)).toBe('"unset "');
    expect(formatValue('a\nb', QUOTED)).toBe('"a b"');
    expect(formatValue({ onDelete: 'cascade' }, BARE)).toBe('{"onDelete":"cascade"}');
    expect(formatValue([], BARE)).toBe('[]');
    expect(formatValue(undefined, BARE)).toBe('none');
  });

  it('cuts long values with an ellipsis at the format length', () => {
    expect(formatValue('x'.repeat(200), BARE)).toBe(`${'x'.repeat(119)}…`);
  });
});
