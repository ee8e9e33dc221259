/**
 * Recreating a type that cannot be altered in place (an enum losing or reordering labels, a range type whose
 * definition changes): every column using it is converted through text to the desired type. An enum is renamed aside
 * and dropped at the end; a range cannot be (see {@link recreateType}), so its columns are parked as text and it is
 * dropped first. Columns are found in the current snapshot (`options.current`).
 *
 * Domains, composite types and range types built on the type are not rebuilt: a domain's base type cannot be
 * altered, so the plan fails with a {@link PlanError} naming them instead of emitting SQL that fails half way.
 */
import type { Hazard } from '../../core/model/plan.ts';
import type { EnumType, RangeType, TypeDef } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import type { PostgresPlanContext } from './plan-context.ts';
import { SLOT } from './plan-context.ts';
import { objectName, renderCreateType } from './ddl-objects.ts';
import { tableName } from './ddl-table.ts';
import { quoteIdent, quoteQualified } from './quote.ts';

interface TypeColumn {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  /** `[]` per array dimension of the column's type. */
  readonly suffix: string;
  readonly default: string | null;
  /** The recreated type the column converts to (the range or its multirange). */
  readonly target: string;
}

/** The spellings a type name can have in a deparsed type (`"My Schema"."T"`, `s.t`). */
function spellings(schema: string, name: string): string[] {
  return [quoteQualified(schema, name), `${schema}.${name}`];
}

/** `raw` without its array suffix, and that suffix. */
function splitArray(raw: string): [string, string] {
  const base = raw.replace(/(\[\])+$/, '');
  return [base, raw.slice(base.length)];
}

/** Maps each spelling of `type` (and of a range's multirange) to the name the converted column gets. */
function targetsOf(current: TypeDef, desired: TypeDef): Map<string, string> {
  const targets = new Map<string, string>();
  for (const s of spellings(current.schema, current.name)) targets.set(s, objectName(desired));
  if (current.kind === 'range' && current.multirange) {
    targets.set(current.multirange, (desired as RangeType).multirange ?? current.multirange);
  }
  return targets;
}

/** The columns (current snapshot) whose type is the type or an array of it; partitions follow their parent. */
function typeColumns(ctx: PostgresPlanContext, targets: Map<string, string>): TypeColumn[] {
  const found: TypeColumn[] = [];
  for (const schema of ctx.options.current?.schemas ?? []) {
    for (const table of schema.tables) {
      if (typeof table.attrs.partitionOf === 'string' && table.attrs.partitionOf) continue;
      for (const column of table.columns) {
        const [base, suffix] = splitArray(column.type.raw);
        const target = targets.get(base);
        if (target !== undefined) found.push({ schema: table.schema, table: table.name, column: column.name, suffix, default: column.default, target });
      }
    }
  }
  return found;
}

/** Domains, composite types and ranges (current snapshot) built on one of `targets`, as `kind schema.name`. */
export function dependentTypes(ctx: PostgresPlanContext, targets: ReadonlySet<string>): string[] {
  const uses = (raw: string | undefined) => raw !== undefined && targets.has(splitArray(raw)[0]);
  const found: string[] = [];
  for (const schema of ctx.options.current?.schemas ?? []) {
    for (const t of schema.types) {
      const hit =
        (t.kind === 'domain' && uses(t.baseType)) ||
        (t.kind === 'range' && uses(t.subtype)) ||
        (t.kind === 'composite' && t.attributes.some((a) => uses(a.type)));
      if (hit) found.push(`${t.kind} ${qualifiedKey(t.schema, t.name)}`);
    }
  }
  return found;
}

/**
 * Recreates `current` as `desired` and converts each column using it through text (fails on values the new type
 * rejects). Throws a {@link PlanError} when other types are built on it. `why` names the change in error messages.
 */
export function recreateType(ctx: PostgresPlanContext, current: EnumType | RangeType, desired: EnumType | RangeType, index: number, why: string): void {
  if (!ctx.options.current) throw ctx.error(index, `${why} needs the current snapshot (options.current) to find the columns using the type`);
  const targets = targetsOf(current, desired);
  const blockers = dependentTypes(ctx, new Set(targets.keys()));
  if (blockers.length) {
    throw ctx.error(index, `${why} recreates the type, but ${blockers.join(', ')} ${blockers.length > 1 ? 'are' : 'is'} built on it; recreate ${blockers.length > 1 ? 'them' : 'it'} and the columns using ${blockers.length > 1 ? 'them' : 'it'} by hand`);
  }
  const add = (slot: number, sql: string, comment: string, hazards: Hazard[] = []): void => ctx.add(index, { slot, sql, comment, hazards });
  const columns = typeColumns(ctx, targets);
  // Views naming the type itself (a cast in their definition) would block dropping the old one.
  const typeKey = qualifiedKey(current.schema, current.name);
  if (!ctx.recreatedTypes.has(typeKey)) ctx.recreatedTypes.set(typeKey, index);
  if (current.kind === 'range') {
    // A range's constructor functions keep their names when the type is renamed (and would clash with the new
    // range's): park the columns as text, drop the old range, create the new one, convert back.
    for (const col of columns) parkColumn(col, add);
    add(SLOT.dropRebuiltType, `DROP TYPE ${objectName(current)};`, `drop range ${current.name} to recreate it`, ['data_loss', 'rebuild']);
  } else {
    add(SLOT.createType, `ALTER TYPE ${objectName(current)} RENAME TO ${quoteIdent(`${desired.name}__old`)};`, `rename ${current.kind} ${current.name} to recreate it`, ['rebuild']);
  }
  add(SLOT.createType, renderCreateType(desired), `recreate ${desired.kind} ${desired.name} in its desired form`, ['rebuild']);
  for (const col of columns) convertColumn(ctx, col, index, add, current.kind === 'range');
  if (current.kind !== 'range') add(SLOT.dropType, `DROP TYPE ${quoteQualified(current.schema, `${desired.name}__old`)};`, `drop the old ${current.kind} ${desired.name}`, ['data_loss']);
}

/** Converts a column of a range about to be dropped to text (its default first: it would not cast). */
function parkColumn(col: TypeColumn, add: (slot: number, sql: string, comment: string, hazards?: Hazard[]) => void): void {
  const alter = `ALTER TABLE ${tableName({ schema: col.schema, name: col.table })} ALTER COLUMN ${quoteIdent(col.column)}`;
  if (col.default !== null) add(SLOT.dropRebuiltType - 0.5, `${alter} DROP DEFAULT;`, `drop default of ${col.table}.${col.column} while its type is recreated`);
  add(SLOT.dropRebuiltType - 0.5, `${alter} TYPE text${col.suffix} USING ${quoteIdent(col.column)}::text${col.suffix};`, `park ${col.table}.${col.column} as text while its type is recreated`, ['table_rewrite']);
}

function convertColumn(ctx: PostgresPlanContext, col: TypeColumn, index: number, add: (slot: number, sql: string, comment: string, hazards?: Hazard[]) => void, parked = false): void {
  const alter = `ALTER TABLE ${tableName({ schema: col.schema, name: col.table })} ALTER COLUMN ${quoteIdent(col.column)}`;
  const type = `${col.target}${col.suffix}`;
  if (col.default !== null && !parked) add(SLOT.alterColumn, `${alter} DROP DEFAULT;`, `drop default of ${col.table}.${col.column} while its type is recreated`);
  add(SLOT.retypeColumn - 0.5, `${alter} TYPE ${type} USING ${quoteIdent(col.column)}::text${col.suffix}::${type};`, `convert ${col.table}.${col.column} to the recreated type`, ['data_loss', 'may_fail', 'table_rewrite']);
  if (col.default !== null) {
    const fresh = ctx.findTable(col.schema, col.table, 'desired')?.columns.find((c) => c.name === col.column)?.default ?? null;
    if (fresh !== null) add(SLOT.retypeColumn, `${alter} SET DEFAULT ${fresh};`, `restore default of ${col.table}.${col.column}`);
  }
  ctx.markReshaped({ schema: col.schema, name: col.table }, col.column, index);
}
