/**
 * Views and materialized views, and what each of them reads (for dependency ordering).
 */
import type { Attrs } from '../../core/model/schema.ts';
import {
  aclColumn,
  attrsOf,
  catalogQuery,
  commentOf,
  type InspectContext,
  notExtensionMember,
  ownerColumn,
  parseOptions,
  qualifiedKey,
  relKey,
} from './inspect-common.ts';

/** A view before its columns and indexes are attached. */
export interface ViewRow {
  readonly schema: string;
  readonly name: string;
  readonly materialized: boolean;
  readonly definition: string;
  readonly comment: string | null;
  readonly acl: string[] | null;
  readonly owner: string | null;
  readonly attrs: Attrs;
}

interface RawView {
  schema: string;
  name: string;
  kind: string;
  definition: string;
  options: string[] | null;
  comment: string | null;
  acl: string[] | null;
  owner: string | null;
}

/** Views (v) and materialized views (m) of the included schemas. */
export async function inspectViews(ctx: InspectContext): Promise<ViewRow[]> {
  const rows = await catalogQuery<RawView>(
    ctx,
    'views',
    `SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
       pg_catalog.pg_get_viewdef(c.oid, true)::text AS definition, c.reloptions::text[] AS options,
       ${commentOf('c.oid', 'pg_catalog.pg_class')} AS comment, ${aclColumn('c.relacl', 'r', 'c.relowner')} AS acl,
       ${ownerColumn('c.relowner')} AS owner
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY ($1::text[])
       AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`,
    [ctx.schemas, ctx.privileges],
  );
  return rows.map(toViewRow);
}

function toViewRow(r: RawView): ViewRow {
  const materialized = r.kind === 'm';
  const options = parseOptions(r.options);
  const { check_option: check, security_barrier: barrier, security_invoker: invoker, ...rest } = options;
  const restKeys = Object.keys(rest).sort();
  const attrs = materialized
    ? attrsOf({ options: restKeys.length ? restKeys.map((k) => `${k}=${rest[k]}`) : undefined })
    : attrsOf({
        checkOption: check ?? null,
        securityBarrier: isTrue(barrier),
        securityInvoker: isTrue(invoker),
        options: restKeys.length ? restKeys.map((k) => `${k}=${rest[k]}`) : undefined,
      });
  return {
    schema: r.schema,
    name: r.name,
    materialized,
    definition: r.definition,
    comment: r.comment,
    acl: r.acl,
    owner: r.owner,
    attrs,
  };
}

/** reloptions booleans accept the spellings of the boolean input function. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['true', 'on', 'yes', '1', 't', 'y'].includes(value.toLowerCase());
}

interface RawDependency {
  schema: string;
  name: string;
  ref_schema: string;
  ref_name: string;
}

/**
 * What each view reads: the relations its rewrite rule depends on (`pg_depend` from `pg_rewrite`, deptype 'n'),
 * itself excluded. Keyed by {@link relKey}; values are sorted `schema.name` references.
 */
export async function inspectViewDependencies(ctx: InspectContext): Promise<Map<string, string[]>> {
  const rows = await catalogQuery<RawDependency>(
    ctx,
    'view dependencies',
    `SELECT DISTINCT n.nspname::text AS schema, v.relname::text AS name,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_name
     FROM pg_catalog.pg_class v
     JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace
     JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = v.oid
     JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_rewrite'::regclass AND dep.objid = rw.oid
       AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'n'
     JOIN pg_catalog.pg_class rc ON rc.oid = dep.refobjid AND rc.oid <> v.oid
     JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     WHERE v.relkind IN ('v', 'm') AND rc.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND n.nspname = ANY ($1::text[])`,
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const key = relKey(r.schema, r.name);
    const list = out.get(key) ?? [];
    list.push(qualifiedKey(r.ref_schema, r.ref_name));
    out.set(key, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}
