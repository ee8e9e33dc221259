/**
 * Rename hints (core/plan/rename-hints.ts) on hand-built changes from the real differ, and their comment lines in
 * both dialects' plan scripts: a drop + add of the same definition is hinted, anything ambiguous or different is not.
 */
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { findRenameHints, withPossibleRenames } from '../../src/core/plan/rename-hints.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql, renderMysqlPlanSql } from '../../src/dialects/mysql/plan.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { planPostgres, renderPostgresPlanSql } from '../../src/dialects/postgres/plan.ts';
import { column, table } from '../diff/snapshot-factory.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { compare, reportParts } from '../../src/engine/compare.ts';

function snap(dialect: 'postgres' | 'mysql', schema: string, tables: Table[]): SchemaSnapshot {
  return {
    formatVersion: 1,
    dialect,
    source: { description: 'test' },
    schemas: [{ name: schema, comment: null, tables, views: [], sequences: [], types: [], routines: [] }],
    extensions: [],
  };
}

const id = column('id', 'integer', { nullable: false, position: 1 });
const pg = (tables: Table[]) => snap('postgres', 'public', tables);
const pgDiff = (current: Table[], desired: Table[]): Change[] => diffSchemas({ current: pg(current), desired: pg(desired), hooks: postgresHooks });
const people = (...cols: ReturnType<typeof column>[]) => table('people', { columns: [id, ...cols] });

describe('findRenameHints', () => {
  it.each([
    {
      name: 'a dropped and an added column of the same definition',
      current: [people(column('full_name', 'text', { nullable: false, position: 2 }))],
      desired: [people(column('display_name', 'text', { nullable: false, position: 2 }))],
      hints: ['column people: full_name → display_name'],
    },
    {
      name: 'a column whose type differs too',
      current: [people(column('full_name', 'text', { position: 2 }))],
      desired: [people(column('display_name', 'varchar(100)', { position: 2 }))],
      hints: [],
    },
    {
      name: 'two candidates of one definition (ambiguous)',
      current: [people(column('a', 'text', { position: 2 }), column('b', 'text', { position: 3 }))],
      desired: [people(column('c', 'text', { position: 2 }), column('d', 'text', { position: 3 }))],
      hints: [],
    },
    {
      name: 'a column that moved too (position is not definition)',
      current: [people(column('age', 'integer', { position: 2 }), column('nick', 'text', { position: 3 }))],
      desired: [people(column('alias', 'text', { position: 2 }), column('age', 'integer', { position: 3 }))],
      hints: ['column people: nick → alias'],
    },
    {
      name: 'a dropped and an added table of the same columns',
      current: [table('old_notes', { columns: [id, column('body', 'text', { position: 2 })] })],
      desired: [table('notes', { columns: [id, column('body', 'text', { position: 2 })] })],
      hints: ['table public: old_notes → notes'],
    },
    {
      name: 'tables with other columns',
      current: [table('old_notes', { columns: [id, column('body', 'text', { position: 2 })] })],
      desired: [table('notes', { columns: [id, column('text', 'text', { position: 2 })] })],
      hints: [],
    },
  ])('$name', ({ current, desired, hints }) => {
    const found = findRenameHints(pgDiff(current, desired)).map((h) => `${h.rename.kind} ${h.table ?? h.schema}: ${h.rename.from} → ${h.rename.to}`);
    expect(found).toEqual(hints);
  });

  it('marks both changes of a pair, and no other change', () => {
    const changes = withPossibleRenames(pgDiff(
      [people(column('full_name', 'text', { position: 2 }), column('x', 'integer', { position: 3 }))],
      [people(column('display_name', 'text', { position: 2 }))],
    ));
    expect(changes.map((c) => [c.action, c.name, c.possibleRename ?? null])).toEqual([
      ['missing', 'display_name', { kind: 'column', from: 'full_name', to: 'display_name' }],
      ['extra', 'full_name', { kind: 'column', from: 'full_name', to: 'display_name' }],
      ['extra', 'x', null],
    ]);
  });
});

describe('compare() marks possible renames on the changes it reports', () => {
  it('both halves carry possibleRename, and the reconcile script has the hint line', () => {
    const current = pg([people(column('full_name', 'text', { position: 2 }))]);
    const desired = pg([people(column('display_name', 'text', { position: 2 }))]);
    const comparison = compare(dialectNamed('postgres'), { current, desired });
    expect(comparison.changes.map((c) => c.possibleRename)).toEqual([
      { kind: 'column', from: 'full_name', to: 'display_name' },
      { kind: 'column', from: 'full_name', to: 'display_name' },
    ]);
    const parts = reportParts(dialectNamed('postgres'), comparison);
    expect(parts.reconcileSql).toMatch(/^-- possible rename: ALTER TABLE public\.people RENAME COLUMN full_name TO display_name;/);
  });
});

describe('rename hints in the plan scripts', () => {
  it('PostgreSQL: a comment line with ALTER TABLE … RENAME, and the drop + add kept', () => {
    const current = pg([people(column('full_name', 'text', { position: 2 })), table('old_notes', { columns: [id] })]);
    const desired = pg([people(column('display_name', 'text', { position: 2 })), table('notes', { columns: [id] })]);
    const changes = diffSchemas({ current, desired, hooks: postgresHooks });
    const plan = planPostgres(changes, { current, desired });
    const script = renderPostgresPlanSql(plan);
    expect(script.split('\n').filter((l) => l.startsWith('-- possible rename:'))).toEqual([
      '-- possible rename: ALTER TABLE public.old_notes RENAME TO notes; (instead of dropping table old_notes and adding notes, which has the same definition: the rename keeps the data)',
      '-- possible rename: ALTER TABLE public.people RENAME COLUMN full_name TO display_name; (instead of dropping column people.full_name and adding display_name, which has the same definition: the rename keeps the data)',
    ]);
    expect(plan.statements.some((s) => s.sql.includes('DROP COLUMN full_name') && s.hazards.includes('data_loss'))).toBe(true);
    expect(plan.statements.some((s) => s.sql.startsWith('DROP TABLE public.old_notes'))).toBe(true);
  });

  it('MySQL: a comment line with ALTER TABLE … RENAME COLUMN and RENAME TABLE', () => {
    const my = (tables: Table[]) => snap('mysql', 'app', tables.map((t) => ({ ...t, schema: 'app', attrs: { engine: 'InnoDB' } })));
    const intCol = (name: string) => column(name, 'int(11)', { position: 2 });
    const current = my([table('people', { columns: [id, intCol('age_years')] }), table('old_notes', { columns: [id] })]);
    const desired = my([table('people', { columns: [id, intCol('age')] }), table('notes', { columns: [id] })]);
    const changes = diffSchemas({ current, desired, hooks: mysqlHooks });
    const script = renderMysqlPlanSql(planMysql(changes, { current, desired }));
    expect(script.split('\n').filter((l) => l.startsWith('-- possible rename:')).map((l) => l.replace(/ \(instead.*$/, ''))).toEqual([
      '-- possible rename: RENAME TABLE `old_notes` TO `notes`;',
      '-- possible rename: ALTER TABLE `people` RENAME COLUMN `age_years` TO `age`;',
    ]);
  });

  // Both servers allow a line break inside a quoted identifier: in a comment line it would start a line of runnable SQL.
  it.each(['postgres', 'mysql'] as const)('%s: a name with a line break stays inside its comment lines', (dialect) => {
    const evil = 'x\nDROP TABLE users; --';
    const col = (name: string) => column(name, dialect === 'postgres' ? 'text' : 'int(11)', { position: 2 });
    const tables = (name: string) => [table('people', { columns: [id, col(name)] })];
    const script =
      dialect === 'postgres'
        ? (() => {
            const current = pg(tables(evil));
            const desired = pg(tables('plain'));
            return renderPostgresPlanSql(planPostgres(diffSchemas({ current, desired, hooks: postgresHooks }), { current, desired }));
          })()
        : (() => {
            const my = (t: Table[]) => snap('mysql', 'app', t.map((x) => ({ ...x, schema: 'app', attrs: { engine: 'InnoDB' } })));
            const current = my(tables(evil));
            const desired = my(tables('plain'));
            return renderMysqlPlanSql(planMysql(diffSchemas({ current, desired, hooks: mysqlHooks }), { current, desired }));
          })();
    expect(script).toMatch(/-- possible rename: .*x DROP TABLE users; --/);
    // The name may continue on a line of its own inside a quoted identifier of a statement, never after a comment line.
    const lines = script.split('\n');
    const afterComment = lines.filter((line, i) => line.startsWith('DROP TABLE users') && lines[i - 1]?.startsWith('--'));
    expect(lines.some((line) => line.startsWith('DROP TABLE users'))).toBe(true);
    expect(afterComment).toEqual([]);
  });
});
