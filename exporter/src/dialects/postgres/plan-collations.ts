/**
 * Planning of user-defined collations. A collation has no ALTER for its definition, so a changed one is dropped and
 * created again; PostgreSQL refuses to drop a collation that columns, domains or indexes use, so that case is a
 * {@link PlanError} naming them rather than a plan that fails half way.
 */
import type { CollationChange } from '../../core/model/change.ts';
import type { Collation, SchemaSnapshot } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { objectName, renderCreateCollation } from './ddl-objects.ts';
import { renderComment } from './ddl-table.ts';
import { attributeNames } from './plan-parts.ts';
import { quoteQualified } from './quote.ts';

/** Plans a collation change. */
export function planCollation(ctx: PostgresPlanContext, change: CollationChange, index: number): void {
  if (change.action === 'missing' && change.desired) return createCollation(ctx, change.desired, index);
  if (change.action === 'extra' && change.current) return dropCollation(ctx, change.current, index, SLOT.dropCollation);
  const { desired, current } = change;
  if (!desired || !current) throw ctx.error(index, 'a changed collation must carry both sides');
  const names = attributeNames(change);
  if ([...names].some((n) => n !== 'comment')) {
    const users = collationUsers(ctx.options.current, current);
    if (users.length) throw ctx.error(index, `the collation cannot be altered and ${users.join(', ')} use${users.length > 1 ? '' : 's'} it; recreate it by hand`);
    dropCollation(ctx, current, index, SLOT.dropRebuiltType, ['rebuild']);
    createCollation(ctx, desired, index, ['rebuild']);
  } else if (names.has('comment')) {
    ctx.add(index, { slot: SLOT.comment, sql: renderComment(`COLLATION ${objectName(desired)}`, desired.comment), comment: `comment on collation ${desired.name}` });
  }
}

function createCollation(ctx: PostgresPlanContext, collation: Collation, index: number, hazards: 'rebuild'[] = []): void {
  ctx.add(index, { slot: SLOT.createCollation, sql: renderCreateCollation(collation), comment: `create collation ${qualifiedKey(collation.schema, collation.name)}`, hazards });
  if (collation.comment !== null) ctx.add(index, { slot: SLOT.comment, sql: renderComment(`COLLATION ${objectName(collation)}`, collation.comment), comment: `comment on collation ${collation.name}` });
}

function dropCollation(ctx: PostgresPlanContext, collation: Collation, index: number, slot: number, hazards: 'rebuild'[] = []): void {
  ctx.add(index, { slot, sql: `DROP COLLATION ${objectName(collation)};`, comment: `drop collation ${qualifiedKey(collation.schema, collation.name)}`, hazards });
}

/** Columns, domains, range and composite types of the current snapshot that use the collation. */
function collationUsers(snapshot: SchemaSnapshot | undefined, collation: Collation): string[] {
  const names = new Set([quoteQualified(collation.schema, collation.name), `${collation.schema}.${collation.name}`]);
  const uses = (c: string | null | undefined) => c !== null && c !== undefined && names.has(c);
  const found: string[] = [];
  for (const schema of snapshot?.schemas ?? []) {
    for (const table of schema.tables) {
      for (const column of table.columns) if (uses(column.collation)) found.push(`column ${qualifiedKey(table.schema, table.name)}.${column.name}`);
      for (const i of table.indexes) if (i.parts.some((p) => uses(p.collation))) found.push(`index ${qualifiedKey(table.schema, i.name)}`);
    }
    for (const t of schema.types) {
      const hit = (t.kind === 'domain' || t.kind === 'range') ? uses(t.collation) : t.kind === 'composite' && t.attributes.some((a) => uses(a.collation));
      if (hit) found.push(`${t.kind} ${qualifiedKey(t.schema, t.name)}`);
    }
  }
  return found;
}
