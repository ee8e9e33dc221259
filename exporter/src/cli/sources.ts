/**
 * Diff sources: what `inspect` and `diff` accept on the command line.
 *
 * A source is a connection URL (`postgres://`, `postgresql://`; `mysql://`, `mariadb://`), a migration directory
 * (replayed into a scratch database), or a saved schema (`inspect --format json` output). Each resolves to a
 * {@link SchemaSnapshot} read by the same inspector as the live database of its dialect. A directory's dialect is
 * the other side's, else the dev server's (`--dev-url mysql://...`), else PostgreSQL.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ConfigError } from '../core/errors.ts';
import { readMigrationDirectory, type MigrationFile } from '../migrations/index.ts';
import type { Dialect, SchemaSnapshot } from '../core/model/schema.ts';
import { redactUrl } from '../connection/url.ts';
import { openReadOnlySession } from '../dialects/postgres/connect.ts';
import { inspectPostgres, withCatalogRaceRetry } from '../dialects/postgres/inspect.ts';
import { replayPostgres } from '../dialects/postgres/replay.ts';
import { readPostgresRevision } from '../dialects/postgres/revision.ts';
import { pendingMigrations, type RevisionState } from '../revision/revision-state.ts';
import { databaseDefaults } from '../dialects/mysql/replay.ts';
import { loadMysqlDatabase, replayMysqlDirectory } from '../dialects/mysql/source.ts';

export type SourceKind = 'database' | 'directory' | 'snapshot';

/** Options shared by every source. */
export interface SourceOptions {
  /** Schemas to read (default: all user schemas). */
  readonly schemas?: string[];
  /** Read ACLs too. */
  readonly privileges?: boolean;
  /**
   * For directories: a server to replay on. PostgreSQL: instead of the embedded PGlite. MySQL/MariaDB: required
   * (there is no embedded MySQL); a `mysql://` dev URL also makes a lone directory a MySQL one.
   */
  readonly devUrl?: string;
  /** For databases: a file holding the password. */
  readonly passwordFile?: string;
  /** Statement timeout of the read-only session, in milliseconds. */
  readonly statementTimeoutMs?: number;
  /** MySQL/MariaDB: read scheduled events too (`--events`); a PostgreSQL database with it is a ConfigError. */
  readonly events?: boolean;
}

/** A resolved source. */
export interface LoadedSource {
  readonly kind: SourceKind;
  /** The source as a person reads it, credentials removed. */
  readonly description: string;
  readonly snapshot: SchemaSnapshot;
  /** Databases: the migration tool's revision table, when one was found. */
  readonly revision?: RevisionState | null;
  /** Directories replayed only up to a deployed version: the files not applied. */
  readonly pending?: MigrationFile[];
  /** Non-fatal notes (e.g. the scratch server's major version differs from the target's). */
  readonly warnings: string[];
}

/**
 * What the side read first tells the other side: the deployed revision (a directory is replayed only that far), the
 * server's flavour and major version (replay warnings), and for MySQL the database name and defaults (see
 * `source-mysql.ts`).
 */
export interface Counterpart {
  readonly revision: RevisionState | null;
  readonly serverMajor?: number;
  /** Added field: the dialect of the other side. */
  readonly dialect?: Dialect;
  /** Added field: `postgresql`, `mysql`, `mariadb`, ... */
  readonly flavor?: string;
  /** Added field, MySQL: the name of the other side's one schema. */
  readonly schemaName?: string;
  /** Added field, MySQL: the other database's default character set and collation. */
  readonly defaults?: { readonly charset?: string; readonly collation?: string };
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const URL_DIALECTS: Readonly<Record<string, Dialect>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

/** The dialect of a connection URL by its scheme; `undefined` for anything that is not a URL we know. */
export function urlDialect(text: string | undefined): Dialect | undefined {
  const scheme = text ? URL_SCHEME.exec(text)?.[1]?.toLowerCase() : undefined;
  return scheme ? URL_DIALECTS[scheme] : undefined;
}

/** `key=value` pairs, the libpq connection string form. */
const KEYWORD_VALUE = /(^|\s)[a-z_]+\s*=/i;

/** Which kind of source a command-line argument names; throws {@link ConfigError} when none fits. */
export async function classifySource(text: string): Promise<SourceKind> {
  const scheme = URL_SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme && URL_DIALECTS[scheme]) return 'database';
  if (scheme) {
    throw new ConfigError(
      `unknown URL scheme "${scheme}://": expected postgres://, postgresql://, mysql:// or mariadb://`,
      { target: redactUrl(text) },
    );
  }
  const info = await stat(text).catch(() => null);
  if (!info && KEYWORD_VALUE.test(text)) {
    // A libpq keyword/value string (`host=db password=...`): never echo it, it may hold a password.
    throw new ConfigError('keyword/value connection strings are not accepted: write a postgres:// or mysql:// URL', {
      target: '<connection string>',
    });
  }
  if (!info) throw new ConfigError('no such file or directory, and not a database URL', { file: text });
  if (info.isDirectory()) return 'directory';
  return 'snapshot';
}

/**
 * Loads one source. For a directory, `deployedFrom` (the revision of the database it is compared with) limits the
 * replay to the deployed version, so later files count as pending rather than drift.
 */
export async function loadSource(
  text: string,
  options: SourceOptions = {},
  deployedFrom?: Counterpart,
): Promise<LoadedSource> {
  const kind = await classifySource(text);
  switch (kind) {
    case 'database':
      if (urlDialect(text) === 'mysql') return loadMysqlDatabase(text, options, deployedFrom);
      return loadDatabase(text, options);
    case 'directory':
      return loadDirectory(text, options, deployedFrom);
    case 'snapshot':
      return { kind, description: text, snapshot: await loadSnapshotFile(text), warnings: [] };
  }
}

async function loadDatabase(url: string, options: SourceOptions): Promise<LoadedSource> {
  // DDL running on the database while it is read can make a catalog function fail: read again in a new snapshot.
  return withCatalogRaceRetry(() => loadDatabaseOnce(url, options));
}

async function loadDatabaseOnce(url: string, options: SourceOptions): Promise<LoadedSource> {
  const description = redactUrl(url);
  if (options.events) throw new ConfigError('--events: PostgreSQL has no scheduled events', { target: description });
  const session = await openReadOnlySession(url, {
    target: description,
    passwordFile: options.passwordFile,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  try {
    const snapshot = await inspectPostgres(session.db, {
      schemas: options.schemas,
      privileges: options.privileges,
      target: description,
      source: { description },
    });
    const revision = await readPostgresRevision(session.db);
    return { kind: 'database', description, snapshot, revision, warnings: [] };
  } finally {
    await session.close();
  }
}

/**
 * A directory's dialect: the other side's, else the dev server's, else PostgreSQL (replayed on embedded PGlite).
 * @throws ConfigError when the dev server's dialect is not the other side's.
 */
function directoryDialect(dir: string, options: SourceOptions, deployedFrom?: Counterpart): Dialect {
  const dev = urlDialect(options.devUrl);
  const dialect = deployedFrom?.dialect ?? dev ?? 'postgres';
  if (options.devUrl && dev !== dialect) {
    const want = dialect === 'mysql' ? 'a mysql:// or mariadb://' : 'a postgres://';
    throw new ConfigError(`--dev-url ${redactUrl(options.devUrl)}: the migrations in ${dir} are compared with ${dialect === 'mysql' ? 'MySQL/MariaDB' : 'PostgreSQL'}, so the dev server must be ${want} URL`, {
      file: dir,
    });
  }
  return dialect;
}

async function loadDirectory(
  dir: string,
  options: SourceOptions,
  deployedFrom?: Counterpart,
): Promise<LoadedSource> {
  const dialect = directoryDialect(dir, options, deployedFrom);
  const directory = await readMigrationDirectory(dir);
  const warnings: string[] = [];
  // undefined: replay every file; null: a revision table exists but nothing is deployed yet.
  let upToVersion: string | null | undefined;
  let pending: MigrationFile[] | undefined;
  if (deployedFrom?.revision) {
    const deployed = pendingMigrations(directory, deployedFrom.revision);
    upToVersion = deployed.upToVersion;
    pending = deployed.pending;
    if (deployed.unknownDeployed) {
      warnings.push(
        `the database reports version ${deployed.unknownDeployed} deployed, which is not in ${dir}: comparing with the whole directory`,
      );
      upToVersion = undefined;
    }
  }
  if (dialect === 'mysql') return replayMysqlDirectory(directory, options, deployedFrom, { upToVersion, pending, warnings });
  const replay = await replayPostgres(directory, {
    devUrl: options.devUrl,
    target: dir,
    upToVersion,
    inspect: { schemas: options.schemas, privileges: options.privileges },
    targetServerMajor: deployedFrom?.serverMajor,
  });
  warnings.push(...replay.warnings);
  return {
    kind: 'directory',
    description: dir,
    snapshot: replay.snapshot,
    pending: pending ?? replay.pending,
    warnings,
  };
}

/** Reads a saved schema (`inspect --format json`), checking that it is one. */
export async function loadSnapshotFile(file: string): Promise<SchemaSnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read saved schema: ${(err as Error).message}`, { file }, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not a saved schema: ${jsonSyntaxError(text)}`, { file, ...jsonErrorPlace(text) }, { cause: err });
  }
  const snapshot = value as Partial<SchemaSnapshot> | null;
  if (!snapshot || typeof snapshot !== 'object' || snapshot.formatVersion !== 1 || !Array.isArray(snapshot.schemas)) {
    throw new ConfigError('not a saved schema: expected the JSON of `schema-drift inspect --format json` (formatVersion 1)', {
      file,
    });
  }
  if (snapshot.dialect !== 'postgres' && snapshot.dialect !== 'mysql') {
    throw new ConfigError(`saved schema has dialect ${JSON.stringify(snapshot.dialect)}; expected "postgres" or "mysql"`, {
      file,
    });
  }
  return snapshot as SchemaSnapshot;
}

/** The first JSON syntax error's offset; `JSON.parse` in Node 24 often names none, so locate it with jsonc-parser. */
function firstJsonError(text: string): { offset: number; code: string } | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  return first ? { offset: first.offset, code: printParseErrorCode(first.error) } : undefined;
}

function jsonSyntaxError(text: string): string {
  const error = firstJsonError(text);
  return error ? `invalid JSON (${error.code})` : 'invalid JSON';
}

function jsonErrorPlace(text: string): { line?: number; column?: number } {
  const error = firstJsonError(text);
  if (!error) return {};
  const before = text.slice(0, error.offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Which side fixes what the other is read against: a saved schema first, then a live database, then a directory. */
const LOAD_ORDER: Record<SourceKind, number> = { snapshot: 0, database: 1, directory: 2 };

/**
 * Loads the two sides of a diff. The side that fixes more is read first and tells the other what it learnt
 * ({@link Counterpart}): a live database's revision table decides how far a migration directory is replayed (later
 * files are pending, not drift), and for MySQL the first side's database name is the second side's schema name.
 * @throws ConfigError when the two sides are URLs of different dialects, or load as snapshots of different dialects.
 */
export async function loadPair(
  from: string,
  to: string,
  options: SourceOptions,
): Promise<{ from: LoadedSource; to: LoadedSource }> {
  const [fromKind, toKind] = [await classifySource(from), await classifySource(to)];
  const [fromDialect, toDialect] = [urlDialect(from), urlDialect(to)];
  if (fromDialect && toDialect && fromDialect !== toDialect) {
    throw new ConfigError(`cannot compare ${redactUrl(from)} with ${redactUrl(to)}: both sides must be the same dialect`);
  }
  if (LOAD_ORDER[toKind] < LOAD_ORDER[fromKind]) {
    const toSource = await loadSource(to, options);
    return checkDialects({ from: await loadSource(from, options, counterpartOf(toSource)), to: toSource });
  }
  const fromSource = await loadSource(from, options);
  return checkDialects({ from: fromSource, to: await loadSource(to, options, counterpartOf(fromSource)) });
}

function checkDialects(pair: { from: LoadedSource; to: LoadedSource }): { from: LoadedSource; to: LoadedSource } {
  const [a, b] = [pair.from.snapshot.dialect, pair.to.snapshot.dialect];
  if (a !== b) {
    throw new ConfigError(
      `cannot compare ${pair.from.description} (${a}) with ${pair.to.description} (${b}): both sides must be the same dialect`,
    );
  }
  return pair;
}

/** What a loaded side tells the other (a directory tells nothing: two directories replay independently). */
export function counterpartOf(source: LoadedSource): Counterpart | undefined {
  if (source.kind === 'directory') return undefined;
  const { snapshot } = source;
  const mysql = snapshot.dialect === 'mysql' && snapshot.schemas.length === 1;
  return {
    revision: source.kind === 'database' ? (source.revision ?? null) : null,
    serverMajor: source.kind === 'database' ? snapshot.source.serverMajor : undefined,
    dialect: snapshot.dialect,
    flavor: snapshot.source.flavor,
    ...(mysql ? { schemaName: snapshot.schemas[0]?.name, defaults: databaseDefaults(snapshot) } : {}),
  };
}
