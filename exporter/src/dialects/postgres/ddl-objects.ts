/**
 * SQL renderers for schema-level objects other than tables: views, sequences, types, routines, schemas and
 * extensions. Shared by the planner and the whole-schema DDL.
 */
import type { Collation, DomainType, Extension, RangeType, Routine, Sequence, TypeDef, View } from '../../core/model/schema.ts';
import { collationName, sequenceOptionsClause } from './ddl-table.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote.ts';

/** `schema.name` of a schema-level object. */
export function objectName(obj: { schema: string; name: string }): string {
  return quoteQualified(obj.schema, obj.name);
}

/** A view's SELECT without the trailing semicolon `pg_get_viewdef` adds. */
export function viewQuery(view: View): string {
  return view.definition.trim().replace(/;$/, '').trim();
}

function viewOptions(view: View): string[] {
  const options: string[] = [];
  if (view.attrs.securityBarrier === true) options.push('security_barrier=true');
  if (view.attrs.securityInvoker === true) options.push('security_invoker=true');
  return options;
}

/** The `WITH ... CHECK OPTION` suffix of a view, or ''. */
function checkOption(view: View): string {
  const value = view.attrs.checkOption;
  return typeof value === 'string' && value && value !== 'none' ? ` WITH ${value.toUpperCase()} CHECK OPTION` : '';
}

/** `CREATE [OR REPLACE] VIEW` / `CREATE MATERIALIZED VIEW`. */
export function renderCreateView(view: View, orReplace = false): string {
  if (view.materialized) return `CREATE MATERIALIZED VIEW ${objectName(view)} AS\n${viewQuery(view)}\nWITH DATA;`;
  const options = viewOptions(view);
  const withClause = options.length ? ` WITH (${options.join(', ')})` : '';
  const create = orReplace ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW';
  return `${create} ${objectName(view)}${withClause} AS\n${viewQuery(view)}${checkOption(view)};`;
}

/** `DROP VIEW` / `DROP MATERIALIZED VIEW`. */
export function renderDropView(view: View): string {
  return `DROP ${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${objectName(view)};`;
}

/** `VIEW x` or `MATERIALIZED VIEW x`, for COMMENT ON and ALTER. */
export function viewKeyword(view: View): string {
  return `${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${objectName(view)}`;
}

/** `CREATE SEQUENCE`. */
export function renderCreateSequence(seq: Sequence): string {
  return `CREATE SEQUENCE ${objectName(seq)} AS ${seq.type} ${sequenceOptionsClause(seq)};`;
}

function domainClauses(domain: DomainType): string {
  const parts = [`CREATE DOMAIN ${objectName(domain)} AS ${domain.baseType}`];
  if (domain.collation) parts.push(`COLLATE ${collationName(domain.collation)}`);
  if (domain.default !== null) parts.push(`DEFAULT ${domain.default}`);
  if (!domain.nullable) parts.push('NOT NULL');
  for (const check of domain.checks) parts.push(`CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`);
  return parts.join(' ');
}

/** The options of `CREATE TYPE ... AS RANGE (...)`; the multirange name only when the server reported one (14+). */
function rangeOptions(range: RangeType): string {
  const options = [`SUBTYPE = ${range.subtype}`];
  if (range.subtypeOpclass) options.push(`SUBTYPE_OPCLASS = ${range.subtypeOpclass}`);
  if (range.collation) options.push(`COLLATION = ${collationName(range.collation)}`);
  if (range.canonical) options.push(`CANONICAL = ${range.canonical}`);
  if (range.subtypeDiff) options.push(`SUBTYPE_DIFF = ${range.subtypeDiff}`);
  if (range.multirange) options.push(`MULTIRANGE_TYPE_NAME = ${range.multirange}`);
  return options.join(', ');
}

/** `CREATE TYPE ... AS ENUM / AS RANGE / AS (...)`, `CREATE DOMAIN`. */
export function renderCreateType(type: TypeDef): string {
  switch (type.kind) {
    case 'enum':
      return `CREATE TYPE ${objectName(type)} AS ENUM (${type.values.map(quoteLiteral).join(', ')});`;
    case 'domain':
      return `${domainClauses(type)};`;
    case 'range':
      return `CREATE TYPE ${objectName(type)} AS RANGE (${rangeOptions(type)});`;
    case 'composite': {
      const attrs = type.attributes.map(
        (a) => `${quoteIdent(a.name)} ${a.type}${a.collation ? ` COLLATE ${collationName(a.collation)}` : ''}`,
      );
      return `CREATE TYPE ${objectName(type)} AS (${attrs.join(', ')});`;
    }
  }
}

/** `TYPE x` or `DOMAIN x`. */
export function typeKeyword(type: TypeDef): string {
  return `${type.kind === 'domain' ? 'DOMAIN' : 'TYPE'} ${objectName(type)}`;
}

/** `DROP TYPE` / `DROP DOMAIN`. */
export function renderDropType(type: TypeDef): string {
  return `DROP ${typeKeyword(type)};`;
}

/** `FUNCTION s.f(int)`, `PROCEDURE ...`, `AGGREGATE ...`: the routine's identity for DROP, COMMENT and ALTER. */
export function routineSignature(routine: Routine): string {
  const keyword = routine.kind === 'procedure' ? 'PROCEDURE' : routine.kind === 'aggregate' ? 'AGGREGATE' : 'FUNCTION';
  return `${keyword} ${objectName(routine)}(${routine.identityArgs})`;
}

/** The routine's `CREATE OR REPLACE` definition as the server rendered it, terminated. */
export function renderCreateRoutine(routine: Routine): string {
  const body = routine.definition.trim();
  return body.endsWith(';') ? body : `${body};`;
}

/** `DROP FUNCTION s.f(args)`. */
export function renderDropRoutine(routine: Routine): string {
  return `DROP ${routineSignature(routine)};`;
}

/** True for a `LANGUAGE sql` routine with an SQL-standard body: it is parsed at creation, so tables must exist. */
export function hasSqlStandardBody(routine: Routine): boolean {
  return !/\bAS\s+(\$[A-Za-z_0-9]*\$|')/i.test(routine.definition);
}

/** `CREATE SCHEMA`. */
export function renderCreateSchema(name: string): string {
  return `CREATE SCHEMA ${quoteIdent(name)};`;
}

/** `CREATE EXTENSION ... WITH SCHEMA ...`. */
export function renderCreateExtension(ext: Extension): string {
  return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(ext.name)} WITH SCHEMA ${quoteIdent(ext.schema)};`;
}

/** `CREATE COLLATION s.n (provider = ..., locale/lc_collate/lc_ctype = ..., deterministic = ...)`. */
export function renderCreateCollation(collation: Collation): string {
  const options = [`provider = ${collation.provider}`];
  if (collation.locale !== null) options.push(`locale = ${quoteLiteral(collation.locale)}`);
  if (collation.lcCollate !== null) options.push(`lc_collate = ${quoteLiteral(collation.lcCollate)}`);
  if (collation.lcCtype !== null) options.push(`lc_ctype = ${quoteLiteral(collation.lcCtype)}`);
  if (!collation.deterministic) options.push('deterministic = false');
  return `CREATE COLLATION ${objectName(collation)} (${options.join(', ')});`;
}
