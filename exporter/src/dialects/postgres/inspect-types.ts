/**
 * User-defined types: enums, domains, range types and stand-alone composite types (`CREATE TYPE ... AS (...)`, relkind
 * 'c'; the row types of tables and views are not types of their own). A range's multirange type (14+) is part of the
 * range, not a type of its own.
 *
 * Out of scope: base types (`CREATE TYPE ... (INPUT = ..., OUTPUT = ...)`, typtype 'b') and shell types. They need C
 * functions, so they come from extensions (whose members are skipped anyway); a hand-made one is not inspected, and
 * a column using it keeps its raw type text, so the column itself is still compared.
 */
import type { CompositeType, DomainType, EnumType, RangeType, TypeDef } from '../../core/model/schema.ts';
import {
  catalogQuery,
  commentOf,
  compareText,
  type InspectContext,
  notExtensionMember,
  pushTo,
  relKey,
} from './inspect-common.ts';
import type { ColumnRow } from './inspect-tables.ts';

interface RawType {
  schema: string;
  name: string;
  typtype: string;
  labels: string[] | null;
  base_type: string | null;
  not_null: boolean;
  default: string | null;
  collation: string | null;
  checks: { name: string; definition: string }[] | null;
  comment: string | null;
  subtype: string | null;
  subtype_opclass: string | null;
  canonical: string | null;
  subtype_diff: string | null;
  multirange: string | null;
}

/**
 * Enums, domains, ranges and composite types of the included schemas. Composite attributes come from the shared column
 * query (`columns`, rows with relkind 'c'), so this stays one query.
 */
export async function inspectTypes(ctx: InspectContext, columns: readonly ColumnRow[]): Promise<TypeDef[]> {
  const rows = await catalogQuery<RawType>(ctx, 'types', typesSql(ctx.version));
  const byType = new Map<string, ColumnRow[]>();
  for (const c of columns) if (c.relkind === 'c') pushTo(byType, relKey(c.schema, c.table), c);
  const attributesOf = (schema: string, name: string): CompositeType['attributes'][number][] =>
    (byType.get(relKey(schema, name)) ?? [])
      .sort((a, b) => a.column.position - b.column.position)
      .map(({ column: c }) => ({ name: c.name, type: c.type.raw, collation: c.collation }));
  return rows.map((r) => toTypeDef(r, attributesOf(r.schema, r.name)));
}

function toTypeDef(r: RawType, attributes: CompositeType['attributes'][number][]): TypeDef {
  if (r.typtype === 'e') {
    const value: EnumType = { kind: 'enum', schema: r.schema, name: r.name, values: r.labels ?? [], comment: r.comment };
    return value;
  }
  if (r.typtype === 'd') {
    const value: DomainType = {
      kind: 'domain',
      schema: r.schema,
      name: r.name,
      baseType: r.base_type ?? '',
      nullable: !r.not_null,
      default: r.default,
      collation: r.collation,
      checks: (r.checks ?? []).sort((a, b) => compareText(a.name, b.name)),
      comment: r.comment,
    };
    return value;
  }
  if (r.typtype === 'r') return toRange(r);
  return { kind: 'composite', schema: r.schema, name: r.name, attributes, comment: r.comment };
}

function toRange(r: RawType): RangeType {
  return {
    kind: 'range',
    schema: r.schema,
    name: r.name,
    subtype: r.subtype ?? '',
    subtypeOpclass: r.subtype_opclass,
    collation: r.collation,
    canonical: r.canonical,
    subtypeDiff: r.subtype_diff,
    ...(r.multirange !== null ? { multirange: r.multirange } : {}),
    comment: r.comment,
  };
}

/**
 * Domain checks exclude `contype 'n'` (PostgreSQL 17+ catalogs a domain's NOT NULL as a constraint; `typnotnull`
 * carries it on every version). A domain's collation is reported when it differs from its base type's.
 */
function typesSql(version: number): string {
  // Multirange types exist from PostgreSQL 14 on.
  const multirange = version >= 140000 ? 'pg_catalog.format_type(rg.rngmultitypid, NULL)::text' : 'NULL::text';
  return `SELECT n.nspname::text AS schema, t.typname::text AS name, t.typtype::text AS typtype,
       CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
         FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END::text[] AS labels,
       CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END::text AS base_type,
       t.typnotnull AS not_null, pg_catalog.pg_get_expr(t.typdefaultbin, 0)::text AS default,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation AND t.typcollation <> 0
         OR t.typtype = 'r' AND rg.rngcollation <> st.typcollation AND rg.rngcollation <> 0 THEN
         CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text ELSE cn.nspname::text || '.' || co.collname::text END
       END AS collation,
       pg_catalog.format_type(rg.rngsubtype, NULL)::text AS subtype,
       CASE WHEN NOT opc.opcdefault THEN opn.nspname::text || '.' || opc.opcname::text END AS subtype_opclass,
       CASE WHEN rg.rngcanonical <> 0 THEN rg.rngcanonical::regproc::text END AS canonical,
       CASE WHEN rg.rngsubdiff <> 0 THEN rg.rngsubdiff::regproc::text END AS subtype_diff,
       ${multirange} AS multirange,
       CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
           'name', k.conname::text, 'definition', pg_catalog.pg_get_constraintdef(k.oid)::text))
         FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END AS checks,
       ${commentOf('t.oid', 'pg_catalog.pg_type')} AS comment
     FROM pg_catalog.pg_type t
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
     LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
     LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid = t.oid
     LEFT JOIN pg_catalog.pg_type st ON st.oid = rg.rngsubtype
     LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = rg.rngsubopc
     LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = CASE WHEN t.typtype = 'r' THEN rg.rngcollation ELSE t.typcollation END
     LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE n.nspname = ANY ($1::text[])
       AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
       AND ${notExtensionMember('pg_catalog.pg_type', 't.oid')}
       AND (c.oid IS NULL OR ${notExtensionMember('pg_catalog.pg_class', 'c.oid')})`;
}
