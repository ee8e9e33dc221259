/**
 * The MySQL/MariaDB inspector: reads one database's `information_schema` into a {@link SchemaSnapshot} with one
 * {@link Schema} named after the database.
 *
 * Set-based: a fixed number of queries per inspection (server, catalog columns, database, tables, collations,
 * partitions, columns, indexes, foreign keys, foreign key actions, checks, views, triggers, routines, parameters; on
 * MariaDB the partitions query only when a table is partitioned and a sequences query only when sequences exist;
 * events only when asked), every one with the database as a bind parameter, whatever the number of tables. Each
 * query reads ONE `information_schema` table with a constant database condition and the results are joined here:
 * MariaDB pushes that constant into the first table of a join only and compares the rest row by row, which made
 * inspection quadratic in the number of tables (MySQL 8's check query joins two, which its data dictionary indexes).
 * The queries adapt to the server by asking `information_schema` once which of its own columns exist
 * (`STATISTICS.IS_VISIBLE`/`EXPRESSION` on MySQL 8, `STATISTICS.IGNORED` on MariaDB 10.6+, ...), so one code path
 * serves MySQL 8.0/8.4 and MariaDB 10.6+; a server that does not list them gets the columns its manual documents
 * for its version ({@link documentedCatalogColumns}). No `SHOW` statements.
 */
import { ConfigError, InspectError } from '../../core/errors.ts';
import type { Schema, SchemaSnapshot, SnapshotSource, Table, View } from '../../core/model/schema.ts';
import { type MysqlQueryable, type MysqlServerVersion, parseServerVersion } from './connect.ts';
import { attrsOf, catalogQuery, type InspectContext, nonEmpty, pushTo, sortByName } from './inspect-common.ts';
import { inspectChecks, inspectForeignKeys, type TablePart } from './inspect-constraints.ts';
import { type IndexRow, inspectIndexes, primaryKeyOf } from './inspect-indexes.ts';
import { canReadEvents, eventsNotReadable, inspectEvents, inspectRoutines } from './inspect-routines.ts';
import { inspectSequences } from './inspect-sequences.ts';
import { type ColumnRow, inspectColumns, inspectPartitions, inspectTables, type TableRow } from './inspect-tables.ts';
import { inspectTriggers } from './inspect-triggers.ts';
import { inspectViews, type ViewRow } from './inspect-views.ts';
import { versionAtLeast, versionParts } from './server-version.ts';

/** Options of {@link inspectMysql}. */
export interface MysqlInspectOptions {
  /** Database to read; default the connection's current database (`DATABASE()`). */
  readonly database?: string;
  /**
   * Name of the schema in the snapshot; default the database's name. A replay reads a scratch database and reports
   * it under the live database's name: references to the inspected database (foreign keys' `refSchema`, view
   * dependencies) use this name too, and view definitions carry no qualifier of their own database at all.
   */
  readonly schemaName?: string;
  /**
   * Read scheduled events (`Schema.events`); off by default here (a target's `events` is on by default). Left out,
   * with a warning in `source.warnings`, when the session may not read them.
   */
  readonly events?: boolean;
  /** Record definers (`owner` of views and routines, `attrs.definer` of triggers and events); off by default. */
  readonly privileges?: boolean;
  /** Overrides of the detected snapshot source (e.g. a redacted URL as `description`). */
  readonly source?: Partial<SnapshotSource>;
  /** Configured target name, for error messages. */
  readonly target?: string;
}

/** Databases of the server itself: never a user database. */
export const SYSTEM_DATABASES: readonly string[] = ['information_schema', 'mysql', 'performance_schema', 'sys'];

/** `information_schema` tables whose column lists are read once to adapt the queries. */
const CATALOG_TABLES = ['CHECK_CONSTRAINTS', 'COLUMNS', 'SCHEMATA', 'STATISTICS', 'TABLE_CONSTRAINTS', 'VIEWS'];

/** Inspects one database of the server behind `db` (a session of `connect.ts` or any mysql2 connection). */
export async function inspectMysql(db: MysqlQueryable, options: MysqlInspectOptions = {}): Promise<SchemaSnapshot> {
  const probe = { db, database: options.database ?? '(current)', target: options.target };
  const server = await readServer(probe);
  const database = options.database ?? server.current;
  if (!database) {
    throw new ConfigError('mysql: no database to inspect: name one in the URL path', { target: options.target });
  }
  if (SYSTEM_DATABASES.includes(database.toLowerCase())) {
    throw new ConfigError(`mysql: "${database}" is a system database, not a user database`, { target: options.target });
  }
  const detected = await readCatalogColumns({ ...probe, database });
  // A server that lists none of information_schema's own columns falls back to what its manual documents.
  const catalogColumns = detected.size > 0 ? detected : documentedCatalogColumns(server.version);
  const ctx: InspectContext = {
    db,
    flavor: server.version.flavor,
    major: server.version.major,
    minor: server.version.minor,
    database,
    schemaName: options.schemaName ?? database,
    catalogColumns,
    privileges: options.privileges ?? false,
    target: options.target,
  };
  const warnings: string[] = [];
  const events = (options.events ?? false) && (await eventsReadable(ctx, warnings));
  const schema = await readSchema(ctx, events);
  return {
    formatVersion: 1,
    dialect: 'mysql',
    source: {
      description: 'mysql',
      serverVersion: server.version.serverVersion,
      serverMajor: server.version.major,
      flavor: server.version.flavor,
      ...options.source,
      ...(warnings.length ? { warnings } : {}),
    },
    schemas: [schema],
    extensions: [],
  };
}

/**
 * True when the session may read the database's events; otherwise a warning says they are not compared (a missing
 * privilege is no failure of the check: events are on by default, and a monitoring user often lacks EVENT).
 */
async function eventsReadable(ctx: InspectContext, warnings: string[]): Promise<boolean> {
  if (await canReadEvents(ctx)) return true;
  warnings.push(eventsNotReadable(ctx.database));
  return false;
}

async function readServer(
  ctx: Pick<InspectContext, 'db' | 'database' | 'target'>,
): Promise<{ version: MysqlServerVersion; current: string | null }> {
  const rows = await catalogQuery<{ version: string; comment: string | null; current: string | null }>(
    ctx,
    'server version',
    'SELECT VERSION() AS version, @@version_comment AS comment, DATABASE() AS current',
    [],
  );
  const row = rows[0];
  if (!row) throw new InspectError('mysql: server returned no version row', { target: ctx.target });
  return { version: parseServerVersion(row.version, row.comment ?? ''), current: row.current };
}

async function readCatalogColumns(ctx: Pick<InspectContext, 'db' | 'database' | 'target'>): Promise<Set<string>> {
  const rows = await catalogQuery<{ t: string; c: string }>(
    ctx,
    'information_schema columns',
    `SELECT UPPER(TABLE_NAME) AS t, UPPER(COLUMN_NAME) AS c FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME IN (?)`,
    [CATALOG_TABLES],
  );
  return new Set(rows.map((r) => `${r.t}.${r.c}`));
}

/** The optional `information_schema` columns and the first release that has them, from the servers' manuals. */
const OPTIONAL_COLUMNS: Readonly<Record<'mysql' | 'mariadb', readonly (readonly [string, readonly number[]])[]>> = {
  mysql: [
    ['STATISTICS.IS_VISIBLE', [8, 0, 0]],
    ['COLUMNS.SRS_ID', [8, 0, 3]],
    ['STATISTICS.EXPRESSION', [8, 0, 13]],
    ['CHECK_CONSTRAINTS.CHECK_CLAUSE', [8, 0, 16]],
    ['TABLE_CONSTRAINTS.ENFORCED', [8, 0, 16]],
  ],
  mariadb: [
    ['VIEWS.ALGORITHM', [10, 1, 0]],
    ['CHECK_CONSTRAINTS.CHECK_CLAUSE', [10, 2, 22]],
    ['CHECK_CONSTRAINTS.TABLE_NAME', [10, 2, 22]],
    ['SCHEMATA.SCHEMA_COMMENT', [10, 5, 0]],
    ['CHECK_CONSTRAINTS.LEVEL', [10, 5, 10]],
    ['STATISTICS.IGNORED', [10, 6, 0]],
  ],
};

/**
 * The optional `information_schema` columns a server of this flavour and version has according to the MySQL 8.0/8.4
 * reference manual and the MariaDB knowledge base. Used only when the server does not list `information_schema`'s
 * own columns (detection is preferred: forks and patch releases differ).
 */
export function documentedCatalogColumns(version: Pick<MysqlServerVersion, 'flavor' | 'serverVersion'>): Set<string> {
  const have = versionParts(version.serverVersion);
  return new Set(OPTIONAL_COLUMNS[version.flavor].filter(([, since]) => versionAtLeast(have, since)).map(([column]) => column));
}

interface DatabaseRow {
  charset: string;
  collation: string;
  comment: string | null;
}

/** Runs the fixed sequence of queries and assembles the one schema. */
async function readSchema(ctx: InspectContext, withEvents: boolean): Promise<Schema> {
  const comment = ctx.catalogColumns.has('SCHEMATA.SCHEMA_COMMENT') ? 'SCHEMA_COMMENT' : 'NULL';
  const dbRow = (
    await catalogQuery<DatabaseRow>(
      ctx,
      'database',
      `SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation, ${comment} AS comment
       FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
    )
  )[0];
  if (!dbRow) {
    throw new InspectError(`mysql: database "${ctx.database}" does not exist or is not visible`, { target: ctx.target });
  }
  // One query per kind, in sequence: a connection runs one statement at a time anyway.
  const { tables, sequences: sequenceNames } = await inspectTables(ctx);
  const partitions = await inspectPartitions(ctx, tables);
  const columns = await inspectColumns(ctx, tables);
  const indexes = await inspectIndexes(ctx);
  const foreignKeys = await inspectForeignKeys(ctx);
  const checks = await inspectChecks(ctx);
  const known = new Set([...tables.map((t) => t.name), ...columns.map((c) => c.table)]);
  const views = await inspectViews(ctx, known);
  const triggers = await inspectTriggers(ctx);
  const routines = await inspectRoutines(ctx);
  const sequences = await inspectSequences(ctx, sequenceNames);
  const events = withEvents ? await inspectEvents(ctx) : undefined;

  const parts = groupParts(columns, indexes, foreignKeys, checks, triggers);
  return {
    name: ctx.schemaName,
    comment: nonEmpty(dbRow.comment),
    attrs: { charset: dbRow.charset, collation: dbRow.collation },
    tables: sortByName(tables.map((t) => buildTable(ctx, t, parts, partitions.get(t.name)))),
    views: sortByName(views.map((v) => buildView(ctx, v, parts))),
    sequences: sortByName(sequences),
    types: [],
    routines: routines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
    ...(events ? { events: sortByName(events) } : {}),
  };
}

interface Parts {
  readonly columns: Map<string, ColumnRow[]>;
  readonly indexes: Map<string, IndexRow[]>;
  readonly foreignKeys: Map<string, Table['foreignKeys']>;
  readonly checks: Map<string, Table['constraints']>;
  readonly triggers: Map<string, Table['triggers']>;
}

function groupParts(
  columns: ColumnRow[],
  indexes: IndexRow[],
  foreignKeys: TablePart<Table['foreignKeys'][number]>[],
  checks: TablePart<Table['constraints'][number]>[],
  triggers: TablePart<Table['triggers'][number]>[],
): Parts {
  const parts: Parts = { columns: new Map(), indexes: new Map(), foreignKeys: new Map(), checks: new Map(), triggers: new Map() };
  for (const c of columns) pushTo(parts.columns, c.table, c);
  for (const i of indexes) pushTo(parts.indexes, i.table, i);
  for (const f of foreignKeys) pushTo(parts.foreignKeys, f.table, f.value);
  for (const c of checks) pushTo(parts.checks, c.table, c.value);
  for (const t of triggers) pushTo(parts.triggers, t.table, t.value);
  return parts;
}

function buildTable(ctx: InspectContext, t: TableRow, parts: Parts, partitioning: Table['attrs'][string] | undefined): Table {
  const indexes = sortByName((parts.indexes.get(t.name) ?? []).map((i) => i.index));
  const pk = primaryKeyOf(indexes);
  return {
    schema: ctx.schemaName,
    name: t.name,
    columns: (parts.columns.get(t.name) ?? []).map((c) => c.column).sort((a, b) => a.position - b.position),
    constraints: sortByName([...(pk ? [pk] : []), ...(parts.checks.get(t.name) ?? [])]),
    foreignKeys: sortByName(parts.foreignKeys.get(t.name) ?? []),
    indexes,
    triggers: sortByName(parts.triggers.get(t.name) ?? []),
    policies: [],
    comment: t.comment,
    attrs: attrsOf({ ...t.attrs, partitioning }),
  };
}

function buildView(ctx: InspectContext, v: ViewRow, parts: Parts): View {
  return {
    schema: ctx.schemaName,
    name: v.name,
    materialized: false,
    definition: v.definition,
    columns: (parts.columns.get(v.name) ?? [])
      .map((c) => c.column)
      .sort((a, b) => a.position - b.position)
      .map((c) => ({ name: c.name, type: c.type.raw })),
    dependsOn: v.dependsOn,
    indexes: [],
    comment: null,
    ...(v.owner ? { owner: v.owner } : {}),
    attrs: v.attrs,
  };
}
