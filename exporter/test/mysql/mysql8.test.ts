/**
 * MySQL 8.0/8.4 branches that cannot run here (the CI server is MariaDB 10.11): the values are MySQL-formatted
 * `information_schema` text as the MySQL 8.0/8.4 reference manual and well-known tools that test against MySQL 8
 * (Atlas's integration fixtures) show them, run through the same pure functions the inspector and planner use.
 */
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model/change.ts';
import type { Column, SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { parseServerVersion } from '../../src/dialects/mysql/connect.ts';
import { defaultClause } from '../../src/dialects/mysql/ddl-table.ts';
import { normalizeDefault, normalizeExpression } from '../../src/dialects/mysql/hooks.ts';
import { documentedCatalogColumns } from '../../src/dialects/mysql/inspect.ts';
import { serverExpression, unescapeMysqlExpression } from '../../src/dialects/mysql/inspect-common.ts';
import { eventStatusClause } from '../../src/dialects/mysql/inspect-routines.ts';
import { parseColumnExtra } from '../../src/dialects/mysql/inspect-tables.ts';
import { MysqlPlanContext } from '../../src/dialects/mysql/plan-context.ts';
import { dropCheckKeyword, instantAddColumn, instantDropColumn } from '../../src/dialects/mysql/plan-hazards.ts';
import { planMysql } from '../../src/dialects/mysql/plan.ts';
import { column, constraint, table } from '../diff/snapshot-factory.ts';

describe('unescapeMysqlExpression (MySQL 8 information_schema expressions)', () => {
  it.each([
    // CHECK_CLAUSE of CHECK (name <> 'a' or age > 10)
    ["((`name` <> _utf8mb4\\'a\\') or (`age` > 10))", "((`name` <> _utf8mb4'a') or (`age` > 10))"],
    // STATISTICS.EXPRESSION of KEY ((concat(first_name, '\'s first name')))
    ["concat(`first_name`,_utf8mb4\\'\\\\\\'s first name\\')", "concat(`first_name`,_utf8mb4'\\'s first name')"],
    // COLUMN_DEFAULT of DEFAULT (concat('a', a)) (DEFAULT_GENERATED)
    ["concat(_utf8mb4\\'a\\',`a`)", "concat(_utf8mb4'a',`a`)"],
    // a literal backslash: '\\' is printed \'\\\\\'
    ["(`p` like _utf8mb4\\'a\\\\\\\\%\\')", "(`p` like _utf8mb4'a\\\\%')"],
    // nothing to undo
    ['(`age` > 0)', '(`age` > 0)'],
  ])('%s → %s', (printed, sql) => {
    expect(unescapeMysqlExpression(printed)).toBe(sql);
    expect(serverExpression('mysql', printed)).toBe(sql);
  });

  it('leaves MariaDB text alone (MariaDB does not escape)', () => {
    expect(serverExpression('mariadb', "`name` <> 'it\\'s'")).toBe("`name` <> 'it\\'s'");
  });

  it('gives the expression the hooks compare alike with its unescaped form', () => {
    const printed = "((`name` <> _utf8mb4\\'a\\') or (`age` > 10))";
    expect(normalizeExpression(unescapeMysqlExpression(printed))).toBe(normalizeExpression(printed));
  });
});

describe('parseColumnExtra (COLUMNS.EXTRA)', () => {
  it.each([
    ['', { generated: null, onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: false }],
    ['auto_increment', { generated: null, onUpdate: undefined, autoIncrement: true, defaultGenerated: false, invisible: false }],
    ['DEFAULT_GENERATED', { generated: null, onUpdate: undefined, autoIncrement: false, defaultGenerated: true, invisible: false }],
    ['DEFAULT_GENERATED on update CURRENT_TIMESTAMP', { generated: null, onUpdate: 'CURRENT_TIMESTAMP', autoIncrement: false, defaultGenerated: true, invisible: false }],
    ['DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)', { generated: null, onUpdate: 'CURRENT_TIMESTAMP(3)', autoIncrement: false, defaultGenerated: true, invisible: false }],
    ['on update current_timestamp()', { generated: null, onUpdate: 'current_timestamp()', autoIncrement: false, defaultGenerated: false, invisible: false }],
    ['VIRTUAL GENERATED', { generated: 'virtual', onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: false }],
    ['STORED GENERATED', { generated: 'stored', onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: false }],
    ['PERSISTENT GENERATED', { generated: 'stored', onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: false }],
    ['INVISIBLE', { generated: null, onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: true }],
    ['DEFAULT_GENERATED INVISIBLE', { generated: null, onUpdate: undefined, autoIncrement: false, defaultGenerated: true, invisible: true }],
    ['auto_increment INVISIBLE', { generated: null, onUpdate: undefined, autoIncrement: true, defaultGenerated: false, invisible: true }],
    ['VIRTUAL GENERATED INVISIBLE', { generated: 'virtual', onUpdate: undefined, autoIncrement: false, defaultGenerated: false, invisible: true }],
  ])('%j', (extra, expected) => {
    expect(parseColumnExtra(extra)).toEqual(expected);
  });
});

function col(raw: string, def: string | null, attrs: Column['attrs'] = {}): Column {
  return column('c', raw, { default: def, attrs });
}

describe('defaultClause on MySQL 8 and MariaDB COLUMN_DEFAULT text', () => {
  it.each([
    // MySQL: a literal is printed bare, quotes and all
    ['varchar(20)', "a'b", {}, "'a''b'"],
    ['varchar(20)', '', {}, "''"],
    ['int', '5', {}, '5'],
    ['decimal(10,2)', '1.50', {}, '1.50'],
    ['bit(3)', "b'101'", {}, "b'101'"],
    ['varbinary(4)', '0x616263', {}, '0x616263'],
    // MySQL: DEFAULT_GENERATED is always an expression, even one that reads like a literal
    ['text', "_utf8mb4'x'", { defaultGenerated: true }, "(_utf8mb4'x')"],
    ['json', 'json_array()', { defaultGenerated: true }, '(json_array())'],
    ['varchar(36)', 'uuid()', { defaultGenerated: true }, '(uuid())'],
    ['int', '(1 + 2)', { defaultGenerated: true }, '((1 + 2))'],
    ['timestamp', 'CURRENT_TIMESTAMP', { defaultGenerated: true }, 'CURRENT_TIMESTAMP'],
    ['datetime(3)', 'CURRENT_TIMESTAMP(3)', { defaultGenerated: true }, 'CURRENT_TIMESTAMP(3)'],
    // MariaDB 10.2.7+: literals quoted, expressions bare, NULL as text
    ['varchar(20)', "'abc'", {}, "'abc'"],
    ['timestamp', 'current_timestamp()', {}, 'current_timestamp()'],
    ['varchar(20)', 'NULL', {}, null],
  ] as const)('%s DEFAULT %s %j → %s', (raw, def, attrs, expected) => {
    expect(defaultClause(col(raw, def, attrs))).toBe(expected);
  });

  it.each([
    ['varchar(20)', 'abc', {}, "'abc'", {}],
    ['timestamp', 'CURRENT_TIMESTAMP', { defaultGenerated: true }, 'current_timestamp()', {}],
    ['int', '5', {}, "'5'", {}],
    ['varchar(20)', null, {}, 'NULL', {}],
  ] as const)('MySQL %s DEFAULT %s reads like MariaDB %s', (raw, mysql, mysqlAttrs, mariadb, mariadbAttrs) => {
    expect(normalizeDefault(col(raw, mysql, mysqlAttrs))).toBe(normalizeDefault(col(raw, mariadb, mariadbAttrs)));
  });
});

describe('documentedCatalogColumns (version fallback when information_schema hides its own columns)', () => {
  it.each([
    ['mysql', '8.0.12', ['COLUMNS.SRS_ID', 'STATISTICS.IS_VISIBLE']],
    ['mysql', '8.0.13', ['COLUMNS.SRS_ID', 'STATISTICS.EXPRESSION', 'STATISTICS.IS_VISIBLE']],
    ['mysql', '8.0.16', ['CHECK_CONSTRAINTS.CHECK_CLAUSE', 'COLUMNS.SRS_ID', 'STATISTICS.EXPRESSION', 'STATISTICS.IS_VISIBLE', 'TABLE_CONSTRAINTS.ENFORCED']],
    ['mysql', '8.4.3-commercial', ['CHECK_CONSTRAINTS.CHECK_CLAUSE', 'COLUMNS.SRS_ID', 'STATISTICS.EXPRESSION', 'STATISTICS.IS_VISIBLE', 'TABLE_CONSTRAINTS.ENFORCED']],
    ['mariadb', '10.5.9-MariaDB', ['CHECK_CONSTRAINTS.CHECK_CLAUSE', 'CHECK_CONSTRAINTS.TABLE_NAME', 'SCHEMATA.SCHEMA_COMMENT', 'VIEWS.ALGORITHM']],
    ['mariadb', '10.11.19-MariaDB-0+deb12u1', ['CHECK_CONSTRAINTS.CHECK_CLAUSE', 'CHECK_CONSTRAINTS.LEVEL', 'CHECK_CONSTRAINTS.TABLE_NAME', 'SCHEMATA.SCHEMA_COMMENT', 'STATISTICS.IGNORED', 'VIEWS.ALGORITHM']],
  ] as const)('%s %s', (flavor, serverVersion, expected) => {
    expect([...documentedCatalogColumns({ flavor, serverVersion })].sort()).toEqual(expected);
  });
});

function snap(flavor: string | undefined, serverVersion: string | undefined, tables: Table[] = []): SchemaSnapshot {
  return {
    formatVersion: 1,
    dialect: 'mysql',
    source: { description: 'test', ...(serverVersion ? { serverVersion } : {}), ...(flavor ? { flavor } : {}) },
    schemas: [{ name: 'app', comment: null, tables, views: [], sequences: [], types: [], routines: [] }],
    extensions: [],
  };
}

describe('version-gated planner decisions', () => {
  it.each([
    ['mysql', '8.0.11', false, false, false],
    ['mysql', '8.0.12', true, false, false],
    ['mysql', '8.0.28', true, false, false],
    ['mysql', '8.0.29', true, true, true],
    ['mysql', '8.4.3', true, true, true],
    ['mariadb', '10.3.7-MariaDB', true, false, false],
    ['mariadb', '10.4.0-MariaDB', true, true, true],
    ['mariadb', '10.11.19-MariaDB', true, true, true],
    [undefined, undefined, false, false, false],
  ] as const)('%s %s: ADD last instant %s, ADD anywhere instant %s, DROP instant %s', (flavor, version, last, anywhere, drop) => {
    const ctx = new MysqlPlanContext([], { current: snap(flavor, version) });
    expect([instantAddColumn(ctx, false), instantAddColumn(ctx, true), instantDropColumn(ctx)]).toEqual([last, anywhere, drop]);
  });

  it.each([
    ['mysql', '8.0.16', 'CHECK'],
    ['mysql', '8.4.3', 'CHECK'],
    ['mariadb', '10.11.19-MariaDB', 'CONSTRAINT'],
    [undefined, undefined, 'CONSTRAINT'],
  ] as const)('%s %s drops a check with DROP %s', (flavor, version, keyword) => {
    expect(dropCheckKeyword(new MysqlPlanContext([], { current: snap(flavor, version) }))).toBe(keyword);
  });

  it('plans DROP CHECK on MySQL 8 (8.0.16-8.0.18 know no DROP CONSTRAINT) and DROP CONSTRAINT on MariaDB', () => {
    const check = constraint('t_chk_1', { kind: 'check', expression: '(`a` > 0)', definition: 'CHECK ((`a` > 0))' });
    const current = (flavor: string, version: string) => snap(flavor, version, [table('t', { columns: [column('a', 'int')], constraints: [check] }, 'app')]);
    const change: Change = { type: 'constraint', action: 'extra', schema: 'app', table: 't', name: 't_chk_1', current: check, attributes: [] } as unknown as Change;
    const mysql = planMysql([change], { current: current('mysql', '8.0.16') });
    const mariadb = planMysql([change], { current: current('mariadb', '10.11.19-MariaDB') });
    expect(mysql.statements.map((s) => s.sql)).toEqual(['ALTER TABLE `t`\n  DROP CHECK `t_chk_1`;']);
    expect(mariadb.statements.map((s) => s.sql)).toEqual(['ALTER TABLE `t`\n  DROP CONSTRAINT `t_chk_1`;']);
  });
});

describe('server flavour and event status', () => {
  it.each([
    ['8.0.39', 'MySQL Community Server - GPL', 'mysql', 8, 0],
    ['8.4.3-commercial', 'MySQL Enterprise Server - Commercial', 'mysql', 8, 4],
    ['10.11.19-MariaDB-0+deb12u1', 'Debian 12', 'mariadb', 10, 11],
    ['11.4.2-MariaDB', 'mariadb.org binary distribution', 'mariadb', 11, 4],
  ] as const)('VERSION() %s', (version, comment, flavor, major, minor) => {
    expect(parseServerVersion(version, comment)).toEqual({ flavor, serverVersion: version, major, minor });
  });

  it.each([
    ['ENABLED', 'ENABLE'],
    ['DISABLED', 'DISABLE'],
    ['SLAVESIDE_DISABLED', 'DISABLE ON SLAVE'],
    ['REPLICA_SIDE_DISABLED', 'DISABLE ON REPLICA'],
  ])('EVENTS.STATUS %s → %s', (status, clause) => {
    expect(eventStatusClause(status)).toBe(clause);
  });
});
