/**
 * Indexes of tables, partitioned tables and materialized views, including those that back constraints.
 */
import type { Index, IndexPart } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, commentOf, type InspectContext, notExtensionMember, relKey } from './inspect-common.ts';
import type { ColumnNames } from './inspect-constraints.ts';

/** An index with the relation it belongs to. */
export interface IndexRow {
  readonly schema: string;
  readonly table: string;
  readonly index: Index;
}

/**
 * One key as `[attnum, expression, indoption, opclass, collation, isKey]`; attnum 0 is an expression key, indoption
 * bits are 1 = DESC and 2 = NULLS FIRST. A positional array keeps 15,000 indexes' JSON small.
 */
type RawKey = [number, string | null, number | null, string | null, string | null, boolean];

interface RawIndex {
  schema: string;
  table: string;
  name: string;
  unique: boolean;
  method: string;
  keys: RawKey[] | null;
  predicate: string | null;
  nulls_not_distinct: boolean;
  constraint: string | null;
  definition: string;
  valid: boolean;
  inherited: boolean;
  options: string[] | null;
  comment: string | null;
}

/** Indexes of relations (r, p, m) in the included schemas; `names` names the key columns. */
export async function inspectIndexes(ctx: InspectContext, names: ColumnNames): Promise<IndexRow[]> {
  const rows = await catalogQuery<RawIndex>(ctx, 'indexes', indexesSql(ctx.version));
  return rows.map((r) => ({ schema: r.schema, table: r.table, index: toIndex(r, names.get(relKey(r.schema, r.table))) }));
}

function toIndex(r: RawIndex, columns: ReadonlyMap<number, string> | undefined): Index {
  const keys = r.keys ?? [];
  // Storage parameters (`WITH (fillfactor=70)`) are part of the index; the definition that carries them is not compared.
  const attrs = attrsOf({
    valid: r.valid ? undefined : false,
    inherited: r.inherited || undefined,
    options: r.options?.length ? [...r.options].sort() : undefined,
  });
  const columnOf = (k: RawKey): string | null => (k[0] === 0 ? null : (columns?.get(k[0]) ?? `#${k[0]}`));
  return {
    name: r.name,
    unique: r.unique,
    method: r.method,
    parts: keys.filter((k) => k[5]).map((k) => toPart(k, columnOf(k))),
    include: keys.filter((k) => !k[5]).map((k) => columnOf(k) ?? k[1] ?? ''),
    predicate: r.predicate,
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    ...(r.constraint ? { constraint: r.constraint } : {}),
    definition: r.definition,
    comment: r.comment,
    ...(Object.keys(attrs).length ? { attrs } : {}),
  };
}

/** DESC and NULLS FIRST/LAST are kept only when they differ from the defaults (ASC NULLS LAST, DESC NULLS FIRST). */
function toPart(k: RawKey, column: string | null): IndexPart {
  const [, expression, option, opclass, collation] = k;
  const descending = ((option ?? 0) & 1) === 1;
  const nullsFirst = ((option ?? 0) & 2) === 2;
  const part: { -readonly [K in keyof IndexPart]: IndexPart[K] } =
    column !== null ? { column } : { expression: expression ?? '' };
  if (descending) part.descending = true;
  if (nullsFirst !== descending) part.nullsFirst = nullsFirst;
  if (collation) part.collation = collation;
  if (opclass) part.opclass = opclass;
  return part;
}

/**
 * One row per index; its keys as a JSON array built from `indkey`/`indclass`/`indcollation`/`indoption` (the last
 * three cover key columns only, so INCLUDE columns get NULLs there). An operator class is reported only when it is
 * not the default for its type; a collation only when it differs from the column's, or for an expression when it is
 * not the database default (`pg_get_indexdef` compares with the expression's own collation, which SQL cannot see).
 */
function indexesSql(version: number): string {
  const nullsNotDistinct = version >= 150000 ? 'i.indnullsnotdistinct' : 'false';
  // The keys are unnested for all indexes at once and grouped back, so pg_opclass and pg_collation are joined once
  // (hash joins) instead of once per index.
  return `WITH idx AS (
       SELECT i.indexrelid, i.indrelid, i.indkey, i.indclass, i.indcollation, i.indoption, i.indnkeyatts
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY ($1::text[])
         AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
     ), keys AS (
       SELECT idx.indexrelid, pg_catalog.json_agg(pg_catalog.json_build_array(
           k.attnum,
           CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(idx.indexrelid, k.ord::int4, false) END,
           k.opt,
           CASE WHEN NOT opc.opcdefault THEN
             CASE WHEN opn.nspname = 'pg_catalog' THEN opc.opcname::text ELSE opn.nspname::text || '.' || opc.opcname::text END END,
           CASE WHEN k.coll NOT IN (0, 100) AND (k.attnum = 0 OR k.coll <> (SELECT ta.attcollation
               FROM pg_catalog.pg_attribute ta WHERE ta.attrelid = idx.indrelid AND ta.attnum = k.attnum)) THEN
             CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text ELSE cn.nspname::text || '.' || co.collname::text END END,
           k.ord <= idx.indnkeyatts) ORDER BY k.ord) AS keys
       FROM idx
       CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(idx.indkey::int2[]), pg_catalog.unnest(idx.indclass::oid[]),
           pg_catalog.unnest(idx.indcollation::oid[]), pg_catalog.unnest(idx.indoption::int2[]))
         WITH ORDINALITY k(attnum, opclass, coll, opt, ord)
       LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = k.opclass
       LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = k.coll
       LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
       GROUP BY idx.indexrelid
     )
     SELECT n.nspname::text AS schema, c.relname::text AS table, ic.relname::text AS name,
       i.indisunique AS unique, am.amname::text AS method, keys.keys,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid)::text AS predicate,
       ${nullsNotDistinct} AS nulls_not_distinct,
       con.conname::text AS constraint, pg_catalog.pg_get_indexdef(i.indexrelid)::text AS definition,
       i.indisvalid AS valid, ic.reloptions::text[] AS options, EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited,
       ${commentOf('i.indexrelid', 'pg_catalog.pg_class')} AS comment
     FROM idx
     JOIN pg_catalog.pg_index i ON i.indexrelid = idx.indexrelid
     JOIN keys ON keys.indexrelid = idx.indexrelid
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam
     LEFT JOIN pg_catalog.pg_constraint con ON con.conrelid = i.indrelid AND con.conindid = i.indexrelid
       AND con.contype IN ('p', 'u', 'x')`;
}
