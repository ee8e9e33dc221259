/**
 * Functions, procedures, aggregates and window functions.
 */
import type { Routine } from '../../core/model/schema.ts';
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
} from './inspect-common.ts';

interface RawRoutine {
  schema: string;
  name: string;
  prokind: string;
  identity_args: string;
  args: string;
  returns: string | null;
  language: string;
  body: string;
  volatility: string;
  strict: boolean;
  security_definer: boolean;
  parallel: string;
  leakproof: boolean;
  cost: string | null;
  rows: string | null;
  config: string[] | null;
  definition: string | null;
  aggregate: { sfunc: string; stype: string; finalfunc: string | null; combinefunc: string | null; initcond: string | null } | null;
  comment: string | null;
  acl: string[] | null;
  owner: string | null;
  kept_acl: string[] | null;
  kept_owner: string | null;
}

const KINDS: Record<string, Routine['kind']> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };
const VOLATILITY: Record<string, string> = { i: 'immutable', s: 'stable', v: 'volatile' };
const PARALLEL: Record<string, string> = { s: 'safe', r: 'restricted', u: 'unsafe' };

/** Routines of the included schemas, extension members excluded; ACL and owner as `acl`/`owner` or `kept`. */
export async function inspectRoutines(ctx: InspectContext): Promise<Routine[]> {
  const rows = await catalogQuery<RawRoutine>(ctx, 'routines', routinesSql(ctx.version), [ctx.schemas, ctx.privileges]);
  return rows.map(toRoutine);
}

function toRoutine(raw: RawRoutine): Routine {
  const kind = KINDS[raw.prokind] ?? 'function';
  const r = kind === 'procedure' ? withoutInModes(raw) : raw;
  // COST, ROWS and an aggregate's options are not in `body`/`args`; only the definition (not compared) carries them.
  const attrs = attrsOf({
    leakproof: r.leakproof || undefined,
    cost: r.cost ?? undefined,
    rows: r.rows ?? undefined,
    aggregate: r.aggregate ?? undefined,
  });
  return {
    schema: r.schema,
    name: r.name,
    kind,
    identityArgs: r.identity_args,
    args: r.args,
    returns: kind === 'procedure' ? null : r.returns,
    language: r.language,
    body: r.body,
    volatility: VOLATILITY[r.volatility] ?? r.volatility,
    strict: r.strict,
    securityDefiner: r.security_definer,
    parallel: PARALLEL[r.parallel] ?? r.parallel,
    config: [...(r.config ?? [])].sort(compareText),
    definition: r.definition ?? aggregateDefinition(r),
    comment: r.comment,
    ...(r.acl ? { acl: r.acl } : {}),
    ...(r.owner ? { owner: r.owner } : {}),
    // Without privileges: kept for a plan that drops and recreates the routine (a rebuild would reset its ACL).
    ...(r.kept_acl && r.kept_owner ? { kept: { acl: r.kept_acl, owner: r.kept_owner } } : {}),
    ...(Object.keys(attrs).length ? { attrs } : {}),
  };
}

/**
 * `pg_get_functiondef` refuses aggregates, so their definition is assembled from `pg_aggregate`: the common options
 * only (SFUNC, STYPE, FINALFUNC, COMBINEFUNC, INITCOND); moving-aggregate and ordered-set options are not rendered.
 */
function aggregateDefinition(r: RawRoutine): string {
  const a = r.aggregate;
  if (!a) return '';
  const options = [`SFUNC = ${a.sfunc}`, `STYPE = ${a.stype}`];
  if (a.finalfunc) options.push(`FINALFUNC = ${a.finalfunc}`);
  if (a.combinefunc) options.push(`COMBINEFUNC = ${a.combinefunc}`);
  if (a.initcond !== null) options.push(`INITCOND = '${a.initcond.replaceAll("'", "''")}'`);
  if (r.parallel !== 'u') options.push(`PARALLEL = ${PARALLEL[r.parallel]?.toUpperCase() ?? 'UNSAFE'}`);
  return `CREATE OR REPLACE AGGREGATE ${qualifiedName(r)}(${r.identity_args}) (\n    ${options.join(',\n    ')}\n)`;
}

/**
 * From 14 the server prints a procedure's argument modes in full (`IN a integer, INOUT b integer`), before 14 and for
 * functions it leaves the default `IN` out (`a integer, INOUT b integer`). `IN` is the default mode, so it is dropped
 * from a procedure's identity, arguments and the definition's header: the same procedure reads the same on 13 and 18.
 */
function withoutInModes(r: RawRoutine): RawRoutine {
  const args = dropInModes(r.args);
  const definition = r.definition?.replace(`(${r.args})`, `(${args})`) ?? null;
  return { ...r, identity_args: dropInModes(r.identity_args), args, definition };
}

/** `list` (a printed argument list) without the `IN ` that starts an argument; quotes and parentheses are skipped. */
export function dropInModes(list: string): string {
  let out = '';
  let depth = 0;
  let quote: string | null = null;
  let start = true;
  for (let i = 0; i < list.length; i += 1) {
    const ch = list[i] as string;
    if (start) {
      start = false;
      if (list.startsWith('IN ', i)) {
        i += 2;
        continue;
      }
    }
    out += ch;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '(' || ch === '[') {
      depth += 1;
    } else if (ch === ')' || ch === ']') {
      depth -= 1;
    } else if (ch === ',' && depth === 0 && list[i + 1] === ' ') {
      out += ' ';
      i += 1;
      start = true;
    }
  }
  return out;
}

function qualifiedName(r: RawRoutine): string {
  const quote = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`);
  return `${quote(r.schema)}.${quote(r.name)}`;
}

/** The SQL-standard body (`BEGIN ATOMIC ...`, `RETURN ...`) exists from 14; older servers only have `prosrc`. */
function routinesSql(version: number): string {
  const body =
    version >= 140000
      ? `CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) ELSE p.prosrc END`
      : 'p.prosrc';
  return `SELECT n.nspname::text AS schema, p.proname::text AS name, p.prokind::text AS prokind,
       pg_catalog.pg_get_function_identity_arguments(p.oid)::text AS identity_args,
       pg_catalog.pg_get_function_arguments(p.oid)::text AS args,
       pg_catalog.pg_get_function_result(p.oid)::text AS returns,
       l.lanname::text AS language, (${body})::text AS body,
       p.provolatile::text AS volatility, p.proisstrict AS strict, p.prosecdef AS security_definer,
       p.proparallel::text AS parallel, p.proleakproof AS leakproof, p.proconfig::text[] AS config,
       CASE WHEN p.procost <> CASE WHEN l.lanname IN ('internal', 'c') THEN 1 ELSE 100 END THEN p.procost::text END AS cost,
       CASE WHEN p.prorows > 0 AND p.prorows <> 1000 THEN p.prorows::text END AS rows,
       CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END::text AS definition,
       CASE WHEN p.prokind = 'a' THEN pg_catalog.json_build_object(
         'sfunc', ag.aggtransfn::regproc::text, 'stype', pg_catalog.format_type(ag.aggtranstype, NULL),
         'finalfunc', NULLIF(ag.aggfinalfn, 0)::regproc::text,
         'combinefunc', NULLIF(ag.aggcombinefn, 0)::regproc::text, 'initcond', ag.agginitval) END AS aggregate,
       ${commentOf('p.oid', 'pg_catalog.pg_proc')} AS comment, ${aclColumn('p.proacl', 'f', 'p.proowner')} AS acl,
       ${ownerColumn('p.proowner')} AS owner,
       ${keptAclColumn('p.proacl', 'f', 'p.proowner')} AS kept_acl, ${keptOwnerColumn('p.proowner')} AS kept_owner
     FROM pg_catalog.pg_proc p
     JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     JOIN pg_catalog.pg_language l ON l.oid = p.prolang
     LEFT JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid
     WHERE n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_proc', 'p.oid')}
       -- Range and multirange constructors belong to their type (an internal dependency): they come and go with it.
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend td WHERE td.classid = 'pg_catalog.pg_proc'::regclass
         AND td.objid = p.oid AND td.refclassid = 'pg_catalog.pg_type'::regclass AND td.deptype = 'i')`;
}
