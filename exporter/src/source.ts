/**
 * Diff sources: what `inspect` and `diff` accept on the command line.
 *
 * A source is a PostgreSQL connection URL (`postgres://`, `postgresql://`), a migration directory (replayed into a
 * scratch database), or a saved schema (`inspect --format json` output). Each resolves to a {@link SchemaSnapshot}
 * read by the same inspector.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ConfigError } from './errors.ts';
import { readMigrationDirectory, type MigrationFile } from './migrations/index.ts';
import type { SchemaSnapshot } from './model/schema.ts';
import { openReadOnlySession, redactUrl } from './postgres/connect.ts';
import { inspectPostgres } from './postgres/inspect.ts';
import { replayPostgres } from './postgres/replay.ts';
import { pendingMigrations, readPostgresRevision, type RevisionState } from './postgres/revision.ts';

export type SourceKind = 'database' | 'directory' | 'snapshot';

/** Options shared by every source. */
export interface SourceOptions {
  /** Schemas to read (default: all user schemas). */
  readonly schemas?: string[];
  /** Read ACLs too. */
  readonly privileges?: boolean;
  /** For directories: a PostgreSQL server to replay on instead of the embedded PGlite. */
  readonly devUrl?: string;
  /** For databases: a file holding the password. */
  readonly passwordFile?: string;
  /** Statement timeout of the read-only session, in milliseconds. */
  readonly statementTimeoutMs?: number;
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

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Which kind of source a command-line argument names; throws {@link ConfigError} when none fits. */
export async function classifySource(text: string): Promise<SourceKind> {
  const scheme = URL_SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'database';
  if (scheme === 'mysql' || scheme === 'mariadb') {
    throw new ConfigError(`${scheme}:// sources are not supported yet (MySQL/MariaDB is the next dialect)`, {
      target: redactUrl(text),
    });
  }
  if (scheme) {
    throw new ConfigError(`unknown URL scheme "${scheme}://": expected postgres:// or postgresql://`, {
      target: redactUrl(text),
    });
  }
  const info = await stat(text).catch(() => null);
  if (!info) throw new ConfigError('no such file or directory, and not a postgres:// URL', { file: text });
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
  deployedFrom?: { revision: RevisionState | null; serverMajor?: number },
): Promise<LoadedSource> {
  const kind = await classifySource(text);
  switch (kind) {
    case 'database':
      return loadDatabase(text, options);
    case 'directory':
      return loadDirectory(text, options, deployedFrom);
    case 'snapshot':
      return { kind, description: text, snapshot: await loadSnapshotFile(text), warnings: [] };
  }
}

async function loadDatabase(url: string, options: SourceOptions): Promise<LoadedSource> {
  const description = redactUrl(url);
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

async function loadDirectory(
  dir: string,
  options: SourceOptions,
  deployedFrom?: { revision: RevisionState | null; serverMajor?: number },
): Promise<LoadedSource> {
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
  if (snapshot.dialect !== 'postgres') {
    throw new ConfigError(`saved schema has dialect ${JSON.stringify(snapshot.dialect)}; only "postgres" is supported`, {
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

/**
 * Loads the two sides of a diff. When one side is a live database and the other a migration directory, the
 * database's revision table decides how far the directory is replayed (later files are pending, not drift).
 */
export async function loadPair(
  from: string,
  to: string,
  options: SourceOptions,
): Promise<{ from: LoadedSource; to: LoadedSource }> {
  const [fromKind, toKind] = [await classifySource(from), await classifySource(to)];
  if (toKind === 'database' && fromKind === 'directory') {
    const toSource = await loadSource(to, options);
    return { from: await loadSource(from, options, deployedOf(toSource)), to: toSource };
  }
  const fromSource = await loadSource(from, options);
  return { from: fromSource, to: await loadSource(to, options, deployedOf(fromSource)) };
}

function deployedOf(source: LoadedSource): { revision: RevisionState | null; serverMajor?: number } | undefined {
  if (source.kind !== 'database') return undefined;
  return { revision: source.revision ?? null, serverMajor: source.snapshot.source.serverMajor };
}
