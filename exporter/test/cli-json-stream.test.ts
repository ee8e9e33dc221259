/**
 * `inspect --format json` is written a piece at a time (`cli/json-stream.ts`); the text must be exactly
 * `JSON.stringify(value, null, 2)` and a newline, whatever the values, and the pieces must be bounded.
 */
import { describe, expect, it } from 'vitest';
import { jsonPieces, writeJson } from '../src/cli/json-stream.ts';

function written(value: unknown): { text: string; chunks: string[] } {
  const chunks: string[] = [];
  writeJson(value, (text) => chunks.push(text));
  return { text: chunks.join(''), chunks };
}

/** A snapshot-shaped value with what JSON.stringify treats specially at every level the writer walks. */
function tableOf(i: number): Record<string, unknown> {
  return {
    name: `t_${i}`,
    comment: i % 3 === 0 ? 'multi\nline "quoted" \u2028 text' : null,
    skipped: undefined,
    fn: () => 1,
    columns: [
      { name: 'id', type: { raw: 'integer' }, nullable: false, default: null, attrs: {} },
      { name: 'at', created: new Date(Date.UTC(2026, 0, 2)), values: [1, undefined, 'ü', -0, 1e21] },
    ],
    indexes: [],
    attrs: { nested: { deeper: [[], {}, [{}]] } },
  };
}

const SNAPSHOT = {
  formatVersion: 1,
  dialect: 'postgres',
  source: { description: 'postgres://db/app', serverMajor: 15, missing: undefined },
  schemas: [
    { name: 'public', tables: Array.from({ length: 40 }, (_, i) => tableOf(i)), views: [], sequences: [undefined, null] },
    { name: 'empty', tables: [], attrs: {} },
  ],
  extensions: [],
  when: new Date(0),
};

describe('writeJson', () => {
  it.each([
    ['a snapshot-shaped value', SNAPSHOT],
    ['an empty object', {}],
    ['an empty array', []],
    ['a string', 'a "b"\n'],
    ['null', null],
    ['an array of undefined and functions', [undefined, () => 0, Symbol('s'), 1]],
    ['an object with only omitted values', { a: undefined, b: () => 0 }],
    ['a value with toJSON at the top', { toJSON: () => ({ replaced: [1, 2] }) }],
    ['deep nesting below the walked levels', { a: [{ b: [{ c: [{ d: [1, { e: 'f' }] }] }] }] }],
  ])('writes %s exactly as JSON.stringify(value, null, 2)', (_name, value) => {
    expect(written(value).text).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('writes a large snapshot in many chunks of bounded size', () => {
    const big = { ...SNAPSHOT, schemas: [{ name: 'public', tables: Array.from({ length: 5000 }, (_, i) => tableOf(i)) }] };
    const { text, chunks } = written(big);
    expect(text).toBe(`${JSON.stringify(big, null, 2)}\n`);
    expect(chunks.length).toBeGreaterThan(10);
    // A chunk closes once it reaches 64 Ki characters, so none is much longer than that plus one table's text.
    const longestTable = Math.max(...big.schemas[0]!.tables.map((t) => JSON.stringify(t, null, 2).length + 200));
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(64 * 1024 + longestTable);
  });

  it('stringifies each table alone: no piece holds two tables', () => {
    const pieces = [...jsonPieces(SNAPSHOT)];
    expect(pieces.filter((p) => p.includes('"t_1"') && p.includes('"t_2"'))).toEqual([]);
  });
});
