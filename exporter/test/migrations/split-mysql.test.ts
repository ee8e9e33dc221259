/**
 * MySQL statement splitter: golden files (input `<case>.sql`, expected `<case>.json` under
 * exporter/test/golden/split-mysql/), regenerated only with UPDATE_GOLDEN=1, plus a check that every valid golden
 * input runs statement by statement on the real MariaDB server (a wrong split point is a syntax error there).
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMysqlStatements } from '../../src/dialects/mysql/split.ts';
import { createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';
import { describeSplitGoldens, splitGoldens } from '../support/split-golden.ts';

const goldens = splitGoldens('split-mysql');

describeSplitGoldens('splitMysqlStatements golden files', goldens, splitMysqlStatements, (statement) => {
  // No terminator and no client command is ever sent.
  expect(statement.sql).not.toMatch(/^\s|\s$|;$|\$\$$|\/\/$/);
  expect(statement.sql).not.toMatch(/^delimiter\s/i);
});

describe('splitMysqlStatements edge cases', () => {
  it.each([
    ['empty input', '', []],
    ['only comments and semicolons', ' -- x\n;; /* y */ ;\n# z\n', []],
    ['no trailing semicolon', 'SELECT 1', ['SELECT 1']],
    ['-- without a space is not a comment', 'SELECT 1--1; SELECT 2', ['SELECT 1--1', 'SELECT 2']],
    ['-- followed by a tab is a comment', 'SELECT 1 --\t; x\n; SELECT 2', ['SELECT 1', 'SELECT 2']],
    ['-- at the very end is a comment', 'SELECT 1; --', ['SELECT 1']],
    ['# comment hides a semicolon', 'SELECT 1 # ; no\n; SELECT 2', ['SELECT 1', 'SELECT 2']],
    ['comments do not nest', 'SELECT 1 /* /* */; SELECT 2', ['SELECT 1', 'SELECT 2']],
    ['backslash escapes a quote', "SELECT 'a\\';b'; SELECT 2", ["SELECT 'a\\';b'", 'SELECT 2']],
    ['escaped backslash before the closing quote', "SELECT 'a\\\\'; SELECT 2", ["SELECT 'a\\\\'", 'SELECT 2']],
    ['doubled double quote', 'SELECT "a"";b"; SELECT 2', ['SELECT "a"";b"', 'SELECT 2']],
    ['backticks take no backslash escape', 'SELECT `a\\`; SELECT 2', ['SELECT `a\\`', 'SELECT 2']],
    ['executable comment keeps its semicolons', '/*!50003 SELECT 1; SELECT 2 */; SELECT 3', ['/*!50003 SELECT 1; SELECT 2 */', 'SELECT 3']],
    ['MariaDB executable comment', '/*M!100100 SET @a = 1 */; SELECT 3', ['/*M!100100 SET @a = 1 */', 'SELECT 3']],
    ['a word stops at the delimiter', 'DELIMITER $$\nSELECT a$$SELECT b$$', ['SELECT a', 'SELECT b']],
    ['delimiter inside a string does not split', "DELIMITER $$\nSELECT '$$'$$", ["SELECT '$$'"]],
    ['quoted delimiter argument', "DELIMITER '//'\nSELECT 1//", ['SELECT 1']],
    ['DELIMITER mid-statement is statement text', 'SELECT 1\nDELIMITER $$\n;', ['SELECT 1\nDELIMITER $$']],
    ['DELIMITER without a space is a word', 'DELIMITER;', ['DELIMITER']],
    ['BEGIN transaction is no block', 'BEGIN; SELECT 1; COMMIT;', ['BEGIN', 'SELECT 1', 'COMMIT']],
    ['START TRANSACTION; END is no block', 'START TRANSACTION; SELECT 1; COMMIT', ['START TRANSACTION', 'SELECT 1', 'COMMIT']],
    ['BEGIN WORK is no block', 'BEGIN WORK; SELECT 1', ['BEGIN WORK', 'SELECT 1']],
    ['procedure named begin', 'CREATE PROCEDURE begin() SELECT 1; SELECT 2', ['CREATE PROCEDURE begin() SELECT 1', 'SELECT 2']],
    ['trigger named begin', 'CREATE TRIGGER begin BEFORE INSERT ON t FOR EACH ROW SET @a = 1; SELECT 2',
      ['CREATE TRIGGER begin BEFORE INSERT ON t FOR EACH ROW SET @a = 1', 'SELECT 2']],
    ['table with a column named begin', 'CREATE TABLE t (begin int); SELECT 2', ['CREATE TABLE t (begin int)', 'SELECT 2']],
    ['nested blocks', 'CREATE PROCEDURE p() BEGIN BEGIN SELECT 1; END; IF 1 THEN SELECT 2; END IF; END; SELECT 3',
      ['CREATE PROCEDURE p() BEGIN BEGIN SELECT 1; END; IF 1 THEN SELECT 2; END IF; END', 'SELECT 3']],
    ['CASE expression inside a body', 'CREATE FUNCTION f() RETURNS int BEGIN RETURN CASE WHEN 1 THEN 1 END; END; SELECT 3',
      ['CREATE FUNCTION f() RETURNS int BEGIN RETURN CASE WHEN 1 THEN 1 END; END', 'SELECT 3']],
    ['CASE outside a body is not counted', 'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = CASE WHEN 1 THEN 2 END; SELECT 3',
      ['CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = CASE WHEN 1 THEN 2 END', 'SELECT 3']],
    ['MariaDB BEGIN NOT ATOMIC block', 'BEGIN NOT ATOMIC DECLARE n int; SET n = 1; END; SELECT 3',
      ['BEGIN NOT ATOMIC DECLARE n int; SET n = 1; END', 'SELECT 3']],
    ['unterminated comment stays in its statement', 'SELECT 1 /* a; SELECT 2;', ['SELECT 1 /* a; SELECT 2;']],
    ['unterminated body runs to the end', 'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;', ['CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;']],
  ])('%s', (_name, input, expected) => {
    expect(splitMysqlStatements(input).map((s) => s.sql)).toEqual(expected);
  });

  it('reports offsets and 1-based lines of each statement start, skipping DELIMITER lines', () => {
    expect(splitMysqlStatements('\n\n  SELECT 1;\nDELIMITER $$\n/* c\n */ SELECT\n 2$$')).toEqual([
      { sql: 'SELECT 1', offset: 4, line: 3 },
      { sql: 'SELECT\n 2', offset: 36, line: 6 },
    ]);
  });
});

describe('valid golden inputs run statement by statement on MariaDB', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempMysqlDatabase('sdsplit');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(goldens.validCases)('%s', async (name) => {
    // Each case in its own database so cases can reuse table names.
    const database = `${db.name}_${name.replaceAll('-', '_')}`.slice(0, 64);
    const connection = await mysql.createConnection(db.url);
    try {
      await connection.query(`CREATE DATABASE \`${database}\``);
      await connection.query(`USE \`${database}\``);
      const statements = splitMysqlStatements(goldens.readCase(name));
      for (const statement of statements) await connection.query(statement.sql);
      expect(statements.length).toBeGreaterThan(2);
    } finally {
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => {});
      await connection.end();
    }
  });

  it.each([
    ['invalid-unterminated', 3],
    ['invalid-delimiter', 2],
  ])('%s fails on the server at statement %i, not before', async (name, failing) => {
    const database = `${db.name}_${name.replaceAll('-', '_')}`.slice(0, 64);
    const connection = await mysql.createConnection(db.url);
    try {
      await connection.query(`CREATE DATABASE \`${database}\``);
      await connection.query(`USE \`${database}\``);
      let failed = 0;
      for (const [index, statement] of splitMysqlStatements(goldens.readCase(name)).entries()) {
        const ok = await connection.query(statement.sql).then(() => true, () => false);
        if (!ok) {
          failed = index + 1;
          break;
        }
      }
      expect(failed).toBe(failing);
    } finally {
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => {});
      await connection.end();
    }
  });
});
