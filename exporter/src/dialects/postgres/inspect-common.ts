/**
 * Shared pieces of the PostgreSQL inspector: the per-inspection context, the one place catalog queries run (and
 * fail with a message naming the object kind, the schemas and the target), and small helpers used by every
 * `inspect-*.ts` file.
 */
import { qualifiedKey } from '../../core/model/schema.ts';
import { toPostgresError } from './connect.ts';
import type { Queryable } from './queryable.ts';

// Every dialect's inspector builds model values the same way; the inspect-*.ts files import them from here.
export { attrsOf, compareText, pushTo, sortByName } from '../../core/model/build-helpers.ts';

/** What every catalog query of one inspection needs. */
export interface InspectContext {
  readonly db: Queryable;
  /** `server_version_num`, e.g. 150020; queries adapt to it (PostgreSQL 13–18). */
  readonly version: number;
  /** Included schema names, the `$1::text[]` of every query. */
  readonly schemas: readonly string[];
  /** Read ACLs. */
  readonly privileges: boolean;
  /** Configured target name, for error messages. */
  readonly target?: string;
}

/**
 * Runs one set-based catalog query. A failure becomes a schema-drift error (usually `InspectError`; a timeout stays a
 * `TimeoutError`, a missing privilege an `AuthError`) whose message names what was being inspected.
 */
export async function catalogQuery<R>(
  ctx: InspectContext,
  kind: string,
  sql: string,
  params: unknown[] = [ctx.schemas],
): Promise<R[]> {
  try {
    const result = await ctx.db.query<R>(sql, params);
    return result.rows;
  } catch (err) {
    const on = ctx.target ? ` on target ${JSON.stringify(ctx.target)}` : '';
    const of = ctx.schemas.length ? ` of schemas ${ctx.schemas.join(', ')}` : '';
    throw toPostgresError(err, { target: ctx.target, action: `inspecting ${kind}${of}${on}` });
  }
}

/**
 * SQL condition: the object `oidExpr` of catalog `catalog` does not belong to an extension (`pg_depend` deptype
 * `e`); extension members are the extension's business, not drift. `catalog` is a constant of our code.
 */
export function notExtensionMember(catalog: string, oidExpr: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ext_d WHERE ext_d.classid = '${catalog}'::regclass
    AND ext_d.objid = ${oidExpr} AND ext_d.deptype = 'e')`;
}

/**
 * SQL expression: the comment of object `oidExpr` in catalog `catalog` (sub-object `subExpr`, 0 for the object
 * itself). A scalar sub-select probes pg_description's unique index per row: a join would be planned from catalog
 * statistics, which are stale on a freshly migrated database and then produce nested-loop scans of the whole table.
 */
export function commentOf(oidExpr: string, catalog: string, subExpr = '0'): string {
  return `(SELECT cd.description::text FROM pg_catalog.pg_description cd
    WHERE cd.objoid = ${oidExpr} AND cd.classoid = '${catalog}'::regclass AND cd.objsubid = ${subExpr})`;
}

/**
 * SQL expression: the object's ACL as sorted text items, `NULL` unless privileges are inspected (`$2`). A `NULL`
 * ACL means the built-in default, so it is expanded with `acldefault` to compare like with like.
 */
export function aclColumn(aclExpr: string, defaultKind: string, ownerExpr: string): string {
  return `CASE WHEN $2::bool THEN (SELECT pg_catalog.array_agg(x.item ORDER BY x.item)
    FROM (SELECT a::text AS item FROM pg_catalog.unnest(COALESCE(${aclExpr}, pg_catalog.acldefault('${defaultKind}', ${ownerExpr}))) a) x)::text[] END`;
}

/**
 * SQL expression: the name of the owner role `ownerExpr`, `NULL` unless privileges are inspected (`$2`). The differ
 * needs it to tell the owner's own grants (which name whoever replayed the migrations) from grants to other roles.
 */
export function ownerColumn(ownerExpr: string): string {
  return `CASE WHEN $2::bool THEN pg_catalog.pg_get_userbyid(${ownerExpr})::text END`;
}

/**
 * SQL expression: the object's ACL like {@link aclColumn}, but only when privileges are NOT inspected (`$2`): kept
 * aside (`KeptAccess`, never compared) so that a plan rebuilding the object can restore it.
 */
export function keptAclColumn(aclExpr: string, defaultKind: string, ownerExpr: string): string {
  return `CASE WHEN NOT $2::bool THEN (SELECT pg_catalog.array_agg(x.item ORDER BY x.item)
    FROM (SELECT a::text AS item FROM pg_catalog.unnest(COALESCE(${aclExpr}, pg_catalog.acldefault('${defaultKind}', ${ownerExpr}))) a) x)::text[] END`;
}

/** SQL expression: the owner like {@link ownerColumn}, but only when privileges are NOT inspected (see {@link keptAclColumn}). */
export function keptOwnerColumn(ownerExpr: string): string {
  return `CASE WHEN NOT $2::bool THEN pg_catalog.pg_get_userbyid(${ownerExpr})::text END`;
}

/** Key of a relation or type in lookup maps. NUL cannot occur in identifiers. */
export function relKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

/** `schema.name`, quoted where a part holds a dot (see {@link qualifiedKey}). */
export { qualifiedKey };

/** Parses `reloptions` (`key=value` items) into a record. */
export function parseOptions(options: readonly string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of options ?? []) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
