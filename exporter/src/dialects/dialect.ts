/**
 * The dialect contract: everything the engine, the agent and the CLI need from a database dialect, declared in one
 * place and owned by neither side. Each dialect implements it in its own folder (`dialects/<name>/index.ts`, with the
 * same file names inside: connect, inspect, hooks, plan, ddl, replay, revision, split, quote); `registry.ts` is the
 * only file that names them.
 *
 * Two halves, side by side:
 * - what a dialect *is*: its name, label, URL schemes and capabilities, the differ's hooks, the planner, the plan and
 *   DDL renderers — pure functions of snapshots and changes (its statement splitter, `split.ts`, serves its own
 *   replay and is not part of the contract, since nothing outside the dialect splits its SQL);
 * - what it *does connected*: open a read-only session on a live database (inspect, read the migration tool's
 *   revision table, probe what a check needs), replay a migration directory into a scratch database up to a version,
 *   name the replay engine for cache keys, and say when that engine differs from the live server.
 *
 * Models: kysely's `src/dialect/dialect.ts` (one interface, a folder per dialect), Atlas' `migrate.Driver`
 * (Inspector + Differ + PlanApplier, registered by name), Prisma's `SqlFlavour`.
 */
import type { PasswordSource } from '../connection/password-source.ts';
import type { SchemaDriftError } from '../core/errors.ts';
import type { ErrorContext } from '../core/errors.ts';
import type { DiffHooks } from '../core/diff/options.ts';
import type { Change } from '../core/model/change.ts';
import type { Plan } from '../core/model/plan.ts';
import type { DialectName, SchemaSnapshot, SnapshotSource } from '../core/model/schema.ts';
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import type { RevisionState, RevisionTool } from '../revision/revision-state.ts';

/** What a dialect can do beyond the contract's common part. */
export interface DialectCapabilities {
  /**
   * Migrations replay in-process without a server (PostgreSQL: PGlite). Without it a dev server
   * (`desired.devUrl`, `--dev-url`) is required.
   */
  readonly embeddedScratch: boolean;
  /** Scheduled events can be read and compared (`events: true`, `--events`). */
  readonly events: boolean;
}

/** How to reach a live database. Secrets stay in `url` and `passwordFile`; nothing here is ever logged. */
export interface ConnectRequest {
  readonly url: string;
  /** Configured target name, or the source as a person reads it: used in error messages. */
  readonly target?: string;
  /** A file holding the password, used when the URL has none. */
  readonly passwordFile?: string;
  /** A command or AWS IAM: the password obtained at connect time, used when the URL has none. */
  readonly passwordSource?: PasswordSource;
  readonly connectTimeoutMs?: number;
  /** Statement time limit of the read-only session; its lock, idle and client-side limits follow from it. */
  readonly statementTimeoutMs?: number;
  /** Ends the session at once when aborted (the connection is dropped): the check's own time limit. */
  readonly signal?: AbortSignal;
  /** Shown in the server's session list, e.g. `schema-drift test-connection`. */
  readonly applicationName?: string;
}

/**
 * Which names discovery lists (`targets[].discover`): the databases of the URL's server, or the schemas of its
 * database, matching a SQL LIKE `pattern` or returned by a read-only `query` (its first column).
 */
export interface DiscoverRequest extends ConnectRequest {
  readonly kind: 'databases' | 'schemas';
  readonly pattern?: string;
  readonly query?: string;
}

/** What to read, for the live side and for a replayed scratch database alike. */
export interface InspectRequest {
  /** For error messages: configured target name, or the source as given. */
  readonly target?: string;
  /** Schemas to read (default: all user schemas). Dialects whose database is one schema ignore it. */
  readonly schemas?: readonly string[];
  /** Read privileges (ACLs) too. */
  readonly privileges?: boolean;
  /** Read scheduled events too (only where {@link DialectCapabilities.events}). */
  readonly events?: boolean;
  /**
   * The snapshot this one will be compared with, when it was read first. A dialect whose database is one schema
   * names its snapshot's schema after the counterpart's (so `app` and `app_staging`, or a replay's temporary
   * database, line up) and creates a replay database with the counterpart's defaults.
   */
  readonly counterpart?: SchemaSnapshot;
}

/** The server a snapshot was read from, as much as is known. */
export interface ServerFacts {
  readonly serverVersion?: string;
  readonly serverMajor?: number;
  /** `postgresql`, `pglite`, `mysql`, `mariadb`. */
  readonly flavor?: string;
}

/** A dialect's cheap pre-check of {@link SchemaFingerprint} (`mysql/fingerprint.ts`). */
export interface FingerprintGate {
  /** Opaque to the caller. */
  readonly value: string;
  /** Unix milliseconds of the first read that saw the value as it is (a different value, or none, before it). */
  readonly movedAt: number;
  /** Unix milliseconds of the last full query. */
  readonly queriedAt: number;
}

/** How a dialect's gate may skip the fingerprint query (`mysql/fingerprint.ts`). */
export interface FingerprintGatePolicy {
  /** The gate's value must have been still this long since it last moved. */
  readonly quietMs: number;
  /** The query runs at least this often regardless. */
  readonly fullQueryEveryMs: number;
}

/** The longest a gate lets the fingerprint query be skipped, however still its value stays. */
export const FULL_QUERY_EVERY_MS = 10 * 60_000;

/** The least time a gate's value must have been still before the query may be skipped: max(2 × `watch`, 60 s). */
export function gateQuietMs(watchMs: number): number {
  return Math.max(2 * watchMs, 60_000);
}

/** What {@link LiveSession.fingerprint} returns. */
export interface SchemaFingerprint {
  /** Opaque; equal values mean no DDL ran in between. */
  readonly value: string;
  readonly classes: number;
  /**
   * A cheap reading taken before the fingerprint query, when the dialect has one (MySQL/MariaDB: the server's DDL
   * statement counters): handed back as `previous`, an unchanged gate answers without the query.
   */
  readonly gate?: FingerprintGate;
  /** Whether the fingerprint query itself ran (false: the gate was unchanged and `value` is the previous one). */
  readonly queried?: boolean;
  /** Why the gate could not be read (its error's message), when it could not: the query ran. */
  readonly gateError?: string;
}

/** One read-only session on a live database: every read sees one snapshot, and the server refuses any write. */
export interface LiveSession {
  /** As the server reports it, e.g. `15.20 (Debian 15.20-0+deb12u1)`, `10.11.19-MariaDB-0+deb12u1`. */
  readonly serverVersion: string;
  readonly serverMajor: number;
  /** `postgresql`, `pglite`, `mysql`, `mariadb`. */
  readonly flavor: string;
  /** Reads the schema; `description` (credentials removed) becomes the snapshot's source description. */
  inspect(request: InspectRequest & { readonly description: string }): Promise<SchemaSnapshot>;
  /**
   * The migration tool's revision table, or `null` when the database has none. `preferSchema`: a table in that schema
   * wins over the others (schema-per-tenant); dialects whose database is one schema ignore it.
   */
  readRevision(options?: { readonly preferSchema?: string }): Promise<RevisionState | null>;
  /**
   * Reads a catalog the way an inspection does and returns warnings for what a check would not see (a configured
   * schema that does not exist, no privilege on it, no table visible, events asked for but not readable). Throws
   * when the catalogs cannot be read.
   */
  probe(request: { readonly schemas?: readonly string[]; readonly events?: boolean }): Promise<string[]>;
  /**
   * A fingerprint of the schema in one cheap read-only query (the agent's `watch`): it changes with every DDL statement
   * on the schemas a check reads, and not with `VACUUM`, `ANALYZE` or ordinary writes (`<dialect>/fingerprint.ts`).
   * `classes` is how many tables, views, indexes and sequences it covered. `previous` is this target's last
   * fingerprint: a dialect with a cheap gate returns it as it is when the gate did not move. `gate`: how long the gate
   * must be still and how often the query runs regardless (default: a 60 s quiet time, 10 minutes); `false`: no gate,
   * the query every time (`watchCounters: false`).
   */
  fingerprint(request: {
    readonly schemas?: readonly string[];
    readonly previous?: SchemaFingerprint | null;
    readonly gate?: FingerprintGatePolicy | false;
  }): Promise<SchemaFingerprint>;
  /** Ends the session. Safe to call twice. */
  close(): Promise<void>;
}

/** Where and how far to replay a migration directory. */
export interface ReplayRequest {
  /** A server to replay on (a temporary database is created and dropped there); default: the embedded scratch. */
  readonly devUrl?: string;
  /** For error messages. */
  readonly target?: string;
  /**
   * Apply versioned files with version <= this; `undefined` applies all; `null` applies none (a revision table
   * records nothing deployed, so repeatable files are skipped too).
   */
  readonly upToVersion?: string | null;
  /** Files left out whatever their version (`fileId`s): re-runnable migrations whose new text is not deployed. */
  readonly leaveOut?: readonly string[];
  /**
   * Statements run before the first file, as the migration tool runs them before it applies anything (its revision
   * table, from {@link Dialect.revisionTableDdl}), so a migration that alters that table replays.
   */
  readonly setup?: readonly string[];
  readonly inspect: InspectRequest;
  /**
   * The check's deadline, enforced: when it aborts, the replay stops at once (an embedded engine's process is killed,
   * a dev server's running statement cancelled from a second connection and the temporary database dropped) and
   * rejects with a TimeoutError (the time limit) or ReplayError naming the file and line in progress.
   */
  readonly signal?: AbortSignal;
  /**
   * A directory the dialect may keep files in between replays and processes (PostgreSQL: PGlite's initialised data
   * directory); the agent's is in its data directory. Default: the user's cache directory.
   */
  readonly cacheDir?: string;
}

/** Which engine replayed: the embedded one in-process, or a dev server. */
export type ReplayEngine = 'pglite' | 'server';

/** A replayed migration directory, read back with the live side's inspector. */
export interface ReplayResult {
  readonly snapshot: SchemaSnapshot;
  /** Files that ran, in order. */
  readonly applied: MigrationFile[];
  /** Files not applied because they are newer than `upToVersion`. */
  readonly pending: MigrationFile[];
  readonly engine: ReplayEngine;
  /** e.g. `18.6 (PGlite 0.5.16)`, `15.20` or `10.11.19-MariaDB-0+deb12u1`. */
  readonly serverVersion: string;
}

/** Where a migration command's scratch database lives: a dev server (a temporary database on it), else the embedded engine. */
export interface ScratchRequest {
  readonly devUrl?: string;
  /** For error messages. */
  readonly target?: string;
  /**
   * The live side's snapshot, when there is one: the scratch database takes its defaults from it (MySQL: the
   * database's character set and collation), so the tables a migrator creates without naming them match.
   */
  readonly counterpart?: SchemaSnapshot;
  /** As {@link ReplayRequest.cacheDir}. */
  readonly cacheDir?: string;
}

/**
 * An empty scratch database any client library can reach over the network, for a migration command to run against
 * (`engine/command.ts`): the embedded engine served on a loopback port, or a temporary database on a dev server.
 */
export interface ScratchServer {
  /** Connection URL with its credentials, for the command and for reading the result back. Secret. */
  readonly url: string;
  /**
   * The variables this dialect's client libraries read, all naming the scratch database: `DATABASE_URL` plus
   * libpq's `PGHOST`... or `MYSQL_HOST`... (README, "Desired state from a migration command").
   */
  readonly env: Readonly<Record<string, string>>;
  readonly engine: ReplayEngine;
  /** e.g. `18.6 (PGlite 0.5.16)` or the dev server's version. */
  readonly serverVersion: string;
  /** Stops the embedded server, or drops the temporary database. Safe to call twice. */
  close(): Promise<void>;
}

/** An in-process database of a dialect with an embedded engine: the demo's "production", test fixtures. */
export interface EmbeddedDatabase {
  /** Runs SQL (several statements allowed). This database is ours, never a monitored one. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with bind parameters and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A read-only session on it, as {@link Dialect.connect} gives on a server. */
  session(): Promise<LiveSession>;
  close(): Promise<void>;
}

/** One database dialect: what it is, and what it does connected. */
export interface Dialect {
  /** The name stored in snapshots and reports (`SchemaSnapshot.dialect`). */
  readonly name: DialectName;
  /** For people: `PostgreSQL`, `MySQL/MariaDB`. */
  readonly label: string;
  /** URL schemes of its connection URLs, without `://`: `postgres`, `postgresql`. */
  readonly urlSchemes: readonly string[];
  /** An example URL for messages: `postgres://user@host:5432/db`. */
  readonly exampleUrl: string;
  readonly capabilities: DialectCapabilities;
  /**
   * Names migration tools give this database in the files that say which database a migration directory is for
   * (Prisma's `migration_lock.toml` `provider`, drizzle-kit's journal `dialect`): a directory declaring another
   * name is refused for this dialect's targets.
   */
  readonly migrationProviders: readonly string[];

  /** The differ's answers to "is this difference noise?" for this dialect. */
  readonly hooks: DiffHooks;
  /** The reconcile plan turning `current` into `desired`; throws `PlanError` for a change it cannot render. */
  plan(changes: Change[], sides: { current: SchemaSnapshot; desired: SchemaSnapshot }): Plan;
  /** The plan as one SQL script. */
  renderPlanSql(plan: Plan): string;
  /** Deterministic whole-schema DDL. */
  renderDdl(snapshot: SchemaSnapshot): string;
  /** A driver error as a schema-drift error with a reason class; its message names the dialect. */
  toError(err: unknown, context?: ErrorContext & { action?: string; secrets?: readonly string[] }): SchemaDriftError;

  /** Opens a read-only session on a live database. */
  connect(request: ConnectRequest): Promise<LiveSession>;
  /**
   * The names discovery asks for, sorted, in one short read-only session; system databases and schemas are never
   * listed by a pattern. Throws the dialect's error (`toError`) when the server cannot be read.
   */
  discover(request: DiscoverRequest): Promise<string[]>;
  /**
   * Runs a whole live read (`read` opens its own session), again in a new session when it lost a race with DDL
   * running on the database at the same time; dialects without such races run it once.
   */
  withReadRetry<T>(read: () => Promise<T>): Promise<T>;
  /**
   * The DDL `tool` runs on this dialect to create its revision table before it applies a migration, as the tool's
   * own driver words it; empty for tools whose table a replay does not need.
   */
  revisionTableDdl(tool: RevisionTool): readonly string[];
  /** Replays `directory` into a fresh scratch database and inspects it; the scratch database is gone afterwards. */
  replay(directory: MigrationDirectory, request: ReplayRequest): Promise<ReplayResult>;
  /**
   * Identity of the engine a replay with this request would use, for cache keys (`pglite 0.5.16`, `postgresql
   * 15.20`, `mariadb 10.11.19-MariaDB; as database app (utf8mb4/utf8mb4_general_ci)`). May connect to the dev server.
   */
  replayIdentity(request: ReplayRequest): Promise<string>;
  /** An empty scratch database reachable by URL, for a migration command; close it on every path. */
  openScratch(request: ScratchRequest): Promise<ScratchServer>;
  /**
   * Warnings when the dev server's user may reach outside the database (PostgreSQL: superuser,
   * `pg_execute_server_program`, server file roles; MySQL: SUPER, FILE): a migration replayed there runs with those
   * rights. One short connection; none when the user has no such privilege.
   */
  devServerRisks(request: { readonly devUrl: string; readonly target?: string }): Promise<string[]>;
  /** Warnings when the replay engine is not the live server's flavour or major version. */
  versionWarnings(replay: { readonly engine: ReplayEngine; readonly source: SnapshotSource }, live: ServerFacts): string[];
  /** An in-process engine, for dialects that have one (see {@link DialectCapabilities.embeddedScratch}). */
  readonly embedded?: { create(): Promise<EmbeddedDatabase> };
}
