/**
 * The MySQL planner on hand-built changes and snapshots: statement shape and order, hazards, DELIMITER rendering and
 * PlanError. Convergence on the real server is `convergence.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/core/errors.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { Routine, SchemaSnapshot, Table, View } from '../../src/core/model/schema.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { needsDelimiter, planMysql, renderMysqlPlanSql } from '../../src/dialects/mysql/plan.ts';
import { column, foreignKey, index, routine, table, trigger, view } from '../diff/snapshot-factory.ts';

function snap(tables: Table[], extra: { views?: View[]; routines?: Routine[]; serverVersion?: string; flavor?: string } = {}): SchemaSnapshot {
  return {
    formatVersion: 1,
    dialect: 'mysql',
    source: { description: 'test', serverVersion: extra.serverVersion ?? '10.11.19-MariaDB', flavor: extra.flavor ?? 'mariadb' },
    schemas: [{ name: 'app', comment: null, tables, views: extra.views ?? [], sequences: [], types: [], routines: extra.routines ?? [] }],
    extensions: [],
  };
}

const t = (name: string, over: Partial<Table> = {}) => table(name, { attrs: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }, ...over }, 'app');
const id = column('id', 'int(11)', { nullable: false, position: 1 });

function plan(current: SchemaSnapshot, desired: SchemaSnapshot) {
  const changes = diffSchemas({ current, desired, hooks: mysqlHooks });
  return planMysql(changes, { current, desired });
}

describe('planMysql', () => {
  it('combines the column and index changes of a table into one ALTER TABLE', () => {
    const current = snap([t('users', { columns: [id, column('old', 'int', { position: 2 })], indexes: [index('idx_old', { parts: [{ column: 'old' }], method: 'btree' })] })]);
    const desired = snap([t('users', { columns: [id, column('email', 'varchar(100)', { position: 2, nullable: false })], indexes: [index('idx_email', { parts: [{ column: 'email' }], unique: true, method: 'btree' })] })]);
    const p = plan(current, desired);
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]?.sql).toBe(
      'ALTER TABLE `users`\n  DROP INDEX `idx_old`,\n  DROP COLUMN `old`,\n' +
        '  ADD COLUMN `email` varchar(100) COLLATE utf8mb4_general_ci NOT NULL,\n  ADD UNIQUE KEY `idx_email` (`email`);',
    );
    expect(p.statements[0]?.hazards).toEqual(['data_loss', 'may_fail']);
  });

  it('drops foreign keys before the indexes they need and adds them after the indexes', () => {
    const users = t('users', { columns: [id] });
    const fkIndex = index('fk_user', { parts: [{ column: 'user_id' }], method: 'btree' });
    const uid = column('user_id', 'int(11)', { position: 2 });
    const current = snap([users, t('orders', { columns: [id, uid], foreignKeys: [foreignKey('fk_user', { refSchema: 'app' })], indexes: [fkIndex] })]);
    const desired = snap([users, t('orders', { columns: [id, uid], foreignKeys: [foreignKey('fk_owner', { refSchema: 'app', onDelete: 'set null' })], indexes: [index('idx_owner', { parts: [{ column: 'user_id' }, { column: 'id' }], method: 'btree' })] })]);
    const sql = plan(current, desired).statements.map((s) => s.sql);
    const dropFk = sql.findIndex((s) => s.includes('DROP FOREIGN KEY `fk_user`'));
    const alter = sql.findIndex((s) => s.includes('DROP INDEX `fk_user`') && s.includes('ADD KEY `idx_owner`'));
    const addFk = sql.findIndex((s) => s.includes('ADD CONSTRAINT `fk_owner` FOREIGN KEY'));
    expect([dropFk, alter, addFk].every((i) => i >= 0)).toBe(true);
    expect(dropFk).toBeLessThan(alter);
    expect(alter).toBeLessThan(addFk);
    expect(sql[addFk]).toContain('ON DELETE SET NULL ON UPDATE RESTRICT');
  });

  it('drops and re-adds a foreign key whose column changes type', () => {
    const current = snap([t('users', { columns: [id] }), t('orders', { columns: [id, column('user_id', 'int(11)', { position: 2 })], foreignKeys: [foreignKey('fk_user', { refSchema: 'app' })] })]);
    const desired = snap([t('users', { columns: [column('id', 'bigint(20)', { nullable: false })] }), t('orders', { columns: [id, column('user_id', 'bigint(20)', { position: 2 })], foreignKeys: [foreignKey('fk_user', { refSchema: 'app' })] })]);
    const sql = plan(current, desired).statements.map((s) => s.sql);
    expect(sql[0]).toBe('ALTER TABLE `orders` DROP FOREIGN KEY `fk_user`;');
    expect(sql.at(-1)).toMatch(/^ALTER TABLE `orders` ADD CONSTRAINT `fk_user` FOREIGN KEY \(`user_id`\) REFERENCES `users` \(`id`\)/);
    expect(sql.filter((s) => s.includes('DROP FOREIGN KEY'))).toHaveLength(1);
  });

  const hazardCases: [string, string, string, string[]][] = [
    ['int → bigint widens', 'int(11)', 'bigint(20)', ['heavy_lock', 'table_rewrite']],
    ['bigint → int narrows', 'bigint(20)', 'int(11)', ['data_loss', 'heavy_lock', 'may_fail', 'table_rewrite']],
    ['varchar(100) → varchar(50) narrows', 'varchar(100)', 'varchar(50)', ['data_loss', 'heavy_lock', 'may_fail', 'table_rewrite']],
    ['varchar → text widens', 'varchar(100)', 'text', ['heavy_lock', 'table_rewrite']],
    ["an enum label appended is metadata only", "enum('a','b')", "enum('a','b','c')", []],
    ['an enum label removed loses data', "enum('a','b')", "enum('a')", ['data_loss', 'heavy_lock', 'may_fail', 'table_rewrite']],
    ['int display width only is no change', 'int(11)', 'int', []],
  ];

  it.each(hazardCases)('%s', (_name, from, to, hazards) => {
    const p = plan(snap([t('x', { columns: [id, column('v', from, { position: 2 })] })]), snap([t('x', { columns: [id, column('v', to, { position: 2 })] })]));
    if (hazards.length === 0 && from.startsWith('int')) {
      expect(p.statements).toEqual([]);
      return;
    }
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]?.sql).toContain(`MODIFY COLUMN \`v\` ${to}`);
    expect(p.statements[0]?.hazards).toEqual(hazards);
  });

  it.each([
    ['MariaDB 10.11 adds anywhere INSTANT', 'mariadb', '10.11.19-MariaDB', []],
    ['MySQL 8.0.20 rebuilds for a column not added last', 'mysql', '8.0.20', ['table_rewrite']],
    ['MySQL 8.0.29 adds anywhere INSTANT', 'mysql', '8.0.29', []],
    ['an unknown server is assumed to rebuild', 'mysql', '', ['table_rewrite']],
  ])('%s', (_name, flavor, serverVersion, hazards) => {
    const current = snap([t('x', { columns: [id, column('b', 'int', { position: 2 })] })], { flavor, serverVersion });
    const desired = snap([t('x', { columns: [id, column('a', 'int', { position: 2 }), column('b', 'int', { position: 3 })] })]);
    const p = plan(current, desired);
    expect(p.statements[0]?.sql).toContain('ADD COLUMN `a` int NULL AFTER `id`');
    expect(p.statements[0]?.hazards).toEqual(hazards);
  });

  it('labels engine changes and table drops', () => {
    const p = plan(snap([t('a', { columns: [id], attrs: { engine: 'MyISAM' } }), t('gone', { columns: [id] })]), snap([t('a', { columns: [id], attrs: { engine: 'InnoDB' } })]));
    expect(p.statements.map((s) => [s.sql, s.hazards])).toEqual([
      ['ALTER TABLE `a`\n  ENGINE=InnoDB;', ['heavy_lock', 'table_rewrite']],
      ['DROP TABLE `gone`;', ['data_loss']],
    ]);
  });

  it('creates views in dependency order with CREATE OR REPLACE', () => {
    const base = view('base', { definition: 'select `t`.`id` AS `id` from `t`', dependsOn: ['app.t'], attrs: {} }, 'app');
    const top = view('a_top', { definition: 'select `base`.`id` AS `id` from `base`', dependsOn: ['app.base'], attrs: { securityType: 'INVOKER', checkOption: 'CASCADED' } }, 'app');
    const p = plan(snap([]), snap([], { views: [top, base] }));
    expect(p.statements.map((s) => s.sql)).toEqual([
      'CREATE OR REPLACE VIEW `base` AS select `t`.`id` AS `id` from `t`;',
      'CREATE OR REPLACE SQL SECURITY INVOKER VIEW `a_top` AS select `base`.`id` AS `id` from `base` WITH CASCADED CHECK OPTION;',
    ]);
  });

  it('drops and creates a changed routine (no OR REPLACE on MySQL 8)', () => {
    const r = (body: string) => routine('f', '', { kind: 'procedure', body, definition: `CREATE PROCEDURE \`f\`()\n${body}`, returns: null, language: 'SQL' }, 'app');
    const p = plan(snap([], { routines: [r('BEGIN SELECT 1; END')] }), snap([], { routines: [r('BEGIN SELECT 2; END')] }));
    expect(p.statements.map((s) => [s.sql, s.hazards])).toEqual([
      ['DROP PROCEDURE `f`;', ['rebuild']],
      ['CREATE PROCEDURE `f`()\nBEGIN SELECT 2; END;', []],
    ]);
  });

  it('creates a trigger after the one it follows', () => {
    const trig = (name: string, order: number) =>
      trigger(name, { definition: `CREATE TRIGGER \`${name}\` BEFORE INSERT ON \`x\` FOR EACH ROW SET NEW.id = NEW.id + ${order}`, attrs: { timing: 'BEFORE', event: 'INSERT', order } });
    const p = plan(snap([t('x', { columns: [id], triggers: [trig('one', 1)] })]), snap([t('x', { columns: [id], triggers: [trig('zero', 1), trig('one', 2)] })]));
    expect(p.statements.map((s) => s.sql)).toEqual([
      'DROP TRIGGER `one`;',
      'CREATE TRIGGER `zero` BEFORE INSERT ON `x` FOR EACH ROW SET NEW.id = NEW.id + 1;',
      'CREATE TRIGGER `one` BEFORE INSERT ON `x` FOR EACH ROW FOLLOWS `zero` SET NEW.id = NEW.id + 2;',
    ]);
  });

  it('is deterministic', () => {
    const current = snap([t('a', { columns: [id, column('x', 'int', { position: 2 })] })]);
    const desired = snap([t('a', { columns: [id, column('y', 'int', { position: 2 })] }), t('b', { columns: [id] })]);
    expect(renderMysqlPlanSql(plan(current, desired))).toBe(renderMysqlPlanSql(plan(current, desired)));
  });

  const unplannable: [string, Change][] = [
    ['a type (MySQL has none)', { type: 'type', action: 'missing', schema: 'app', name: 'mood', attributes: [], desired: { kind: 'enum', schema: 'app', name: 'mood', values: ['a'], comment: null } }],
    ['a schema', { type: 'schema', action: 'missing', schema: 'other', name: 'other', attributes: [] }],
    ['an unknown table attribute', { type: 'table', action: 'changed', schema: 'app', name: 'a', attributes: [{ name: 'attrs.tablespace', expected: 'x', actual: 'y' }], desired: t('a'), current: t('a') }],
    ['a policy', { type: 'policy', action: 'missing', schema: 'app', table: 'a', name: 'p', attributes: [], desired: { name: 'p', permissive: true, command: 'all', roles: [], using: null, withCheck: null } }],
  ];

  it.each(unplannable)('throws PlanError for %s', (_name, change) => {
    expect(() => planMysql([change])).toThrow(PlanError);
    expect(() => planMysql([change])).toThrow(/^mysql: cannot plan /);
  });

  it('refuses a column that switches to generated while a foreign key uses it, naming the column and the key', () => {
    const users = t('users', { columns: [id] });
    const uid = column('user_id', 'int(11)', { position: 2 });
    const gen = column('user_id', 'int(11)', { position: 2, generated: { expression: '`id` + 1', kind: 'stored' } });
    const orders = (c: typeof uid) => t('orders', { columns: [id, c], foreignKeys: [foreignKey('fk_user', { refSchema: 'app' })], indexes: [index('fk_user', { parts: [{ column: 'user_id' }], method: 'btree' })] });
    expect(() => plan(snap([users, orders(uid)]), snap([users, orders(gen)]))).toThrow(PlanError);
    expect(() => plan(snap([users, orders(uid)]), snap([users, orders(gen)]))).toThrow(/cannot plan changed column app\.orders\.user_id: .*regular → STORED generated.*foreign key fk_user/);
  });

  it('writes HASH partitions by count only when they are the ones PARTITIONS n names', () => {
    const parts = (names: string[]) => ({ method: 'HASH', expression: '`id`', partitions: names.map((name) => ({ name, description: null })) });
    const sqlFor = (names: string[]) => plan(snap([t('p', { columns: [id] })]), snap([t('p', { columns: [id], attrs: { ...t('p').attrs, partitioning: parts(names) } })])).statements.map((st) => st.sql).join('\n');
    expect(sqlFor(['p0', 'p1', 'p2'])).toContain('PARTITION BY HASH (`id`)\nPARTITIONS 3;');
    expect(sqlFor(['a', 'b'])).toContain('(PARTITION `a`,\n PARTITION `b`)');
  });
});

describe('renderMysqlPlanSql', () => {
  it('wraps compound bodies in DELIMITER lines and leaves single statements alone', () => {
    const body = "BEGIN\n  SET NEW.a = ';';\n  SET NEW.b = 1;\nEND";
    const trig = trigger('t1', { definition: `CREATE TRIGGER \`t1\` BEFORE INSERT ON \`x\` FOR EACH ROW ${body}`, attrs: { timing: 'BEFORE', event: 'INSERT', order: 1 } });
    const p = plan(snap([t('x', { columns: [id] })]), snap([t('x', { columns: [id], triggers: [trig] }), t('y', { columns: [id] })]));
    expect(renderMysqlPlanSql(p)).toBe(
      '-- create table y\nCREATE TABLE `y` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n\n' +
        `-- create trigger t1\nDELIMITER $$\nCREATE TRIGGER \`t1\` BEFORE INSERT ON \`x\` FOR EACH ROW ${body}$$\nDELIMITER ;\n`,
    );
  });

  it.each([
    ['SELECT 1;', false],
    ["SELECT ';';", false],
    ['CREATE PROCEDURE p() BEGIN SELECT 1; END;', true],
    ['CREATE PROCEDURE p() SELECT 1 /* a; b */;', false],
  ])('needsDelimiter(%s) is %s', (sql, expected) => {
    expect(needsDelimiter(sql)).toBe(expected);
  });

  it('picks a delimiter the body does not contain', () => {
    const r = routine('f', '', { kind: 'procedure', body: "BEGIN SELECT '$$'; END", definition: "CREATE PROCEDURE `f`() BEGIN SELECT '$$'; END", returns: null }, 'app');
    const sql = renderMysqlPlanSql(planMysql([{ type: 'routine', action: 'missing', schema: 'app', name: 'f', identityArgs: '', attributes: [], desired: r }]));
    expect(sql).toContain("DELIMITER //\nCREATE PROCEDURE `f`() BEGIN SELECT '$$'; END//\nDELIMITER ;");
  });
});
