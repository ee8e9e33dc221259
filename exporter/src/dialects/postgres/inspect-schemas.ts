/**
 * Schemas (namespaces) and extensions.
 */
import type { Extension } from '../../core/model/schema.ts';
import {
  aclColumn,
  catalogQuery,
  commentOf,
  compareText,
  type InspectContext,
  notExtensionMember,
  ownerColumn,
} from './inspect-common.ts';

/** One included schema before its objects are attached. */
export interface SchemaRow {
  readonly name: string;
  readonly comment: string | null;
  readonly acl: string[] | null;
  readonly owner: string | null;
}

/** System schemas never inspected (plus the per-session `pg_temp_N` / `pg_toast_temp_N`). */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/**
 * Resolves the included schemas: the requested ones that exist, or every user schema. Schemas created by an
 * extension are left out unless asked for by name.
 */
export async function inspectSchemas(
  ctx: InspectContext,
  requested: readonly string[] | undefined,
): Promise<SchemaRow[]> {
  const rows = await catalogQuery<SchemaRow>(
    ctx,
    'schemas',
    `SELECT n.nspname::text AS name, ${commentOf('n.oid', 'pg_catalog.pg_namespace')} AS comment,
       ${aclColumn('n.nspacl', 'n', 'n.nspowner')} AS acl,
       ${ownerColumn('n.nspowner')} AS owner
     FROM pg_catalog.pg_namespace n
     WHERE CASE WHEN $1::text[] IS NULL
       THEN n.nspname <> ALL ($3::text[]) AND n.nspname !~ '^pg_(toast_)?temp_' AND ${notExtensionMember('pg_catalog.pg_namespace', 'n.oid')}
       ELSE n.nspname = ANY ($1::text[]) END`,
    [requested ?? null, ctx.privileges, SYSTEM_SCHEMAS],
  );
  return rows.sort((a, b) => compareText(a.name, b.name));
}

/** Installed extensions (database-wide; not filtered by schema), sorted by name. */
export async function inspectExtensions(ctx: InspectContext): Promise<Extension[]> {
  const rows = await catalogQuery<Extension>(
    ctx,
    'extensions',
    `SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion::text AS version,
       ${commentOf('e.oid', 'pg_catalog.pg_extension')} AS comment
     FROM pg_catalog.pg_extension e
     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace`,
    [],
  );
  return rows
    .map((r) => ({ name: r.name, schema: r.schema, version: r.version, comment: r.comment ?? null }))
    .sort((a, b) => compareText(a.name, b.name));
}
