/**
 * Schema-per-tenant: one replayed migration directory compared with many tenant schemas, each under its own name.
 * {@link renameSchema} gives a snapshot's schema another name everywhere the model holds it — the schema itself, the
 * `schema`/`refSchema` of every object (tables, foreign keys, sequences, types, indexes, routines, triggers) and the
 * qualified references inside SQL text the server deparsed (`tenant_7.mood`, `nextval('tenant_7.seq'::regclass)`,
 * view definitions, `partitionOf`, dependency lists) — so the differ sees the tenant's schema where the migrations
 * wrote `public`, and the planner writes the tenant's name into the reconcile SQL.
 *
 * Database-wide objects (extensions) are left alone: tenants share them. Text is matched as a qualifier (`name.` after
 * a non-identifier character, or `"name".`), not as a bare word, so a column that happens to bear the schema's name is
 * not renamed; a routine body that names its schema in a string it builds is not rewritten either.
 */
import { createHash } from 'node:crypto';
import type { SchemaSnapshot } from './schema.ts';

/** Keys whose value is a schema name (compared whole, never as text). */
const SCHEMA_KEYS = new Set(['schema', 'refSchema']);

/** `snapshot` with schema `from` named `to`; other schemas and the extensions unchanged. A copy: the input is not modified. */
export function renameSchema(snapshot: SchemaSnapshot, from: string, to: string): SchemaSnapshot {
  if (from === to) return snapshot;
  const text = qualifierRewriter(from, to);
  return {
    ...snapshot,
    schemas: snapshot.schemas.map((schema) => {
      const renamed = renameValue(schema, from, to, text) as typeof schema;
      return schema.name === from ? { ...renamed, name: to } : renamed;
    }),
  };
}

function renameValue(value: unknown, from: string, to: string, text: (s: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((item) => renameValue(item, from, to, text));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Some records are keyed by qualified names (`schema.table`): the keys are renamed like the text.
    out[text(key)] = SCHEMA_KEYS.has(key) && item === from ? to : renameValue(item, from, to, text);
  }
  return out;
}

/** An identifier as PostgreSQL deparses it: bare when it is a plain lower-case name, else double-quoted. */
function qualifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites `from.` / `"from".` qualifiers in SQL text to `to`'s. */
function qualifierRewriter(from: string, to: string): (text: string) => string {
  const quoted = `"${from.replaceAll('"', '""')}".`;
  const bare = /^[a-z_][a-z0-9_$]*$/.test(from) ? new RegExp(`(^|[^A-Za-z0-9_$"])${escapeRegExp(from)}\\.`, 'g') : null;
  const target = `${qualifier(to)}.`;
  return (text) => {
    if (!text.includes(from)) return text;
    let out = text.replaceAll(quoted, target);
    if (bare) out = out.replace(bare, (_m, before: string) => `${before}${target}`);
    return out;
  };
}

/**
 * The fingerprint of a live schema for the fleet view (`agent/fleet.ts`): a hash of the inspected model with the
 * tenant's schema renamed to `as` and the source (which names the server and database) left out, so two tenants
 * with the same tables, columns, indexes and routines share it whatever their names. Unlike the watch's catalog
 * fingerprint (`agent/watch.ts`), it does not change with OIDs or a dump and restore.
 */
export function schemaFingerprint(snapshot: SchemaSnapshot, tenantSchema?: { readonly from: string; readonly as: string }): string {
  const normalised = tenantSchema ? renameSchema(snapshot, tenantSchema.from, tenantSchema.as) : snapshot;
  const { source: _source, ...model } = normalised;
  return createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
}
