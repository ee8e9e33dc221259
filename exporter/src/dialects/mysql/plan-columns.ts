/**
 * Planning of column changes: ADD, DROP and MODIFY COLUMN clauses of the table's combined ALTER, with hazards from
 * what changed. A column whose type or collation changes while a foreign key uses it (on either end) needs the
 * foreign key dropped first and added back afterwards: MySQL refuses the change otherwise.
 */
import type { ColumnChange } from '../../core/model/change.ts';
import type { Hazard } from '../../core/model/plan.ts';
import type { Column, Table } from '../../core/model/schema.ts';
import { columnCheckOf, columnDefinition, constraintClause, foreignKeyClause, indexClause, tableName } from './ddl-table.ts';
import { CLAUSE, SLOT, type MysqlPlanContext } from './plan-context.ts';
import { instantAddColumn, instantDropColumn, typeChangeHazards } from './plan-hazards.ts';
import { quoteIdent } from './quote.ts';

function sortedColumns(table: Table | undefined): Column[] {
  return [...(table?.columns ?? [])].sort((a, b) => a.position - b.position);
}

/** `FIRST` / `AFTER prev` placing a column where the desired table has it; empty when it goes last. */
function placement(desiredTable: Table | undefined, column: Column): { sql: string; last: boolean } {
  const columns = sortedColumns(desiredTable);
  const at = columns.findIndex((c) => c.name === column.name);
  if (at < 0 || at === columns.length - 1) return { sql: '', last: true };
  return { sql: at === 0 ? ' FIRST' : ` AFTER ${quoteIdent((columns[at - 1] as Column).name)}`, last: false };
}

function hasFulltext(table: Table | undefined): boolean {
  return (table?.indexes ?? []).some((i) => i.method.toLowerCase() === 'fulltext');
}

function addColumn(ctx: MysqlPlanContext, change: ColumnChange, index: number, column: Column): void {
  const desiredTable = ctx.table('desired', change.table);
  const place = placement(desiredTable, column);
  const rebuild =
    !instantAddColumn(ctx, !place.last) ||
    column.generated?.kind === 'stored' ||
    column.identity !== null ||
    hasFulltext(ctx.table('current', change.table));
  const hazards: Hazard[] = rebuild ? ['table_rewrite'] : [];
  ctx.alter(index, change.table, {
    order: CLAUSE.addColumn + column.position / 100_000,
    sql: `ADD COLUMN ${columnDefinition(column, desiredTable ?? null, desiredTable ?? null)}${place.sql}`,
    comment: `add column ${column.name}`,
    hazards,
  });
}

function dropColumn(ctx: MysqlPlanContext, change: ColumnChange, index: number, column: Column): void {
  ctx.alter(index, change.table, {
    order: CLAUSE.dropColumn,
    sql: `DROP COLUMN ${quoteIdent(column.name)}`,
    comment: `drop column ${column.name}`,
    hazards: instantDropColumn(ctx) ? ['data_loss'] : ['data_loss', 'table_rewrite'],
  });
}

/** Hazards of a MODIFY COLUMN, from the attributes that differ. */
function modifyHazards(change: ColumnChange, desired: Column, current: Column): Hazard[] {
  const hazards: Hazard[] = [];
  for (const { name } of change.attributes) {
    if (name === 'type') hazards.push(...typeChangeHazards(current.type.raw, desired.type.raw));
    else if (name === 'nullable') hazards.push('table_rewrite', ...(desired.nullable ? [] : (['may_fail'] as const)));
    else if (name === 'collation' || name === 'attrs.charset') hazards.push('table_rewrite', 'heavy_lock', 'may_fail');
    else if (name.startsWith('generated')) hazards.push('table_rewrite', 'heavy_lock');
    else if (name.startsWith('identity') || name === 'position') hazards.push('table_rewrite');
  }
  return hazards;
}

/** True when the change touches what a foreign key on the column must match. */
function retypes(change: ColumnChange): boolean {
  return change.attributes.some((a) => a.name === 'type' || a.name === 'collation' || a.name === 'attrs.charset');
}

/**
 * Drops (and re-adds in desired form) every foreign key of the current database that uses `column` of `table` on
 * either end and that the changes do not drop or recreate themselves.
 */
function releaseForeignKeys(ctx: MysqlPlanContext, table: string, column: string, index: number): void {
  for (const schema of ctx.options.current?.schemas ?? []) {
    for (const t of schema.tables) {
      for (const fk of t.foreignKeys) {
        const uses = (t.name === table && fk.columns.includes(column)) || (fk.refTable === table && fk.refColumns.includes(column));
        const key = `${t.name}\u0000${fk.name}`;
        if (!uses || ctx.droppedForeignKeys.has(key)) continue;
        ctx.droppedForeignKeys.add(key);
        ctx.add(index, { slot: SLOT.dropForeignKey, sql: `ALTER TABLE ${tableName(t)} DROP FOREIGN KEY ${quoteIdent(fk.name)};`, comment: `drop foreign key ${fk.name} on ${t.name} while ${table}.${column} changes` });
        const handled = ctx.changes.some((c) => c.type === 'foreign_key' && c.table === t.name && c.name === fk.name) ||
          ctx.changes.some((c) => c.type === 'table' && c.action === 'extra' && c.name === t.name);
        const desired = ctx.table('desired', t.name)?.foreignKeys.find((f) => f.name === fk.name);
        if (handled || !desired) continue;
        ctx.add(index, {
          slot: SLOT.addForeignKey,
          sql: `ALTER TABLE ${tableName(t)} ADD ${foreignKeyClause(desired, schema.name)};`,
          comment: `add foreign key ${fk.name} on ${t.name} back`,
          hazards: ['heavy_lock', 'may_fail', 'table_rewrite'],
        });
      }
    }
  }
}

/**
 * A MODIFY COLUMN clause to the desired definition. One per column: a column change's own clause (`primary`) wins
 * over one that a table option or check change needs. On MariaDB a MODIFY drops a check written with the column
 * (named after it): the desired table's column check is written in the MODIFY, another one that must stay is added
 * back in the same ALTER.
 */
export function modifyColumnClause(
  ctx: MysqlPlanContext,
  index: number,
  table: string,
  column: Column,
  clause: { comment: string; hazards: Hazard[]; placement?: string; primary?: boolean },
): void {
  const desiredTable = ctx.table('desired', table);
  ctx.alter(index, table, {
    order: CLAUSE.modifyColumn + column.position / 100_000,
    sql: `MODIFY COLUMN ${columnDefinition(column, desiredTable ?? null, desiredTable ?? null)}${clause.placement ?? ''}`,
    comment: clause.comment,
    hazards: clause.hazards,
    key: `modify:${column.name}`,
    ...(clause.primary ? { primary: true } : {}),
  });
  keepColumnCheck(ctx, index, table, column);
}

function keepColumnCheck(ctx: MysqlPlanContext, index: number, table: string, column: Column): void {
  const current = ctx.table('current', table)?.constraints.find((c) => c.kind === 'check' && c.name === column.name && c.attrs?.level === 'column');
  if (!current || column.type.raw.toLowerCase() === 'json') return;
  // The MODIFY writes a column check the desired table keeps with the column.
  if (columnCheckOf(ctx.table('desired', table) ?? null, column)) return;
  const handled = ctx.changes.some((c) => c.type === 'constraint' && c.table === table && (c.name === column.name || c.current?.name === column.name));
  const desired = ctx.table('desired', table)?.constraints.find((c) => c.kind === 'check' && c.name === column.name);
  if (handled || !desired) return;
  ctx.alter(index, table, { order: CLAUSE.addCheck, sql: `ADD ${constraintClause(desired, [])}`, comment: `add check ${desired.name} back`, hazards: ['may_fail'] });
}

/** True when a column turns generated or regular, or STORED or VIRTUAL: no server can MODIFY that (MariaDB's error 1907). */
function switchesGeneration(change: ColumnChange): boolean {
  return change.attributes.some((a) => a.name === 'generated' || a.name === 'generated.kind');
}

/**
 * True when the plan writes the column whole with ADD COLUMN (a missing column, or one switching generation, see
 * {@link replaceColumn}) or drops it: a MODIFY of it would clash, and its own check goes and comes with it.
 */
export function columnRebuilt(ctx: MysqlPlanContext, table: string, column: string): boolean {
  return ctx.changes.some((c) => c.type === 'column' && c.table === table && c.name === column && (c.action !== 'changed' || switchesGeneration(c)));
}

/**
 * A column that turns generated or regular, or STORED or VIRTUAL, is dropped and added again in the same ALTER
 * (MariaDB answers a MODIFY with error 1907, MySQL refuses VIRTUAL ↔ STORED). The values a regular column held, or
 * that a generated one computed, are gone: `data_loss`, except between STORED and VIRTUAL (the server computes them
 * again). The indexes that use the column are dropped and added back around it; a foreign key or a check that uses
 * it has no safe order here, so the change is refused.
 */
function replaceColumn(ctx: MysqlPlanContext, change: ColumnChange, index: number, desired: Column, current: Column): void {
  const currentTable = ctx.table('current', change.table);
  const desiredTable = ctx.table('desired', change.table);
  const usedBy = [
    ...(currentTable?.foreignKeys ?? []).filter((f) => f.columns.includes(current.name)).map((f) => `foreign key ${f.name}`),
    ...(ctx.options.current?.schemas ?? []).flatMap((s) => s.tables).flatMap((t) =>
      t.foreignKeys.filter((f) => f.refTable === change.table && f.refColumns.includes(current.name)).map((f) => `foreign key ${f.name} of ${t.name}`)),
    ...(currentTable?.constraints ?? []).filter((k) => k.kind === 'check' && k.name !== current.name && mentions(k.expression ?? k.definition, current.name)).map((k) => `check ${k.name}`),
  ];
  if (usedBy.length > 0) {
    throw ctx.error(index, `the column must be dropped and added again (it turns ${generationText(current)} → ${generationText(desired)}), and ${usedBy.join(', ')} uses it; change those in a migration of their own first`);
  }
  const hazards: Hazard[] = current.generated && desired.generated ? ['table_rewrite', 'heavy_lock'] : ['data_loss', 'table_rewrite', 'heavy_lock'];
  const why = `replace column ${current.name} (${generationText(current)} → ${generationText(desired)}: cannot be modified)`;
  ctx.alter(index, change.table, { order: CLAUSE.dropColumn, sql: `DROP COLUMN ${quoteIdent(current.name)}`, comment: why, hazards });
  const place = placement(desiredTable, desired);
  ctx.alter(index, change.table, {
    order: CLAUSE.addColumn + desired.position / 100_000,
    sql: `ADD COLUMN ${columnDefinition(desired, desiredTable ?? null, desiredTable ?? null)}${place.sql}`,
    comment: `add column ${desired.name} back`,
    hazards,
  });
  const handled = (name: string) => ctx.changes.some((c) => c.type === 'index' && c.table === change.table && (c.name === name || c.current?.name === name));
  for (const idx of currentTable?.indexes ?? []) {
    if (!idx.parts.some((p) => p.column === current.name) || handled(idx.name)) continue;
    ctx.alter(index, change.table, { order: CLAUSE.dropIndex, sql: `DROP INDEX ${quoteIdent(idx.name)}`, comment: `drop index ${idx.name}` });
    const back = desiredTable?.indexes.find((i) => i.name === idx.name);
    const engine = typeof desiredTable?.attrs.engine === 'string' ? desiredTable.attrs.engine : null;
    if (back) ctx.alter(index, change.table, { order: CLAUSE.addIndex, sql: `ADD ${indexClause(back, engine)}`, comment: `add index ${idx.name} back`, hazards: back.unique ? ['may_fail'] : [] });
  }
}

/** `regular`, `STORED generated` or `VIRTUAL generated`. */
function generationText(column: Column): string {
  return column.generated ? `${column.generated.kind === 'virtual' ? 'VIRTUAL' : 'STORED'} generated` : 'regular';
}

/** True when the SQL expression names the column (as `` `c` `` or a bare word). */
function mentions(sql: string, column: string): boolean {
  return sql.includes(quoteIdent(column)) || new RegExp(`(^|[^\\w\`])${column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w\`])`).test(sql);
}

function modifyColumn(ctx: MysqlPlanContext, change: ColumnChange, index: number, desired: Column, current: Column): void {
  if (switchesGeneration(change)) return replaceColumn(ctx, change, index, desired, current);
  const moved = change.attributes.some((a) => a.name === 'position');
  if (retypes(change)) releaseForeignKeys(ctx, change.table, current.name, index);
  modifyColumnClause(ctx, index, change.table, desired, {
    comment: `modify column ${desired.name} (${change.attributes.map((a) => a.name).join(', ')})`,
    hazards: modifyHazards(change, desired, current),
    placement: moved ? placement(ctx.table('desired', change.table), desired).sql : '',
    primary: true,
  });
}

/** Plans a column change. */
export function planColumn(ctx: MysqlPlanContext, change: ColumnChange, index: number): void {
  if (change.action === 'missing') {
    if (!change.desired) throw ctx.error(index, 'the change carries no desired column');
    return addColumn(ctx, change, index, change.desired);
  }
  if (change.action === 'extra') {
    if (!change.current) throw ctx.error(index, 'the change carries no current column');
    return dropColumn(ctx, change, index, change.current);
  }
  if (!change.desired || !change.current) throw ctx.error(index, 'the change carries no column');
  modifyColumn(ctx, change, index, change.desired, change.current);
}
