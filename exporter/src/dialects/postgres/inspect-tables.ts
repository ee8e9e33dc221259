/**
 * Tables (plain, unlogged, partitioned, partitions) and the columns of every relation kind that has them (tables,
 * views, materialized views, composite types), each read with one query for all included schemas.
 */
import type { Attrs, Column, ColumnType, SequenceOptions } from '../../core/model/schema.ts';
import {
  aclColumn,
  attrsOf,
  catalogQuery,
  commentOf,
  type InspectContext,
  notExtensionMember,
  ownerColumn,
  pushTo,
  qualifiedKey,
  relKey,
} from './inspect-common.ts';

/** A table row before its parts are attached. */
export interface TableRow {
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
  readonly acl: string[] | null;
  readonly owner: string | null;
  readonly attrs: Attrs;
}

interface RawTable {
  schema: string;
  name: string;
  kind: string;
  persistence: string;
  rls: boolean;
  force_rls: boolean;
  is_partition: boolean;
  partition_by: string | null;
  partition_bound: string | null;
  parents: string[] | null;
  parent_schemas: string[] | null;
  access_method: string | null;
  options: string[] | null;
  comment: string | null;
  acl: string[] | null;
  owner: string | null;
}

/** Tables (`relkind` r and p) of the included schemas, extension members excluded. */
export async function inspectTables(ctx: InspectContext): Promise<TableRow[]> {
  const rows = await catalogQuery<RawTable>(
    ctx,
    'tables',
    `SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
       c.relpersistence::text AS persistence, c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
       c.relispartition AS is_partition,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END::text AS partition_by,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END::text AS partition_bound,
       inh.parents, inh.parent_schemas, am.amname::text AS access_method, c.reloptions::text[] AS options,
       ${commentOf('c.oid', 'pg_catalog.pg_class')} AS comment, ${aclColumn('c.relacl', 'r', 'c.relowner')} AS acl,
       ${ownerColumn('c.relowner')} AS owner
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
     LEFT JOIN (
       SELECT i.inhrelid,
         pg_catalog.array_agg(pc.relname::text ORDER BY i.inhseqno)::text[] AS parents,
         pg_catalog.array_agg(pn.nspname::text ORDER BY i.inhseqno)::text[] AS parent_schemas
       FROM pg_catalog.pg_inherits i
       JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
       WHERE pc.relkind IN ('r', 'p')
       GROUP BY i.inhrelid
     ) inh ON inh.inhrelid = c.oid
     WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY ($1::text[])
       AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`,
    [ctx.schemas, ctx.privileges],
  );
  return rows.map(toTableRow);
}

function toTableRow(r: RawTable): TableRow {
  const parents = (r.parents ?? []).map((name, i) => qualifiedKey(r.parent_schemas?.[i] ?? '', name));
  return {
    schema: r.schema,
    name: r.name,
    comment: r.comment,
    acl: r.acl,
    owner: r.owner,
    attrs: attrsOf({
      unlogged: r.persistence === 'u',
      rowSecurity: r.rls,
      forceRowSecurity: r.force_rls,
      partitionBy: r.partition_by ?? undefined,
      partitionOf: r.is_partition ? parents[0] : undefined,
      partitionBound: r.partition_bound ?? undefined,
      inherits: !r.is_partition && parents.length ? parents : undefined,
      accessMethod: r.access_method && r.access_method !== 'heap' ? r.access_method : undefined,
      options: r.options?.length ? [...r.options].sort() : undefined,
    }),
  };
}

/** A column with the relation it belongs to and its attribute number (to resolve `indkey`/`conkey`). */
export interface ColumnRow {
  readonly schema: string;
  readonly table: string;
  /** `relkind` of the owning relation: r, p, v, m, c. */
  readonly relkind: string;
  readonly attnum: number;
  readonly column: Column;
}

interface RawColumn {
  schema: string;
  table: string;
  relkind: string;
  attnum: number;
  name: string;
  type: string;
  base: string;
  dims: number;
  category: string;
  not_null: boolean;
  default: string | null;
  collation: string | null;
  identity: string;
  generated: string;
  seq: SequenceOptions | null;
  comment: string | null;
  acl: string[] | null;
  kept_acl: string[] | null;
  local: boolean;
  inh_count: number;
}

/** Live columns of tables, views, materialized views and composite types in the included schemas. */
export async function inspectColumns(ctx: InspectContext): Promise<ColumnRow[]> {
  const rows = await catalogQuery<RawColumn>(ctx, 'columns', columnsSql(), [ctx.schemas, ctx.privileges]);
  const positions = livePositions(rows);
  return rows.map((r, i) => ({
    schema: r.schema,
    table: r.table,
    relkind: r.relkind,
    attnum: r.attnum,
    column: toColumn(r, positions[i] ?? 0),
  }));
}

/**
 * 1-based ordinal of each row among its relation's live columns (dropped columns leave gaps in `attnum`). Done here
 * rather than with a window function, which would make the server sort every column of the database.
 */
function livePositions(rows: readonly RawColumn[]): number[] {
  const byRelation = new Map<string, number[]>();
  rows.forEach((r, i) => pushTo(byRelation, relKey(r.schema, r.table), i));
  const positions: number[] = new Array<number>(rows.length);
  for (const indexes of byRelation.values()) {
    indexes.sort((x, y) => (rows[x]?.attnum ?? 0) - (rows[y]?.attnum ?? 0));
    indexes.forEach((rowIndex, ordinal) => {
      positions[rowIndex] = ordinal + 1;
    });
  }
  return positions;
}

function toColumn(r: RawColumn, position: number): Column {
  const type: ColumnType = { raw: r.type, base: r.base, arrayDims: r.dims, category: r.category };
  const attrs = r.acl ? { acl: r.acl } : undefined;
  return {
    name: r.name,
    position,
    type,
    nullable: !r.not_null,
    default: r.generated ? null : r.default,
    collation: r.collation,
    identity: r.identity ? { generation: r.identity === 'a' ? 'always' : 'by default', ...(r.seq ? { sequence: r.seq } : {}) } : null,
    generated: r.generated && r.default !== null ? { expression: r.default, kind: r.generated === 'v' ? 'virtual' : 'stored' } : null,
    comment: r.comment,
    ...(attrs ? { attrs } : {}),
    ...(r.kept_acl ? { kept: { acl: r.kept_acl } } : {}),
    ...(r.inh_count > 0 ? { inheritance: r.local ? ('merged' as const) : ('inherited' as const) } : {}),
  };
}

/**
 * Column query. The identity sequence is found through its internal dependency (`deptype 'i'`) on the column; the
 * type category is that of the array element for arrays. Column ACLs are read only when set (a column has no default
 * ACL of its own): as `attrs.acl` with privileges, else kept aside (`kept`) for plans that drop and add the column.
 */
function columnsSql(): string {
  return `SELECT n.nspname::text AS schema, c.relname::text AS table, c.relkind::text AS relkind,
       a.attnum::int4 AS attnum,
       a.attname::text AS name, pg_catalog.format_type(a.atttypid, a.atttypmod)::text AS type,
       CASE WHEN en.nspname = 'pg_catalog' THEN et.typname::text ELSE en.nspname::text || '.' || et.typname::text END AS base,
       CASE WHEN t.typcategory = 'A' THEN GREATEST(a.attndims, 1) ELSE 0 END::int4 AS dims,
       CASE WHEN en.nspname = 'pg_catalog' THEN 'builtin'
            WHEN et.typtype = 'e' THEN 'enum' WHEN et.typtype = 'd' THEN 'domain' WHEN et.typtype = 'c' THEN 'composite'
            WHEN et.typtype IN ('r', 'm') THEN 'range' WHEN et.typtype = 'b' THEN 'base' ELSE 'unknown' END::text AS category,
       a.attnotnull AS not_null, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)::text AS default,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN
         CASE WHEN con.nspname = 'pg_catalog' THEN co.collname::text ELSE con.nspname::text || '.' || co.collname::text END
       END AS collation,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       a.attislocal AS local, a.attinhcount::int4 AS inh_count,
       CASE WHEN s.seqrelid IS NOT NULL THEN pg_catalog.json_build_object(
         'type', pg_catalog.format_type(s.seqtypid, NULL), 'start', s.seqstart::text, 'increment', s.seqincrement::text,
         'min', s.seqmin::text, 'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle) END AS seq,
       ${commentOf('a.attrelid', 'pg_catalog.pg_class', 'a.attnum')} AS comment,
       CASE WHEN $2::bool AND a.attacl IS NOT NULL THEN
         (SELECT pg_catalog.array_agg(x::text ORDER BY x::text) FROM pg_catalog.unnest(a.attacl) x)::text[] END AS acl,
       CASE WHEN NOT $2::bool AND a.attacl IS NOT NULL THEN
         (SELECT pg_catalog.array_agg(x::text ORDER BY x::text) FROM pg_catalog.unnest(a.attacl) x)::text[] END AS kept_acl
     FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     JOIN pg_catalog.pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
     JOIN pg_catalog.pg_namespace en ON en.oid = et.typnamespace
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
     LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
     LEFT JOIN pg_catalog.pg_depend dep ON a.attidentity <> '' AND dep.refclassid = 'pg_catalog.pg_class'::regclass
       AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass
       AND dep.deptype = 'i'
     LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'c')
       AND n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`;
}
