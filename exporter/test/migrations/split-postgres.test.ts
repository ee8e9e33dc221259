/**
 * Statement splitter: golden files (input `<case>.sql`, expected `<case>.json` under exporter/test/golden/split/),
 * regenerated only with UPDATE_GOLDEN=1, plus a check that every valid golden input runs statement by statement
 * on the real PostgreSQL server (a wrong split point is a syntax error there).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitPostgresStatements } from '../../src/dialects/postgres/split.ts';
import { type TempDatabase, createTempPgDatabase } from '../support/servers.ts';
import { describeSplitGoldens, splitGoldens } from '../support/split-golden.ts';

const goldens = splitGoldens('split');

describeSplitGoldens('splitPostgresStatements golden files', goldens, splitPostgresStatements, (statement) => {
  expect(statement.sql).not.toMatch(/^\s|\s$|;$/);
});

describe('splitPostgresStatements edge cases', () => {
  it.each([
    ['empty input', '', []],
    ['only comments and semicolons', ' -- x\n;; /* y */ ;\n', []],
    ['no trailing semicolon', 'SELECT 1', ['SELECT 1']],
    ['$1 is a parameter, not a dollar quote', 'SELECT $1; SELECT $2', ['SELECT $1', 'SELECT $2']],
    ['$ inside an identifier is not a quote', 'SELECT a$b$c; SELECT 2', ['SELECT a$b$c', 'SELECT 2']],
    ['empty dollar tag', 'SELECT $$a;b$$; SELECT 2', ['SELECT $$a;b$$', 'SELECT 2']],
    ['E string with escaped quote', "SELECT E'\\';'; SELECT 2", ["SELECT E'\\';'", 'SELECT 2']],
    ['word ending in e before a string is no E string', "SELECT some'x\\'; SELECT 2", ["SELECT some'x\\'", 'SELECT 2']],
    ['semicolon inside parentheses (rule actions)', 'CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3',
      ['CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)', 'SELECT 3']],
    ['BEGIN transaction is not a function body', 'BEGIN; SELECT 1; END;', ['BEGIN', 'SELECT 1', 'END']],
    ['function named begin does not open a body', 'CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; SELECT 2',
      ['CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1', 'SELECT 2']],
    ['unterminated comment stays in its statement', 'SELECT 1 /* a; SELECT 2;', ['SELECT 1 /* a; SELECT 2;']],
    ['a nested comment closed once is still open', 'SELECT 1; /* /* */ SELECT 2;', ['SELECT 1', '/* /* */ SELECT 2;']],
    ['BEGIN ATOMIC with comment between words', 'CREATE PROCEDURE p() BEGIN /* c */ ATOMIC SELECT 1; END; SELECT 2',
      ['CREATE PROCEDURE p() BEGIN /* c */ ATOMIC SELECT 1; END', 'SELECT 2']],
  ])('%s', (_name, input, expected) => {
    expect(splitPostgresStatements(input).map((s) => s.sql)).toEqual(expected);
  });

  it('reports offsets and 1-based lines of each statement start', () => {
    expect(splitPostgresStatements('\n\n  SELECT 1;\n/* c\n */ SELECT\n 2;')).toEqual([
      { sql: 'SELECT 1', offset: 4, line: 3 },
      { sql: 'SELECT\n 2', offset: 23, line: 5 },
    ]);
  });
});

describe('valid golden inputs run statement by statement on PostgreSQL', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempPgDatabase('sdsplit');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(goldens.validCases)('%s', async (name) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // Each case in its own schema so cases can reuse table names.
      const schema = `golden_${name.replaceAll('-', '_')}`;
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      const statements = splitPostgresStatements(goldens.readCase(name));
      for (const statement of statements) await client.query(statement.sql);
      expect(statements.length).toBeGreaterThan(2);
    } finally {
      await client.end();
    }
  });
});
