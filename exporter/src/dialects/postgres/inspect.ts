/**
 * The PostgreSQL inspector: reads a database's catalogs into a {@link SchemaSnapshot}.
 *
 * Set-based: a fixed number of catalog queries per inspection (one per object kind, all included schemas at once
 * through a `$1::text[]` bind parameter), whatever the number of tables. Every output column is cast in SQL to
 * text/int4/bool/text[]/json, so `pg` and PGlite return identical JavaScript values. The same function reads a live
 * server (inside the read-only session of `connect.ts`) and the PGlite scratch database of a replay.
 *
 * While it runs, `search_path` is set to '' so every name the server deparses (types, defaults, view bodies,
 * definitions) is schema-qualified; the previous settings are restored at the end.
 */
import { InspectError } from '../../core/errors.ts';
import type { KeptAccess, Schema, SchemaSnapshot, SnapshotSource, Table, TypeDef, View } from '../../core/model/schema.ts';
import { catalogQuery, compareText, type InspectContext, pushTo, relKey, sortByName } from './inspect-common.ts';
import { type ColumnNames, type ConstraintRow, inspectConstraints } from './inspect-constraints.ts';
import { inspectIndexes, type IndexRow } from './inspect-indexes.ts';
import { inspectRoutines } from './inspect-routines.ts';
import { inspectExtensions, inspectSchemas } from './inspect-schemas.ts';
import { inspectSequences } from './inspect-sequences.ts';
import { type ColumnRow, inspectColumns, inspectTables, type TableRow } from './inspect-tables.ts';
import { inspectPolicies, inspectTriggers } from './inspect-triggers.ts';
import { inspectTypes } from './inspect-types.ts';
import { inspectCollations } from './inspect-collations.ts';
import { inspectViewDependencies, inspectViews, type ViewDependencies, type ViewRow } from './inspect-views.ts';
import type { Queryable } from './queryable.ts';

/** Options of {@link inspectPostgres}. */
export interface PostgresInspectOptions {
  /** Schemas to read; default every user schema (not pg_catalog, information_schema, pg_toast, temp schemas). */
  readonly schemas?: string[];
  /** Read ACLs (`acl` fields); off by default. */
  readonly privileges?: boolean;
  /** Overrides of the detected snapshot source (e.g. a redacted URL as `description`). */
  readonly source?: Partial<SnapshotSource>;
  /** Configured target name, for error messages. */
  readonly target?: string;
}

/** Oldest server the catalog queries are written for. */
const MIN_VERSION = 130000;

interface ServerInfo {
  readonly num: number;
  readonly version: string;
  readonly banner: string;
}

/**
 * Session settings while inspecting. `search_path` '' makes every deparsed name schema-qualified. JIT and parallel
 * workers are switched off: catalog queries are short, and compiling or starting workers for them costs more than it
 * saves (JIT alone added ~20% on 5,000 tables, because the comment sub-selects inflate the cost estimate).
 */
const INSPECT_SETTINGS: Readonly<Record<string, string>> = {
  search_path: '',
  jit: 'off',
  max_parallel_workers_per_gather: '0',
};

/** Inspects the included schemas of the database behind `db`. */
export async function inspectPostgres(db: Queryable, options: PostgresInspectOptions = {}): Promise<SchemaSnapshot> {
  const base = { db, version: 0, schemas: options.schemas ?? [], privileges: options.privileges ?? false, target: options.target };
  const server = await readServerInfo(base);
  const ctx: InspectContext = { ...base, version: server.num };
  const previous = await applySettings(ctx, INSPECT_SETTINGS);
  let failed = true;
  try {
    const snapshot = await readSnapshot(ctx, options, server);
    failed = false;
    return snapshot;
  } finally {
    // After a failure the transaction may be aborted, so restoring can fail too; the first error is the one to see.
    await applySettings(ctx, previous).catch((err: unknown) => {
      if (!failed) throw err;
    });
  }
}

async function readServerInfo(ctx: InspectContext): Promise<ServerInfo> {
  const rows = await catalogQuery<ServerInfo>(
    ctx,
    'server version',
    `SELECT current_setting('server_version_num')::int4 AS num, current_setting('server_version')::text AS version,
       pg_catalog.version()::text AS banner`,
    [],
  );
  const info = rows[0];
  if (!info) throw new Error('server returned no version row');
  if (info.num < MIN_VERSION) {
    throw new InspectError(`PostgreSQL ${info.version} is not supported (13 or newer is)`, { target: ctx.target });
  }
  return info;
}

/**
 * Sets session-level settings (`is_local = false`: works inside the read-only transaction and on a bare PGlite
 * without one) in one query, and returns their previous values for restoring.
 */
async function applySettings(ctx: InspectContext, settings: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const names = Object.keys(settings);
  const rows = await catalogQuery<{ name: string; previous: string }>(
    ctx,
    'session settings',
    `SELECT s.name::text AS name, s.previous::text AS previous, pg_catalog.set_config(s.name, s.value, false)::text AS value
     FROM (SELECT n AS name, pg_catalog.current_setting(n) AS previous, v AS value
           FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS u(n, v)) s`,
    [names, names.map((n) => settings[n] ?? '')],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.previous]));
}

function sourceOf(server: ServerInfo, override: Partial<SnapshotSource> | undefined): SnapshotSource {
  const pglite = /PGlite [\d.]+/.exec(server.banner)?.[0];
  return {
    description: 'postgres',
    serverVersion: pglite ? `${server.version} (${pglite})` : server.version,
    serverMajor: Math.floor(server.num / 10000),
    flavor: pglite ? 'pglite' : 'postgresql',
    ...override,
  };
}

/** Runs the fixed sequence of catalog queries and assembles the snapshot. */
async function readSnapshot(
  base: InspectContext,
  options: PostgresInspectOptions,
  server: ServerInfo,
): Promise<SchemaSnapshot> {
  const schemaRows = await inspectSchemas(base, options.schemas);
  const ctx: InspectContext = { ...base, schemas: schemaRows.map((s) => s.name) };
  // One query per kind, in sequence: a connection runs one statement at a time anyway.
  const tables = await inspectTables(ctx);
  const columns = await inspectColumns(ctx);
  const names = columnNames(columns);
  const constraints = await inspectConstraints(ctx, names);
  const indexes = await inspectIndexes(ctx, names);
  const triggers = await inspectTriggers(ctx);
  const policies = await inspectPolicies(ctx);
  const views = await inspectViews(ctx);
  const viewDeps = await inspectViewDependencies(ctx);
  const sequences = await inspectSequences(ctx);
  const types = await inspectTypes(ctx, columns);
  const collations = await inspectCollations(ctx);
  const routines = await inspectRoutines(ctx);
  const extensions = await inspectExtensions(ctx);

  const parts = groupTableParts(columns, constraints, indexes, triggers, policies);
  const bySchema = new Map<string, Schema>();
  for (const s of schemaRows) {
    bySchema.set(s.name, {
      name: s.name,
      comment: s.comment,
      ...(s.acl ? { acl: s.acl } : {}),
      ...(s.owner ? { owner: s.owner } : {}),
      tables: [],
      views: [],
      sequences: [],
      types: [],
      routines: [],
      collations: [],
    });
  }
  for (const t of tables) bySchema.get(t.schema)?.tables.push(buildTable(t, parts));
  for (const v of views) bySchema.get(v.schema)?.views.push(buildView(v, parts, viewDeps));
  for (const s of sequences) bySchema.get(s.schema)?.sequences.push(s);
  for (const t of types) bySchema.get(t.schema)?.types.push(t);
  for (const r of routines) bySchema.get(r.schema)?.routines.push(r);
  for (const c of collations) bySchema.get(c.schema)?.collations?.push(c);
  for (const schema of bySchema.values()) sortSchema(schema);

  return {
    formatVersion: 1,
    dialect: 'postgres',
    source: sourceOf(server, options.source),
    schemas: [...bySchema.values()],
    extensions,
  };
}

/** Column names by relation and attribute number, to name constraint keys. */
function columnNames(columns: readonly ColumnRow[]): ColumnNames {
  const names = new Map<string, Map<number, string>>();
  for (const c of columns) {
    const key = relKey(c.schema, c.table);
    let byNumber = names.get(key);
    if (!byNumber) names.set(key, (byNumber = new Map()));
    byNumber.set(c.attnum, c.column.name);
  }
  return names;
}

/** The parts of every relation, keyed by {@link relKey}; built in one pass over each query's rows. */
interface TableParts {
  readonly columns: Map<string, ColumnRow[]>;
  readonly constraints: Map<string, ConstraintRow[]>;
  readonly indexes: Map<string, IndexRow[]>;
  readonly triggers: Map<string, Table['triggers']>;
  readonly policies: Map<string, Table['policies']>;
}

function groupTableParts(
  columns: ColumnRow[],
  constraints: ConstraintRow[],
  indexes: IndexRow[],
  triggers: { schema: string; table: string; value: Table['triggers'][number] }[],
  policies: { schema: string; table: string; value: Table['policies'][number] }[],
): TableParts {
  const parts: TableParts = {
    columns: new Map(),
    constraints: new Map(),
    indexes: new Map(),
    triggers: new Map(),
    policies: new Map(),
  };
  for (const c of columns) pushTo(parts.columns, relKey(c.schema, c.table), c);
  for (const c of constraints) pushTo(parts.constraints, relKey(c.schema, c.table), c);
  for (const i of indexes) pushTo(parts.indexes, relKey(i.schema, i.table), i);
  for (const t of triggers) pushTo(parts.triggers, relKey(t.schema, t.table), t.value);
  for (const p of policies) pushTo(parts.policies, relKey(p.schema, p.table), p.value);
  return parts;
}

function buildTable(t: TableRow, parts: TableParts): Table {
  const key = relKey(t.schema, t.name);
  const all = parts.constraints.get(key) ?? [];
  return {
    schema: t.schema,
    name: t.name,
    columns: (parts.columns.get(key) ?? []).map((c) => c.column).sort((a, b) => a.position - b.position),
    constraints: sortByName(all.flatMap((c) => (c.kind === 'constraint' ? [c.value] : []))),
    foreignKeys: sortByName(all.flatMap((c) => (c.kind === 'foreignKey' ? [c.value] : []))),
    indexes: sortByName((parts.indexes.get(key) ?? []).map((i) => i.index)),
    triggers: sortByName(parts.triggers.get(key) ?? []),
    policies: sortByName(parts.policies.get(key) ?? []),
    comment: t.comment,
    ...(t.acl ? { acl: t.acl } : {}),
    ...(t.owner ? { owner: t.owner } : {}),
    attrs: t.attrs,
  };
}

function buildView(v: ViewRow, parts: TableParts, deps: Map<string, ViewDependencies>): View {
  const key = relKey(v.schema, v.name);
  const reads = deps.get(key);
  const triggers = sortByName(parts.triggers.get(key) ?? []);
  const kept: KeptAccess = {
    ...(v.keptAcl ? { acl: v.keptAcl } : {}),
    ...(v.keptOwner ? { owner: v.keptOwner } : {}),
    ...(triggers.length ? { triggers } : {}),
  };
  return {
    schema: v.schema,
    name: v.name,
    materialized: v.materialized,
    definition: v.definition,
    columns: (parts.columns.get(key) ?? [])
      .map((c) => c.column)
      .sort((a, b) => a.position - b.position)
      .map((c) => ({ name: c.name, type: c.type.raw })),
    dependsOn: reads?.relations ?? [],
    readsColumns: reads?.columns ?? {},
    ...(reads?.types.length ? { dependsOnTypes: reads.types } : {}),
    ...(reads?.routines.length ? { dependsOnRoutines: reads.routines } : {}),
    indexes: sortByName((parts.indexes.get(key) ?? []).map((i) => i.index)),
    comment: v.comment,
    ...(v.acl ? { acl: v.acl } : {}),
    ...(v.owner ? { owner: v.owner } : {}),
    ...(Object.keys(kept).length ? { kept } : {}),
    attrs: v.attrs,
  };
}

function sortSchema(schema: Schema): void {
  sortByName(schema.tables);
  sortByName(schema.views);
  sortByName(schema.sequences);
  sortByName(schema.types as TypeDef[]);
  if (schema.collations) sortByName(schema.collations);
  // Overloads share a name; the identity arguments tell them apart.
  schema.routines.sort((a, b) => compareText(a.name, b.name) || compareText(a.identityArgs, b.identityArgs));
}

/**
 * True when `err` (or a cause of it) is PostgreSQL's "cache lookup failed" (XX000): a catalog function such as
 * `pg_get_indexdef` looked up an object that concurrent DDL dropped after the inspection's snapshot began (those
 * functions read the current catalog, not the snapshot). A new snapshot does not see the object: retrying helps.
 */
export function isCatalogRace(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === 'XX000' && typeof message === 'string' && message.includes('cache lookup failed')) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs `read` (open a session, inspect, close) again in a new session when it met concurrent DDL
 * ({@link isCatalogRace}), up to `attempts` times in all; any other error is thrown at once.
 */
export async function withCatalogRaceRetry<T>(read: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !isCatalogRace(err)) throw err;
    }
  }
}
