/**
 * Liquibase formatted SQL changelogs, directory side: Liquibase's checksum against values Liquibase itself wrote,
 * the formatted SQL parser, the statement splitter, the changelog order (master changelog or includeAll), and the
 * errors that name file and line.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { baseName, liquibaseChecksum, liquibaseKey } from '../../src/migrations/liquibase-checksum.ts';
import { splitLiquibaseSql } from '../../src/migrations/liquibase-split.ts';
import { parseFormattedSql } from '../../src/migrations/liquibase-sql.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fail = (message: string, line: number) => new Error(`line ${line}: ${message}`);
const parse = (text: string) => parseFormattedSql(text, fail).changesets;

describe('liquibaseChecksum', () => {
  // MD5SUMs Liquibase wrote in its update-sql output (4.29.2 on PostgreSQL, 4.29.1 on MySQL), for formatted SQL
  // changesets whose SQL the same output shows.
  it.each([
    ['CREATE SCHEMA person;', '9:4d4937eff7a4f5ff61362e8bd729c555'],
    [
      'CREATE TABLE person.person (\n    id BIGINT GENERATED ALWAYS AS IDENTITY,\n    name VARCHAR(255) NOT NULL,\n    CONSTRAINT person__id__pkey PRIMARY KEY (id)\n);',
      '9:f555528fa823edf1d4330f605159d538',
    ],
    [
      "INSERT INTO liquibase_quickstart.person (id, name, address1, address2, city) VALUES (1, 'John Doe', '123 Main St', 'Apt 1', 'Beverly Hills');",
      '9:ac8dc4edceb0733373ac291b4a1bf9be',
    ],
  ])('%s → %s (as Liquibase 4.29 wrote it)', (sql, md5sum) => {
    const [changeset] = parse(`--liquibase formatted sql\n\n--changeset sander:x\n${sql}\n--rollback DROP SCHEMA person;\n\n`);
    expect(changeset?.liquibaseSql).toBe(sql);
    expect(liquibaseChecksum(changeset?.liquibaseSql ?? '')).toBe(md5sum);
  });

  it('ignores white space and line endings, not comments or case', () => {
    const base = liquibaseChecksum('CREATE SCHEMA person;');
    expect(liquibaseChecksum('CREATE  SCHEMA\r\n\tperson ;')).toBe(base);
    expect(liquibaseChecksum('create schema person;')).not.toBe(base);
    expect(liquibaseChecksum('-- x\nCREATE SCHEMA person;')).not.toBe(base);
  });
});

describe('liquibaseKey', () => {
  it('matches a FILENAME by its base name, whatever the deploy prefixed', () => {
    const key = liquibaseKey('1', 'alice', 'changes/001-init.sql');
    expect(key).toBe('1::alice::001-init.sql');
    expect(liquibaseKey('1', 'alice', 'classpath:/db/changelog/changes/001-init.sql')).toBe(key);
    expect(liquibaseKey('1', 'alice', 'db\\changelog\\001-init.sql')).toBe(key);
    expect(baseName('001-init.sql')).toBe('001-init.sql');
  });
});

describe('parseFormattedSql', () => {
  it('reads a changeset line with its attributes, and leaves Liquibase lines out of the SQL', () => {
    const [a, b] = parse(
      [
        '--liquibase formatted sql logicalFilePath:db/main.sql',
        '--property name:tbl value:people',
        '',
        '--changeset "Jane Doe":"change 1" runOnChange:true splitStatements:false endDelimiter:// context:"prod and !test" labels:v1 dbms:postgresql,mysql runInTransaction:false',
        '--comment: people',
        '--preconditions onFail:MARK_RAN',
        '--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_tables',
        'CREATE TABLE ${tbl} (id int);',
        '--rollback DROP TABLE ${tbl};',
        '/* liquibase rollback',
        'DROP TABLE x;',
        '*/',
        '--changeset bob:2 logicalFilePath:other.sql ignore:true',
        '--ignoreLines:1',
        'this line is not SQL',
        'SELECT 1;',
      ].join('\n'),
    );
    expect(a).toMatchObject({
      id: 'change 1',
      author: 'Jane Doe',
      line: 4,
      logicalFilePath: 'db/main.sql',
      runOnChange: true,
      runAlways: false,
      splitStatements: false,
      endDelimiter: '//',
      runInTransaction: false,
      dbms: ['postgresql', 'mysql'],
      context: 'prod and !test',
      labels: 'v1',
      comment: 'people',
      preconditions: true,
      liquibaseSql: 'CREATE TABLE people (id int);',
    });
    // The replay text keeps the lines (as comments) so offsets map back to the file.
    expect(a?.text.split('\n')).toHaveLength(9);
    expect(b).toMatchObject({ id: '2', author: 'bob', line: 13, logicalFilePath: 'other.sql', ignore: true, liquibaseSql: 'SELECT 1;' });
    expect(b?.text).not.toContain('this line is not SQL');
  });

  it.each([
    ['--changeset alice\nSELECT 1;', /line 3: expected "--changeset <authorname>:<changesetId>"/],
    ['--changeset alice: 1\nSELECT 1;', /line 3: expected "--changeset <authorname>:<changesetId>" \(no space after the colon\)/],
    ['--changeset alice:1\n\n--changeset alice:2\nSELECT 1;', /line 3: no SQL for changeset alice:1/],
    ['--comment: outside\n--changeset alice:1\nSELECT 1;', /line 3: .*comment lines outside of changesets/],
    ['--changeset alice:1 runOnChange:yes\nSELECT 1;', /line 3: runOnChange:yes is not true or false/],
    ['--changeset alice:1\n-rollback DROP TABLE t;\nSELECT 1;', /line 4: expected "--rollback <rollback SQL>"/],
  ])('refuses %j naming the line', (body, message) => {
    expect(() => parse(`--liquibase formatted sql\n\n${body}`)).toThrow(message);
  });
});

describe('splitLiquibaseSql', () => {
  const sqls = (sql: string, options = {}) => splitLiquibaseSql(sql, options).statements.map((s) => s.sql);

  it('splits at ; outside quotes, comments and dollar quotes', () => {
    expect(sqls("INSERT INTO t VALUES ('a;b'); -- c;\nSELECT $$x;y$$ ; /* ; */ SELECT \"q;\"")).toEqual([
      "INSERT INTO t VALUES ('a;b')",
      'SELECT $$x;y$$',
      'SELECT "q;"',
    ]);
  });

  it('keeps BEGIN … END together, but not BEGIN TRANSACTION', () => {
    expect(sqls('CREATE TRIGGER t BEFORE UPDATE ON u FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND;\nSELECT 1;')).toEqual([
      'CREATE TRIGGER t BEFORE UPDATE ON u FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND',
      'SELECT 1',
    ]);
    expect(sqls('BEGIN TRANSACTION; SELECT 1; COMMIT;')).toEqual(['BEGIN TRANSACTION', 'SELECT 1', 'COMMIT']);
  });

  it('splits at go and / alone at the start of a line when no endDelimiter is set', () => {
    expect(sqls('SELECT 1\nGO\nSELECT 2 / 2\n/\nSELECT 3')).toEqual(['SELECT 1', 'SELECT 2 / 2', 'SELECT 3']);
  });

  it('splits at the endDelimiter only, rewriting it to ; in place', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql\n//\nSELECT 2//';
    const split = splitLiquibaseSql(sql, { endDelimiter: '//' });
    expect(split.statements.map((s) => s.sql)).toEqual(['CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql', 'SELECT 2']);
    expect(split.sql).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql\n; \nSELECT 2; ');
    expect(split.statements.map((s) => s.line)).toEqual([1, 3]);
    expect(sqls('SELECT 1 GO SELECT 2 go\nSELECT gopher', { endDelimiter: 'GO' })).toEqual(['SELECT 1', 'SELECT 2', 'SELECT gopher']);
  });

  it('keeps everything as one statement with splitStatements:false', () => {
    expect(sqls('-- c\nSELECT 1; SELECT 2;\n-- d', { splitStatements: false })).toEqual(['SELECT 1; SELECT 2;']);
  });
});

describe('reading Liquibase changelog directories', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-liquibase-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const put = async (name: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  };
  const HEADER = '--liquibase formatted sql\n\n';

  it('reads the PostgreSQL fixture through its YAML master: include, then includeAll in path order', async () => {
    const result = await readMigrationDirectory(path.join(FIXTURES, 'migrations', 'liquibase'));
    expect(result.format).toBe('liquibase');
    expect(result.files.map((f) => [f.version, f.path, f.startLine, f.key])).toEqual([
      ['1', 'changes/001-init.sql', 3, '1::alice::001-init.sql'],
      ['2', 'changes/001-init.sql', 12, '2::alice::001-init.sql'],
      ['3', 'changes/orders/010-orders.sql', 3, 'orders-1::bob::010-orders.sql'],
      ['4', 'changes/orders/010-orders.sql', 15, 'order-status::bob::010-orders.sql'],
      ['5', 'changes/orders/020-views.sql', 3, 'order-totals::bob::020-views.sql'],
    ]);
    expect(result.files[4]?.rerun).toEqual({ key: 'order-totals::bob::020-views.sql', checksum: expect.stringMatching(/^9:[0-9a-f]{32}$/) });
    expect(result.files.filter((f) => f.rerun)).toHaveLength(1);
    expect(result.ignored).toEqual([
      { path: 'changes/orders/010-orders.sql:12', reason: 'changeset bob:orders-archive: dbms:oracle (neither PostgreSQL nor MySQL/MariaDB)' },
    ]);
    expect(result.provider).toEqual({ name: 'postgresql', file: 'changes/orders/010-orders.sql:15 (dbms)' });
  });

  it('without a master, applies every .sql file under the directory by path, a file without the header as one raw changeset', async () => {
    await put('b/001.sql', `${HEADER}--changeset a:1\nSELECT 1;\n`);
    await put('a.sql', `${HEADER}--changeset a:1\nSELECT 2;\n--changeset a:2\nSELECT 3;\n`);
    await put('c.sql', 'SELECT 4;\n');
    await put('notes.txt', 'x');
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => [f.path, f.key, f.statements?.map((s) => s.sql)])).toEqual([
      ['a.sql', '1::a::a.sql', ['SELECT 2']],
      ['a.sql', '2::a::a.sql', ['SELECT 3']],
      ['b/001.sql', '1::a::001.sql', ['SELECT 1']],
      ['c.sql', 'raw::includeAll::c.sql', ['SELECT 4']],
    ]);
    expect(result.ignored).toEqual([{ path: 'notes.txt', reason: 'not a changelog file' }]);
  });

  it('follows an XML master: include relative to the changelog, includeAll of a folder; other .sql files are warned about', async () => {
    await put('changelog.xml', `<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <!-- <changeSet> in a comment is fine -->
  <includeAll path="later/" relativeToChangelogFile="true"/>
  <include file="first.sql" relativeToChangelogFile="true"/>
</databaseChangeLog>`);
    await put('first.sql', `${HEADER}--changeset a:1\nSELECT 1;\n`);
    await put('later/x.sql', `${HEADER}--changeset a:2\nSELECT 2;\n`);
    await put('stray.sql', `${HEADER}--changeset a:3\nSELECT 3;\n`);
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => f.path)).toEqual(['later/x.sql', 'first.sql']);
    expect(result.ignored).toEqual([{ path: 'stray.sql', reason: 'not included by the master changelog changelog.xml', warn: true }]);
  });

  it('takes the changelog no other one names as the master, and reads the ones it includes', async () => {
    await put('db.changelog-master.yaml', 'databaseChangeLog:\n  - include:\n      file: release-1.0.xml\n      relativeToChangelogFile: true\n  - include:\n      file: b.sql\n      relativeToChangelogFile: true\n');
    await put('release-1.0.xml', '<databaseChangeLog>\n  <include file="a.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n');
    await put('a.sql', `${HEADER}--changeset a:1\nSELECT 1;\n`);
    await put('b.sql', `${HEADER}--changeset a:2\nSELECT 2;\n`);
    const result = await readMigrationDirectory(dir);
    expect(result.files.map((f) => f.key)).toEqual(['1::a::a.sql', '2::a::b.sql']);
    expect(result.ignored).toEqual([]);
    await put('other.yaml', 'databaseChangeLog: []\n');
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/several master changelogs: db\.changelog-master\.yaml, other\.yaml/);
  });

  it('refuses a change type other than SQL in an XML master, naming file and line', async () => {
    await put('changelog.xml', '<databaseChangeLog>\n  <include file="a.sql"/>\n  <changeSet id="1" author="x">\n    <createTable tableName="t"/>\n  </changeSet>\n</databaseChangeLog>\n');
    await put('a.sql', `${HEADER}--changeset a:1\nSELECT 1;\n`);
    await expect(readMigrationDirectory(dir)).rejects.toMatchObject({
      message: expect.stringMatching(/<changeSet> is not read: only <include> and <includeAll>/),
      context: { file: path.join(dir, 'changelog.xml'), line: 3 },
    });
  });

  it('refuses a YAML master entry other than include/includeAll, and an include that is not there', async () => {
    await put('changelog.yaml', 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: x\n');
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/databaseChangeLog entry 1 \(changeSet\) is not read/);
    await put('changelog.yaml', 'databaseChangeLog:\n  - include:\n      file: db/changelog/missing.sql\n');
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/db\/changelog\/missing\.sql is not in the directory/);
  });

  it('refuses a duplicate id and author in one file, naming the line', async () => {
    await put('a.sql', `${HEADER}--changeset a:1\nSELECT 1;\n--changeset a:1\nSELECT 2;\n`);
    await expect(readMigrationDirectory(dir)).rejects.toMatchObject({
      message: 'duplicate changeset a:1 (first at line 3)',
      context: { file: path.join(dir, 'a.sql'), line: 5 },
    });
  });

  it('refuses a changelog with changesets for PostgreSQL only and for MySQL only', async () => {
    await put('a.sql', `${HEADER}--changeset a:1 dbms:postgresql\nSELECT 1;\n--changeset a:2 dbms:mariadb\nSELECT 2;\n`);
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/PostgreSQL only \(a\.sql:3\) and for MySQL\/MariaDB only \(a\.sql:5\)/);
  });

  it('keys a changeset by its logicalFilePath when it has one (that is what FILENAME records)', async () => {
    await put('a.sql', `--liquibase formatted sql logicalFilePath:db/main.sql\n\n--changeset a:1\nSELECT 1;\n--changeset a:2 logicalFilePath:legacy/old.sql\nSELECT 2;\n`);
    expect((await readMigrationDirectory(dir)).files.map((f) => f.key)).toEqual(['1::a::main.sql', '2::a::old.sql']);
  });

  it('declares no database for exclusions only, and leaves out what excludes both of ours', async () => {
    await put('a.sql', `${HEADER}--changeset a:1 dbms:!mysql\nSELECT 1;\n--changeset a:2 dbms:!postgresql,!mysql,!mariadb\nSELECT 2;\n`);
    const result = await readMigrationDirectory(dir);
    expect(result.provider).toBeUndefined();
    expect(result.files.map((f) => f.key)).toEqual(['1::a::a.sql']);
    expect(result.ignored).toEqual([{ path: 'a.sql:5', reason: 'changeset a:2: dbms:!postgresql,!mysql,!mariadb (neither PostgreSQL nor MySQL/MariaDB)' }]);
  });

  it('is detected from the header, and named in the ambiguous-layout error', async () => {
    await put('V1__a.sql', `${HEADER}--changeset a:1\nSELECT 1;\n`);
    await expect(readMigrationDirectory(dir)).rejects.toThrow(/ambiguous migration layout: found flyway \(V1__a\.sql\), liquibase \(V1__a\.sql\)/);
    expect((await readMigrationDirectory(dir, { format: 'liquibase' })).files).toHaveLength(1);
  });
});
