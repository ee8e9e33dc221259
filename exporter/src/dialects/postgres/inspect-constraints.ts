/**
 * Table constraints: primary key, unique, check, exclusion, and foreign keys, in one query.
 *
 * Constraints a partition inherits are kept and marked `attrs.inherited`. Left out: the foreign-key clones PostgreSQL
 * adds on the referencing table for each partition of a referenced partitioned table (same name, same table, parent
 * constraint on that table), NOT NULL constraints (PostgreSQL 18 catalogs them as `contype 'n'`; nullability comes from
 * `attnotnull` on every version) and constraint triggers (`contype 't'`, reported as triggers).
 */
import type { Constraint, ConstraintKind, ForeignKey, ReferentialAction } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, commentOf, type InspectContext, notExtensionMember, relKey } from './inspect-common.ts';

/** A constraint or foreign key with the table it belongs to. */
export type ConstraintRow =
  | { readonly schema: string; readonly table: string; readonly kind: 'constraint'; readonly value: Constraint }
  | { readonly schema: string; readonly table: string; readonly kind: 'foreignKey'; readonly value: ForeignKey };

interface RawConstraint {
  schema: string;
  table: string;
  name: string;
  contype: string;
  definition: string;
  check_expr: string | null;
  deferrable: boolean;
  deferred: boolean;
  validated: boolean;
  enforced: boolean;
  no_inherit: boolean;
  inherited: boolean;
  nulls_not_distinct: boolean;
  keys: number[] | null;
  ref_keys: number[] | null;
  set_keys: number[] | null;
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  on_update: string;
  on_delete: string;
  match: string;
  comment: string | null;
}

const KINDS: Record<string, ConstraintKind> = { p: 'primary_key', u: 'unique', c: 'check', x: 'exclusion' };
const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};
const MATCH: Record<string, ForeignKey['match']> = { s: 'simple', f: 'full', p: 'partial' };

/** Column names by relation ({@link relKey}) and attribute number. */
export type ColumnNames = ReadonlyMap<string, ReadonlyMap<number, string>>;

/** Constraints and foreign keys of tables in the included schemas; `names` resolves key columns. */
export async function inspectConstraints(ctx: InspectContext, names: ColumnNames): Promise<ConstraintRow[]> {
  const rows = await catalogQuery<RawConstraint>(ctx, 'constraints', constraintsSql(ctx.version));
  return rows.map((r) => toConstraintRow(r, names));
}

function resolve(names: ColumnNames, schema: string | null, table: string | null, keys: number[] | null): string[] {
  const columns = names.get(relKey(schema ?? '', table ?? ''));
  return (keys ?? []).map((k) => columns?.get(k) ?? `#${k}`);
}

function toConstraintRow(r: RawConstraint, names: ColumnNames): ConstraintRow {
  const columns = resolve(names, r.schema, r.table, r.keys);
  const attrs = attrsOf({
    inherited: r.inherited || undefined,
    // connoinherit is also set on keys and foreign keys of plain tables, where it means nothing.
    noInherit: (r.contype === 'c' && r.no_inherit) || undefined,
    enforced: r.enforced ? undefined : false,
    // PostgreSQL 15+: `ON DELETE SET NULL (col, ...)` / `SET DEFAULT (col, ...)` limits the action to these columns.
    onDeleteColumns: r.set_keys?.length ? resolve(names, r.schema, r.table, r.set_keys) : undefined,
  });
  const common = { schema: r.schema, table: r.table };
  if (r.contype === 'f') {
    const fk: ForeignKey = {
      name: r.name,
      columns,
      refSchema: r.ref_schema ?? '',
      refTable: r.ref_table ?? '',
      refColumns: r.ref_columns ?? resolve(names, r.ref_schema, r.ref_table, r.ref_keys),
      onUpdate: ACTIONS[r.on_update] ?? 'no action',
      onDelete: ACTIONS[r.on_delete] ?? 'no action',
      match: MATCH[r.match] ?? 'simple',
      deferrable: r.deferrable,
      initiallyDeferred: r.deferred,
      validated: r.validated,
      definition: r.definition,
      comment: r.comment,
      ...(Object.keys(attrs).length ? { attrs } : {}),
    };
    return { ...common, kind: 'foreignKey', value: fk };
  }
  const kind = KINDS[r.contype] ?? 'check';
  const constraint: Constraint = {
    name: r.name,
    kind,
    columns: kind === 'primary_key' || kind === 'unique' ? columns : [],
    expression: kind === 'check' ? r.check_expr : kind === 'exclusion' ? exclusionBody(r.definition) : null,
    definition: r.definition,
    deferrable: r.deferrable,
    initiallyDeferred: r.deferred,
    validated: r.validated,
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    comment: r.comment,
    ...(Object.keys(attrs).length ? { attrs } : {}),
  };
  return { ...common, kind: 'constraint', value: constraint };
}

/** `USING gist (during WITH &&)`: the definition without `EXCLUDE` and the flags that have fields of their own. */
function exclusionBody(definition: string): string {
  return definition
    .replace(/^EXCLUDE /, '')
    .replace(/( NOT VALID)?$/, '')
    .replace(/ DEFERRABLE( INITIALLY (DEFERRED|IMMEDIATE))?$/, '');
}

/**
 * Key columns come back as attribute numbers and are named from the inspection's own column rows; only a foreign
 * key whose referenced table lies outside the included schemas has its referenced columns named in SQL.
 */
function constraintsSql(version: number): string {
  // indnullsnotdistinct and confdelsetcols exist from 15, conenforced from 18.
  const nullsNotDistinct = version >= 150000 ? 'COALESCE(ix.indnullsnotdistinct, false)' : 'false';
  const setKeys = version >= 150000 ? 'con.confdelsetcols::int4[]' : 'NULL::int4[]';
  const enforced = version >= 180000 ? 'con.conenforced' : 'true';
  return `SELECT n.nspname::text AS schema, c.relname::text AS table, con.conname::text AS name,
       con.contype::text AS contype, pg_catalog.pg_get_constraintdef(con.oid)::text AS definition,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END::text AS check_expr,
       con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated,
       ${enforced} AS enforced, con.connoinherit AS no_inherit,
       (con.conparentid <> 0 OR (con.coninhcount > 0 AND NOT con.conislocal)) AS inherited,
       ${nullsNotDistinct} AS nulls_not_distinct,
       con.conkey::int4[] AS keys, con.confkey::int4[] AS ref_keys, ${setKeys} AS set_keys,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_table,
       CASE WHEN con.contype = 'f' AND rn.nspname <> ALL ($1::text[]) THEN
         (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.ord)
          FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) END::text[] AS ref_columns,
       con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, con.confmatchtype::text AS match,
       ${commentOf('con.oid', 'pg_catalog.pg_constraint')} AS comment
     FROM pg_catalog.pg_constraint con
     JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
     LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     LEFT JOIN pg_catalog.pg_constraint pcon ON pcon.oid = con.conparentid
     LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = con.conindid AND con.contype = 'u'
     WHERE con.contype IN ('p', 'u', 'c', 'x', 'f') AND c.relkind IN ('r', 'p')
       AND (pcon.conrelid IS NULL OR pcon.conrelid <> con.conrelid)
       AND n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`;
}
