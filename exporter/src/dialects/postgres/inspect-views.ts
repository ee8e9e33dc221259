/**
 * Views and materialized views, and what each of them reads: the relations (for dependency ordering), the columns of
 * each (so a plan rebuilds a view only when a column it reads changes) and the types its definition names.
 */
import type { Attrs } from '../../core/model/schema.ts';
import {
  aclColumn,
  attrsOf,
  catalogQuery,
  commentOf,
  compareText,
  type InspectContext,
  keptAclColumn,
  keptOwnerColumn,
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
  /** ACL and owner read when privileges are not inspected, for plans that rebuild the view (`View.kept`). */
  readonly keptAcl: string[] | null;
  readonly keptOwner: string | null;
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
  kept_acl: string[] | null;
  kept_owner: string | null;
}

/**
 * Views (v) and materialized views (m) of the included schemas. Their ACL and owner are read in any case: as `acl`
 * and `owner` when privileges are inspected, else as `kept_acl` and `kept_owner` (never compared, only restored by a
 * plan that drops and recreates the view).
 */
export async function inspectViews(ctx: InspectContext): Promise<ViewRow[]> {
  const rows = await catalogQuery<RawView>(
    ctx,
    'views',
    `SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
       pg_catalog.pg_get_viewdef(c.oid, true)::text AS definition, c.reloptions::text[] AS options,
       ${commentOf('c.oid', 'pg_catalog.pg_class')} AS comment, ${aclColumn('c.relacl', 'r', 'c.relowner')} AS acl,
       ${ownerColumn('c.relowner')} AS owner,
       ${keptAclColumn('c.relacl', 'r', 'c.relowner')} AS kept_acl, ${keptOwnerColumn('c.relowner')} AS kept_owner
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
    keptAcl: r.kept_acl,
    keptOwner: r.kept_owner,
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
  kind: 'relation' | 'type' | 'routine';
  ref_schema: string;
  ref_name: string;
  /** The column read, `null` for a dependency on the relation as a whole (or on a type); a routine's identity arguments. */
  ref_column: string | null;
}

/** What one view reads (see {@link inspectViewDependencies}). */
export interface ViewDependencies {
  /** Relations, sorted `schema.name`. */
  readonly relations: string[];
  /** Columns read, per relation read only column by column (a relation read as a whole has no entry). */
  readonly columns: Record<string, string[]>;
  /** User-defined types the rewrite rule depends on directly, sorted `schema.name`. */
  readonly types: string[];
  /** User-defined routines it calls, sorted `schema.name(identity arguments)`. */
  readonly routines: string[];
}

/**
 * What each view reads: the relations, columns and types its rewrite rule depends on (`pg_depend` from `pg_rewrite`,
 * deptype 'n'), itself excluded. A column reference is recorded with its attribute number; a whole-row reference or
 * `count(*)` only with the relation (`refobjsubid` 0), so a relation with such a record counts as read as a whole.
 * Types and routines in pg_catalog, and types that are a relation's row type, are left out. Keyed by {@link relKey}.
 */
export async function inspectViewDependencies(ctx: InspectContext): Promise<Map<string, ViewDependencies>> {
  const rows = await catalogQuery<RawDependency>(
    ctx,
    'view dependencies',
    `SELECT DISTINCT n.nspname::text AS schema, v.relname::text AS name, 'relation' AS kind,
       rn.nspname::text AS ref_schema, rc.relname::text AS ref_name,
       CASE WHEN dep.refobjsubid > 0 THEN a.attname::text END AS ref_column
     FROM pg_catalog.pg_class v
     JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace
     JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = v.oid
     JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_rewrite'::regclass AND dep.objid = rw.oid
       AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'n'
     JOIN pg_catalog.pg_class rc ON rc.oid = dep.refobjid AND rc.oid <> v.oid
     JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
     LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rc.oid AND a.attnum = dep.refobjsubid AND dep.refobjsubid > 0
     WHERE v.relkind IN ('v', 'm') AND rc.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND n.nspname = ANY ($1::text[])
     UNION
     SELECT n.nspname::text, v.relname::text, 'type', tn.nspname::text, t.typname::text, NULL
     FROM pg_catalog.pg_class v
     JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace
     JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = v.oid
     JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_rewrite'::regclass AND dep.objid = rw.oid
       AND dep.refclassid = 'pg_catalog.pg_type'::regclass AND dep.deptype = 'n'
     JOIN pg_catalog.pg_type t ON t.oid = dep.refobjid AND t.typrelid = 0
     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace AND tn.nspname <> 'pg_catalog'
     WHERE v.relkind IN ('v', 'm') AND n.nspname = ANY ($1::text[])
     UNION
     SELECT n.nspname::text, v.relname::text, 'routine', pn.nspname::text, p.proname::text,
       pg_catalog.pg_get_function_identity_arguments(p.oid)::text
     FROM pg_catalog.pg_class v
     JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace
     JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = v.oid
     JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_rewrite'::regclass AND dep.objid = rw.oid
       AND dep.refclassid = 'pg_catalog.pg_proc'::regclass AND dep.deptype = 'n'
     JOIN pg_catalog.pg_proc p ON p.oid = dep.refobjid
     JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace AND pn.nspname <> 'pg_catalog'
     WHERE v.relkind IN ('v', 'm') AND n.nspname = ANY ($1::text[])`,
  );
  const relations = new Map<string, Set<string>>();
  const columns = new Map<string, Map<string, Set<string> | null>>();
  const types = new Map<string, Set<string>>();
  const routines = new Map<string, Set<string>>();
  const setOf = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    const found = map.get(key);
    if (found !== undefined) return found;
    const made = make();
    map.set(key, made);
    return made;
  };
  for (const r of rows) {
    const key = relKey(r.schema, r.name);
    const ref = qualifiedKey(r.ref_schema, r.ref_name);
    if (r.kind === 'routine') {
      setOf(routines, key, () => new Set<string>()).add(`${ref}(${r.ref_column ?? ''})`);
      continue;
    }
    if (r.kind === 'type') {
      setOf(types, key, () => new Set<string>()).add(ref);
      continue;
    }
    setOf(relations, key, () => new Set<string>()).add(ref);
    const byRelation = setOf(columns, key, () => new Map<string, Set<string> | null>());
    // null: read as a whole, which no column record can narrow again.
    if (r.ref_column === null) byRelation.set(ref, null);
    else if (byRelation.get(ref) !== null) setOf(byRelation as Map<string, Set<string>>, ref, () => new Set<string>()).add(r.ref_column);
  }
  const sorted = (set: Iterable<string> | undefined) => [...(set ?? [])].sort(compareText);
  const out = new Map<string, ViewDependencies>();
  for (const key of new Set([...relations.keys(), ...types.keys(), ...routines.keys()])) {
    const read: Record<string, string[]> = {};
    for (const [ref, cols] of [...(columns.get(key) ?? new Map<string, Set<string> | null>())].sort(([a], [b]) => compareText(a, b))) {
      if (cols !== null) read[ref] = sorted(cols);
    }
    out.set(key, { relations: sorted(relations.get(key)), columns: read, types: sorted(types.get(key)), routines: sorted(routines.get(key)) });
  }
  return out;
}
