/**
 * Indexes of tables, partitioned tables and materialized views, including those that back constraints.
 */
import type { Index, IndexPart } from '../model/schema.ts';
import { attrsOf, catalogQuery, commentOf, type InspectContext, notExtensionMember } from './inspect-common.ts';

/** An index with the relation it belongs to. */
export interface IndexRow {
  readonly schema: string;
  readonly table: string;
  readonly index: Index;
}

interface RawKey {
  /** Column name, or null for an expression key. */
  col: string | null;
  expr: string | null;
  /** `indoption` bits: 1 = DESC, 2 = NULLS FIRST. */
  opt: number | null;
  opclass: string | null;
  collation: string | null;
  key: boolean;
}

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
  comment: string | null;
}

/** Indexes of relations (r, p, m) in the included schemas. */
export async function inspectIndexes(ctx: InspectContext): Promise<IndexRow[]> {
  const rows = await catalogQuery<RawIndex>(ctx, 'indexes', indexesSql(ctx.version));
  return rows.map((r) => ({ schema: r.schema, table: r.table, index: toIndex(r) }));
}

function toIndex(r: RawIndex): Index {
  const keys = r.keys ?? [];
  const attrs = attrsOf({ valid: r.valid ? undefined : false, inherited: r.inherited || undefined });
  return {
    name: r.name,
    unique: r.unique,
    method: r.method,
    parts: keys.filter((k) => k.key).map(toPart),
    include: keys.filter((k) => !k.key).map((k) => k.col ?? k.expr ?? ''),
    predicate: r.predicate,
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    ...(r.constraint ? { constraint: r.constraint } : {}),
    definition: r.definition,
    comment: r.comment,
    ...(Object.keys(attrs).length ? { attrs } : {}),
  };
}

/** DESC and NULLS FIRST/LAST are kept only when they differ from the defaults (ASC NULLS LAST, DESC NULLS FIRST). */
function toPart(k: RawKey): IndexPart {
  const descending = ((k.opt ?? 0) & 1) === 1;
  const nullsFirst = ((k.opt ?? 0) & 2) === 2;
  const part: { -readonly [K in keyof IndexPart]: IndexPart[K] } = k.col !== null ? { column: k.col } : { expression: k.expr ?? '' };
  if (descending) part.descending = true;
  if (nullsFirst !== descending) part.nullsFirst = nullsFirst;
  if (k.collation) part.collation = k.collation;
  if (k.opclass) part.opclass = k.opclass;
  return part;
}

/**
 * One row per index; its keys as a JSON array built from `indkey`/`indclass`/`indcollation`/`indoption` (the last
 * three cover key columns only, so INCLUDE columns get NULLs there). An operator class is reported only when it is
 * not the default for its type, a collation only when it differs from the column's (for expressions: the key type's
 * default) — close to what `pg_get_indexdef` prints.
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
       SELECT idx.indexrelid, pg_catalog.json_agg(pg_catalog.json_build_object(
           'col', CASE WHEN k.attnum <> 0 THEN ta.attname::text END,
           'expr', CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(idx.indexrelid, k.ord::int4, false) END,
           'opt', k.opt,
           'opclass', CASE WHEN NOT opc.opcdefault THEN
             CASE WHEN opn.nspname = 'pg_catalog' THEN opc.opcname::text ELSE opn.nspname::text || '.' || opc.opcname::text END END,
           'collation', CASE WHEN k.coll <> 0 AND k.coll <> COALESCE(ta.attcollation, kt.typcollation) THEN
             CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text ELSE cn.nspname::text || '.' || co.collname::text END END,
           'key', k.ord <= idx.indnkeyatts) ORDER BY k.ord) AS keys
       FROM idx
       CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(idx.indkey::int2[]), pg_catalog.unnest(idx.indclass::oid[]),
           pg_catalog.unnest(idx.indcollation::oid[]), pg_catalog.unnest(idx.indoption::int2[]))
         WITH ORDINALITY k(attnum, opclass, coll, opt, ord)
       LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = idx.indrelid AND ta.attnum = k.attnum AND k.attnum <> 0
       LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = idx.indexrelid AND ia.attnum = k.ord
       LEFT JOIN pg_catalog.pg_type kt ON kt.oid = ia.atttypid
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
       i.indisvalid AS valid, EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited,
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
