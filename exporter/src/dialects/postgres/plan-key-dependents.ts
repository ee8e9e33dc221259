/**
 * Foreign keys that stand on a key the plan drops. PostgreSQL ties a foreign key to the unique index it found on the
 * referenced columns (a primary key, a unique constraint or a unique index) and refuses to drop that key while the
 * foreign key exists ("cannot drop constraint ... because other objects depend on it"). The diff names such a foreign
 * key only when it changes itself, and a foreign key of a dropped table goes only with its table, which the plan drops
 * late: so each one is dropped before the key here, and one that is still desired on a table that stays is added again
 * afterwards in its desired form.
 */
import type { Change } from '../../core/model/change.ts';
import type { ForeignKey, Table } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { renderAddConstraint, renderDropConstraint } from './ddl-table.ts';

type TableRef = { schema: string; name: string };

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** The foreign key's own change, when it drops the foreign key anyway (before any key: see `SLOT`). */
function droppedByOwnChange(ctx: PostgresPlanContext, table: TableRef, fk: ForeignKey): boolean {
  const own: Change | undefined = ctx.changesOf(table.schema, table.name).find((c) => c.type === 'foreign_key' && (c.current?.name ?? c.name) === fk.name);
  if (!own) return false;
  // A rename alone keeps the foreign key (ALTER ... RENAME CONSTRAINT); anything else drops it.
  return own.action !== 'changed' || own.attributes.some((a) => a.name !== 'name' && a.name !== 'comment');
}

function tableDropped(ctx: PostgresPlanContext, table: TableRef): boolean {
  return ctx.changesOf(table.schema, table.name).some((c) => c.type === 'table' && c.action === 'extra');
}

/**
 * Drops, before the key on `columns` of `referenced` is dropped by change `index`, every foreign key of the current
 * snapshot that references exactly those columns (in any order) and that nothing else drops first; adds again those
 * still desired on tables that stay.
 */
export function rebuildForeignKeysOnKey(ctx: PostgresPlanContext, referenced: TableRef, columns: readonly string[], index: number): void {
  for (const table of ctx.options.current?.schemas.flatMap((s) => s.tables) ?? []) {
    for (const fk of table.foreignKeys) {
      if (fk.refSchema !== referenced.schema || fk.refTable !== referenced.name || !sameColumns(fk.refColumns, columns)) continue;
      if (droppedByOwnChange(ctx, table, fk)) continue;
      const drop = renderDropConstraint(table, fk.name);
      if (ctx.has(SLOT.dropForeignKey, drop)) continue;
      const dropped = tableDropped(ctx, table);
      ctx.add(index, {
        slot: SLOT.dropForeignKey,
        sql: drop,
        comment: `drop foreign key ${fk.name} on ${table.name} while the key it references on ${referenced.name} is dropped`,
        hazards: dropped ? [] : ['rebuild'],
      });
      if (!dropped) readd(ctx, table, fk.name, index);
    }
  }
}

function readd(ctx: PostgresPlanContext, table: Table, name: string, index: number): void {
  const desired = ctx.findTable(table.schema, table.name, 'desired')?.foreignKeys.find((fk) => fk.name === name);
  if (!desired) return;
  const sql = renderAddConstraint(table, desired);
  if (ctx.has(SLOT.addForeignKey, sql)) return;
  ctx.add(index, { slot: SLOT.addForeignKey, sql, comment: `add foreign key ${name} on ${table.name} again`, hazards: ['heavy_lock', 'may_fail', 'rebuild'] });
}
