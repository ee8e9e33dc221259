/**
 * The pure helpers the version matrix relies on: a procedure's argument list read without the `IN` modes 14+ prints
 * (inspect-routines.ts), and a fixture's lines chosen for a major (support/pg-fixtures.ts).
 */
import { describe, expect, it } from 'vitest';
import { dropInModes } from '../../src/dialects/postgres/inspect-routines.ts';
import { leavesOutNewerLines, sqlForMajor } from '../support/pg-fixtures.ts';

describe('dropInModes', () => {
  it.each([
    ['IN a integer', 'a integer'],
    ['IN a integer, INOUT b integer, IN c text', 'a integer, INOUT b integer, c text'],
    ["IN c text DEFAULT 'x, IN y'::text, IN d numeric(10,2)", "c text DEFAULT 'x, IN y'::text, d numeric(10,2)"],
    ['IN "IN x" integer, OUT o integer', '"IN x" integer, OUT o integer'],
    ["IN s text DEFAULT 'it''s, IN'::text", "s text DEFAULT 'it''s, IN'::text"],
    ['a integer, INOUT b integer', 'a integer, INOUT b integer'],
    ['', ''],
  ])('%s → %s', (printed, expected) => {
    expect(dropInModes(printed)).toBe(expected);
  });
});

describe('sqlForMajor', () => {
  const sql = ['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a) NULLS NOT DISTINCT; -- postgres 15+', 'CREATE INDEX i ON t (a); -- postgres <15', ''].join('\n');
  it.each([
    [13, ['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a); -- postgres <15', ''], true],
    [14, ['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a); -- postgres <15', ''], true],
    [15, ['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a) NULLS NOT DISTINCT; -- postgres 15+', ''], false],
    [18, ['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a) NULLS NOT DISTINCT; -- postgres 15+', ''], false],
  ])('on %i keeps the lines for it', (major, lines, standIns) => {
    expect(sqlForMajor(sql, major)).toBe(lines.join('\n'));
    expect(leavesOutNewerLines(sql, major)).toBe(standIns);
  });
});
