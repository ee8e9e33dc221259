/**
 * User-defined types: enums, domains and stand-alone composite types (`CREATE TYPE ... AS (...)`, relkind 'c'; the
 * row types of tables and views are not types of their own). Range and base types are not in the model yet.
 */
import type { CompositeType, DomainType, EnumType, TypeDef } from '../model/schema.ts';
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
}

/**
 * Enums, domains and composite types of the included schemas. Composite attributes come from the shared column
 * query (`columns`, rows with relkind 'c'), so this stays one query.
 */
export async function inspectTypes(ctx: InspectContext, columns: readonly ColumnRow[]): Promise<TypeDef[]> {
  const rows = await catalogQuery<RawType>(ctx, 'types', typesSql());
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
  return { kind: 'composite', schema: r.schema, name: r.name, attributes, comment: r.comment };
}

/**
 * Domain checks exclude `contype 'n'` (PostgreSQL 17+ catalogs a domain's NOT NULL as a constraint; `typnotnull`
 * carries it on every version). A domain's collation is reported when it differs from its base type's.
 */
function typesSql(): string {
  return `SELECT n.nspname::text AS schema, t.typname::text AS name, t.typtype::text AS typtype,
       CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
         FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END::text[] AS labels,
       CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END::text AS base_type,
       t.typnotnull AS not_null, pg_catalog.pg_get_expr(t.typdefaultbin, 0)::text AS default,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation AND t.typcollation <> 0 THEN
         CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text ELSE cn.nspname::text || '.' || co.collname::text END
       END AS collation,
       CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
           'name', k.conname::text, 'definition', pg_catalog.pg_get_constraintdef(k.oid)::text))
         FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END AS checks,
       ${commentOf('t.oid', 'pg_catalog.pg_type')} AS comment
     FROM pg_catalog.pg_type t
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
     LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
     LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE n.nspname = ANY ($1::text[])
       AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND c.relkind = 'c'))
       AND ${notExtensionMember('pg_catalog.pg_type', 't.oid')}
       AND (c.oid IS NULL OR ${notExtensionMember('pg_catalog.pg_class', 'c.oid')})`;
}
