/**
 * MySQL/MariaDB noise rules: each rule with the noise it removes and a real-drift counter-case that must still
 * differ. Pairs are MariaDB 10.11 `information_schema` text vs the MySQL 8 spelling from its documentation.
 */
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Column, Constraint, ForeignKey, Index, SchemaSnapshot, Table, View } from '../../src/core/model/schema.ts';
import {
  mysqlHooks,
  normalizeCollation,
  normalizeDefault,
  normalizeExpression,
  normalizeType,
  normalizeViewDefinition,
} from '../../src/dialects/mysql/hooks.ts';
import { column, constraint, foreignKey, index, routine, table, trigger } from '../diff/snapshot-factory.ts';

const col = (raw: string, def: string | null, attrs: Column['attrs'] = {}): Column => column('c', raw, { default: def, attrs });
const viewOf = (definition: string): View => ({
  schema: 'app', name: 'v', materialized: false, definition, columns: [], dependsOn: [], indexes: [], comment: null, attrs: {},
});

function snapshot(tables: Table[], flavor = 'mariadb'): SchemaSnapshot {
  return {
    formatVersion: 1,
    dialect: 'mysql',
    source: { description: 'test', flavor },
    schemas: [{ name: 'app', comment: null, tables, views: [], sequences: [], types: [], routines: [] }],
    extensions: [],
  };
}

const diff = (current: Table[], desired: Table[]) =>
  diffSchemas({ current: snapshot(current), desired: snapshot(desired), hooks: mysqlHooks });

describe('mysqlHooks', () => {
  it('is the mysql dialect with the snapshot pre-pass', () => {
    expect(mysqlHooks.dialect).toBe('mysql');
    expect(mysqlHooks.normalizeSnapshots).toBeTypeOf('function');
  });

  describe('normalizeType', () => {
    it.each([
      ['int(11)', 'int'],
      ['INT', 'int'],
      ['integer', 'int'],
      ['tinyint(1)', 'tinyint'],
      ['bool', 'tinyint'],
      ['boolean', 'tinyint(4)'],
      ['bigint(20) unsigned', 'bigint unsigned'],
      ['int(10) unsigned zerofill', 'int(10) zerofill'],
      ['smallint signed', 'smallint'],
      ['numeric(10, 2)', 'decimal(10,2)'],
      ['decimal', 'decimal(10,0)'],
      ['decimal(8)', 'decimal(8,0)'],
      ['character varying(20)', 'varchar(20)'],
      ['char', 'char(1)'],
      ['datetime(0)', 'datetime'],
      ['year(4)', 'year'],
      ['double precision', 'double'],
      ['float(30)', 'double'],
      ['serial', 'bigint(20) unsigned'],
      ["enum('a', 'b')", "enum('a','b')"],
      ["ENUM('x','y')", "enum('x','y')"],
    ])('%s reads as %s', (a, b) => {
      expect(normalizeType(a)).toBe(normalizeType(b));
    });

    it.each([
      ['int', 'bigint'],
      ['int', 'int unsigned'],
      ['int(5) zerofill', 'int(8) zerofill'],
      ['varchar(20)', 'varchar(30)'],
      ['char(4)', 'varchar(4)'],
      ['decimal(10,2)', 'decimal(10,3)'],
      ['datetime(3)', 'datetime'],
      ["enum('a','b')", "enum('a','b','c')"],
      ["enum('A')", "enum('a')"],
      ['text', 'mediumtext'],
      ['json', 'longtext'],
    ])('%s still differs from %s', (a, b) => {
      expect(normalizeType(a)).not.toBe(normalizeType(b));
    });
  });

  describe('normalizeDefault', () => {
    it.each([
      ['varchar(10)', "'abc'", 'abc', 'MariaDB quotes string defaults, MySQL does not'],
      ['varchar(10)', "'it''s'", "it's", 'quote doubling vs MySQL raw text'],
      ['varchar(10)', "'it\\'s'", "'it''s'", 'backslash vs doubled quote'],
      ['date', "'2020-01-01'", '2020-01-01', 'temporal literals'],
      ['int(11)', "'5'", '5', 'a quoted number on a numeric column'],
      ['int', '+5', '5', 'a leading plus'],
      ['tinyint(1)', 'true', '1', 'boolean literal'],
      ['timestamp', 'current_timestamp()', 'CURRENT_TIMESTAMP', 'MariaDB vs MySQL now'],
      ['datetime(3)', 'current_timestamp(3)', 'CURRENT_TIMESTAMP(3)', 'with precision'],
      ['timestamp', 'now()', 'CURRENT_TIMESTAMP', 'now alias'],
      ['int', '(1 + 2)', '(1+2)', 'expression default blanks'],
      ['varchar(36)', 'uuid()', '(uuid())', 'MySQL wraps expression defaults'],
    ])('%s: %s = %s (%s)', (type, a, b) => {
      expect(normalizeDefault(col(type, a))).toBe(normalizeDefault(col(type, b)));
    });

    it('reads MariaDB NULL text as no default', () => {
      expect(normalizeDefault(col('varchar(10)', 'NULL'))).toBeNull();
      expect(normalizeDefault(col('varchar(10)', null))).toBeNull();
      expect(normalizeDefault(col('varchar(10)', "'NULL'"))).not.toBeNull();
    });

    it('treats a DEFAULT_GENERATED text as an expression', () => {
      expect(normalizeDefault(col('varchar(10)', 'concat(_utf8mb4\'a\',_utf8mb4\'b\')', { defaultGenerated: true }))).toBe(
        normalizeDefault(col('varchar(10)', "concat('a','b')")),
      );
    });

    it.each([
      ['varchar(10)', "'abc'", "'abd'"],
      ['varchar(10)', "'abc'", "'ABC'"],
      ['int', '5', '6'],
      ['decimal(8,2)', '1.50', '1.51'],
      ['datetime(3)', 'current_timestamp(3)', 'current_timestamp()'],
      ['varchar(10)', "'1'", "'01'"],
      ['int', '(1 + 2)', '(2 + 1)'],
    ])('%s: %s still differs from %s', (type, a, b) => {
      expect(normalizeDefault(col(type, a))).not.toBe(normalizeDefault(col(type, b)));
    });
  });

  describe('normalizeExpression', () => {
    it.each([
      ['`price` >= 0', '(`price` >= 0)', 'MySQL 8 wraps a check clause'],
      ["`name` <> ''", "(`name` <> _utf8mb4'')", 'charset introducer'],
      ["`name` <> ''", "(`name` <> _utf8mb4\\'\\')", "MySQL 8.0's escaped CHECK_CLAUSE quotes"],
      ['`a` > 0 AND `b` < 5', '`a`>0 and `b`<5', 'case and blanks'],
      ['json_valid(`doc`)', 'JSON_VALID(doc)', 'backticks on plain names'],
      ['`qty` * `price`', '`qty`*`price`', 'operator blanks'],
      ["`s` like 'p%'", "`s` LIKE \"p%\"", 'double-quoted string literal'],
      ['CHECK ((`a` > 0))', 'CHECK (`a` > 0)', 'MySQL 8 doubles the parentheses of a check definition'],
    ])('%s = %s (%s)', (a, b) => {
      expect(normalizeExpression(a)).toBe(normalizeExpression(b));
    });

    it.each([
      ['`price` >= 0', '`price` > 0'],
      ["`name` <> 'a'", "`name` <> 'A'"],
      ['`a` - -1', '`a` - 1'],
      ['(`a` + 1) * 2', '`a` + 1 * 2'],
      ['(`a` + 1) * (`b`)', '`a` + 1 * `b`'],
      ["`s` = '(('", "`s` = '('"],
      ["`s` = 'a  b'", "`s` = 'a b'"],
      ['`Odd  Name` > 0', '`Odd Name` > 0'],
      ['`Weird Name` > 0', '`weird name` > 0'],
    ])('%s still differs from %s', (a, b) => {
      expect(normalizeExpression(a)).not.toBe(normalizeExpression(b));
    });
  });

  describe('normalizeViewDefinition', () => {
    it('drops the view database qualifier', () => {
      expect(normalizeViewDefinition(viewOf('select `app`.`t`.`id` AS `id` from `app`.`t`'))).toBe(
        normalizeViewDefinition(viewOf('select `t`.`id` AS `id` from `t`')),
      );
    });

    it('keeps another database qualifier', () => {
      expect(normalizeViewDefinition(viewOf('select `t`.`id` AS `id` from `other`.`t`'))).not.toBe(
        normalizeViewDefinition(viewOf('select `t`.`id` AS `id` from `t`')),
      );
    });
  });

  describe('normalizeCollation', () => {
    it('reads utf8 as utf8mb3 and ignores case', () => {
      expect(normalizeCollation('utf8_general_ci')).toBe(normalizeCollation('utf8mb3_general_ci'));
      expect(normalizeCollation('UTF8MB4_BIN')).toBe(normalizeCollation('utf8mb4_bin'));
      expect(normalizeCollation('utf8mb4_general_ci')).not.toBe(normalizeCollation('utf8mb3_general_ci'));
      expect(normalizeCollation(null)).toBeNull();
    });
  });
});

describe('mysqlHooks snapshot pre-pass (through diffSchemas)', () => {
  const base = (over: Partial<Table> = {}) => table('t', { attrs: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }, ...over }, 'app');
  const textCol = (collation: string | null, attrs: Column['attrs'] = {}) => column('name', 'varchar(10)', { collation, attrs });

  const noise: [string, Table, Table][] = [
    ['a column collation equal to the table default', base({ columns: [textCol('utf8mb4_general_ci', { charset: 'utf8mb4' })] }), base({ columns: [textCol(null)] })],
    ['AUTO_INCREMENT counters and session echoes in attrs', base({ attrs: { ...base().attrs, autoIncrement: 1000, auto_increment: 7 } }), base()],
    [
      'MariaDB JSON (longtext + json_valid check) vs MySQL json',
      base({ columns: [column('doc', 'longtext', { collation: 'utf8mb4_bin' })], constraints: [constraint('doc', { kind: 'check', columns: [], expression: 'json_valid(`doc`)', definition: 'CHECK (json_valid(`doc`))' })] }),
      base({ columns: [column('doc', 'json')] }),
    ],
    ['generated foreign key names', base({ foreignKeys: [fk('t_ibfk_2')] }), base({ foreignKeys: [fk('t_ibfk_1')] })],
    ['no action vs restrict', base({ foreignKeys: [fk('fk', { onUpdate: 'no action', onDelete: 'no action' })] }), base({ foreignKeys: [fk('fk', { onUpdate: 'restrict', onDelete: 'restrict' })] })],
    ['generated check names (MySQL t_chk_1 vs MariaDB CONSTRAINT_1)', base({ constraints: [checkOf('t_chk_1', '(`id` > 0)')] }), base({ constraints: [checkOf('CONSTRAINT_1', '`id` > 0')] })],
    ['an index named after its first column', base({ indexes: [idx('user_id_2', ['user_id'])] }), base({ indexes: [idx('user_id', ['user_id'])] })],
    ['an implicit foreign-key index named after the key', base({ foreignKeys: [fk('fk_user')], indexes: [idx('fk_user', ['user_id'])] }), base({ foreignKeys: [fk('fk_user')], indexes: [idx('user_id', ['user_id'])] })],
  ];

  it.each(noise)('%s is not drift', (_name, current, desired) => {
    expect(diff([current], [desired])).toEqual([]);
  });

  const real: [string, Table, Table, string][] = [
    ['a column collation other than the table default', base({ columns: [textCol('utf8mb4_bin')] }), base({ columns: [textCol(null)] }), 'column'],
    ['a longtext without the json check', base({ columns: [column('doc', 'longtext')] }), base({ columns: [column('doc', 'json')] }), 'column'],
    ['a user-named index renamed', base({ indexes: [idx('user_id', ['user_id'])] }), base({ indexes: [idx('idx_user', ['user_id'])] }), 'index'],
    ['a generated foreign key name with other content', base({ foreignKeys: [fk('t_ibfk_2', { onDelete: 'cascade' })] }), base({ foreignKeys: [fk('t_ibfk_1', { onDelete: 'restrict' })] }), 'foreign_key'],
    ['a named check renamed', base({ constraints: [checkOf('chk_a', '`id` > 0')] }), base({ constraints: [checkOf('chk_b', '`id` > 0')] }), 'constraint'],
    ['cascade vs restrict', base({ foreignKeys: [fk('fk', { onDelete: 'cascade' })] }), base({ foreignKeys: [fk('fk', { onDelete: 'restrict' })] }), 'foreign_key'],
    ['an engine change', base({ attrs: { ...base().attrs, engine: 'MyISAM' } }), base(), 'table'],
    // A MODIFY of the column drops a MariaDB column check but keeps a table one: where it is kept is drift.
    ['a check written with its column vs on the table (MariaDB level)', base({ constraints: [checkOf('c1', '`id` > 0', { level: 'column' })] }), base({ constraints: [checkOf('c1', '(`id` > 0)')] }), 'constraint'],
  ];

  it.each(real)('%s is still drift', (_name, current, desired, type) => {
    const changes = diff([current], [desired]);
    expect(changes.map((c) => c.type)).toContain(type);
  });

  it('reads routine bodies and trigger statements without comments (the mariadb client strips them)', () => {
    const withRoutine = (body: string): SchemaSnapshot => {
      const s = snapshot([base({ triggers: [trigger('tr', { definition: `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW ${body}`, attrs: { statement: body } })] })]);
      const r = routine('p', '', { kind: 'procedure', body, definition: `CREATE PROCEDURE p() ${body}` }, 'app');
      return { ...s, schemas: s.schemas.map((x) => ({ ...x, routines: [r] })) };
    };
    const changes = (a: string, b: string) => diffSchemas({ current: withRoutine(a), desired: withRoutine(b), hooks: mysqlHooks });
    expect(changes("BEGIN\n  -- why\n  SET @a = '--  kept';\nEND", "BEGIN\n  \n  SET @a = '--  kept'; /* x */\nEND")).toEqual([]);
    expect(changes("BEGIN SET @a = 'a  b'; END", "BEGIN SET @a = 'a b'; END").map((c) => c.type).sort()).toEqual(['routine', 'trigger']);
  });

  it('reports raw values, not normalised ones', () => {
    const changes = diff([base({ columns: [column('n', 'int(11)', { default: "'5'" })] })], [base({ columns: [column('n', 'bigint', { default: '5' })] })]);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.attributes).toEqual([{ name: 'type', expected: 'bigint', actual: 'int(11)' }]);
  });
});

function checkOf(name: string, expression: string, attrs: Constraint['attrs'] = {}): Constraint {
  return constraint(name, { kind: 'check', columns: [], expression, definition: `CHECK (${expression})`, attrs });
}

function fk(name: string, over: Partial<ForeignKey> = {}): ForeignKey {
  return foreignKey(name, { refSchema: 'app', refTable: 'users', onDelete: 'restrict', onUpdate: 'restrict', ...over });
}

function idx(name: string, columns: string[]): Index {
  return index(name, { parts: columns.map((c) => ({ column: c })), method: 'btree' });
}
