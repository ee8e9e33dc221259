/**
 * Triggers and row-level security policies of tables.
 */
import type { Policy, Trigger } from '../../core/model/schema.ts';
import { catalogQuery, commentOf, compareText, type InspectContext, notExtensionMember } from './inspect-common.ts';

/** A trigger or policy with the table it belongs to. */
export interface TablePartRow<T> {
  readonly schema: string;
  readonly table: string;
  readonly value: T;
}

interface RawTrigger {
  schema: string;
  table: string;
  name: string;
  definition: string;
  enabled: string;
  comment: string | null;
}

/**
 * User triggers of tables and views (a view's, `INSTEAD OF` or statement-level, go to `View.kept`). Internal triggers (foreign keys, deferred uniqueness) and the clones PostgreSQL puts on
 * partitions (`tgparentid`, 13+) are left out: the parent's trigger implies them, like `pg_dump` does.
 */
export async function inspectTriggers(ctx: InspectContext): Promise<TablePartRow<Trigger>[]> {
  const rows = await catalogQuery<RawTrigger>(
    ctx,
    'triggers',
    `SELECT n.nspname::text AS schema, c.relname::text AS table, t.tgname::text AS name,
       pg_catalog.pg_get_triggerdef(t.oid)::text AS definition, t.tgenabled::text AS enabled,
       ${commentOf('t.oid', 'pg_catalog.pg_trigger')} AS comment
     FROM pg_catalog.pg_trigger t
     JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND c.relkind IN ('r', 'p', 'v')
       AND n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`,
  );
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    value: { name: r.name, definition: r.definition, enabled: r.enabled, comment: r.comment },
  }));
}

interface RawPolicy {
  schema: string;
  table: string;
  name: string;
  permissive: boolean;
  command: string;
  roles: string[] | null;
  using: string | null;
  with_check: string | null;
}

const COMMANDS: Record<string, string> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

/** Row-level security policies; role 0 in `polroles` is PUBLIC, reported as `public`. */
export async function inspectPolicies(ctx: InspectContext): Promise<TablePartRow<Policy>[]> {
  const rows = await catalogQuery<RawPolicy>(
    ctx,
    'policies',
    `SELECT n.nspname::text AS schema, c.relname::text AS table, p.polname::text AS name,
       p.polpermissive AS permissive, p.polcmd::text AS command,
       (SELECT pg_catalog.array_agg(CASE WHEN r.oid = 0 THEN 'public' ELSE a.rolname::text END)
          FROM pg_catalog.unnest(p.polroles) r(oid)
          LEFT JOIN pg_catalog.pg_roles a ON a.oid = r.oid)::text[] AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid)::text AS using,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)::text AS with_check
     FROM pg_catalog.pg_policy p
     JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`,
  );
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    value: {
      name: r.name,
      permissive: r.permissive,
      command: COMMANDS[r.command] ?? r.command,
      roles: (r.roles ?? []).sort(compareText),
      using: r.using,
      withCheck: r.with_check,
    },
  }));
}
