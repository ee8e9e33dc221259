/**
 * Diff sources: what `inspect` and `diff` accept on the command line.
 *
 * A source is a connection URL (any scheme of a registered dialect), a migration directory or a `.sql` schema file
 * (replayed into a scratch database), or a saved schema (`inspect --format json` output). Each resolves to a
 * {@link SchemaSnapshot} through the engine (`engine/live.ts`, `engine/desired.ts`), the same steps the agent's check
 * runs. A directory's dialect is the
 * other side's, else the dev server's (`--dev-url`), else the one the directory declares (Prisma's lock file,
 * drizzle-kit's journal), else the dialect with an embedded engine (PGlite).
 *
 * The migration readers and the replay steps are imported when a directory or command source needs them, so reading a
 * database starts without them.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { redactUrl } from '../connection/url.ts';
import type { FilterKind } from '../core/diff/filter.ts';
import { ConfigError } from '../core/errors.ts';
import { maskUrlCredentials } from '../core/mask.ts';
import type { SchemaSnapshot } from '../core/model/schema.ts';
import type { Dialect, ServerFacts } from '../dialects/dialect.ts';
import {
  dialectForProvider,
  dialectForUrl,
  dialectNamed,
  embeddedDialect,
  knownNames,
  knownSchemes,
  urlScheme,
} from '../dialects/registry.ts';
import { readLive } from '../engine/live.ts';
import type { MigrationDirectory, MigrationFile, MigrationFormat } from '../migrations/types.ts';
import type { RevisionState } from '../revision/revision-state.ts';

export type SourceKind = 'database' | 'directory' | 'snapshot' | 'command';

/**
 * A migration command given on the command line (`--to-command`, `--from-command`): run against a scratch database
 * (`engine/command.ts`) in `cwd`, killed after `timeoutMs`.
 */
export interface CommandArg {
  readonly command: string;
  readonly cwd: string;
  readonly timeoutMs: number;
}

/** What `--from`/`--to` (a URL, directory or saved schema) or `--from-command`/`--to-command` name. */
export type SourceArg = string | CommandArg;

function describeArg(arg: SourceArg): string {
  return typeof arg === 'string' ? arg : `command ${JSON.stringify(arg.command)}`;
}

/** Options shared by every source. */
export interface SourceOptions {
  /** Schemas to read (default: all user schemas). */
  readonly schemas?: string[];
  /** Read ACLs too. */
  readonly privileges?: boolean;
  /**
   * For directories: a server to replay on instead of the embedded engine; required by dialects without one. Its
   * scheme also picks a lone directory's dialect.
   */
  readonly devUrl?: string;
  /** For databases: a file holding the password. */
  readonly passwordFile?: string;
  /** Statement timeout of the read-only session, in milliseconds. */
  readonly statementTimeoutMs?: number;
  /** Read scheduled events too (`--events`); a dialect without events refuses it. */
  readonly events?: boolean;
  /** For directories: the layout to read (`--dir-format`) instead of detecting it from the files. */
  readonly dirFormat?: MigrationFormat;
  /** Told when a slow step begins (`CliIo.progress`). */
  readonly progress?: (step: string) => void;
}

/** A resolved source. */
export interface LoadedSource {
  readonly kind: SourceKind;
  /** The source as a person reads it, credentials removed. */
  readonly description: string;
  readonly snapshot: SchemaSnapshot;
  /**
   * Databases: the migration tool's revision table, when one was found. Directories: the other side's revision table
   * the replay was bounded by, when it speaks for this directory (`revisionForDirectory`), else null.
   */
  readonly revision?: RevisionState | null;
  /** Directories: the directory as read (its format and files). */
  readonly directory?: MigrationDirectory;
  /** Directories replayed only up to a deployed version: the files not applied. */
  readonly pending?: MigrationFile[];
  /** Directories: exclude globs for what pending re-runnable migrations define (`DesiredSide.unchecked`). */
  readonly unchecked?: Partial<Record<FilterKind, string[]>>;
  /** Non-fatal notes (e.g. the scratch server's major version differs from the target's). */
  readonly warnings: string[];
  /** Databases: the server, for the other side's version warnings. */
  readonly server?: ServerFacts;
}

/** What the side read first tells the other side: its snapshot, its revision table, its server. */
export interface Counterpart {
  readonly snapshot: SchemaSnapshot;
  readonly revision: RevisionState | null;
  readonly server?: ServerFacts;
}

/** `key=value` pairs, the libpq connection string form. */
const KEYWORD_VALUE = /(^|\s)[a-z_]+\s*=/i;

/** Which kind of source a command-line argument names; throws {@link ConfigError} when none fits. */
export async function classifySource(text: string): Promise<SourceKind> {
  const scheme = urlScheme(text);
  if (scheme && dialectForUrl(text)) return 'database';
  if (scheme) {
    throw new ConfigError(`unknown URL scheme "${scheme}://": expected ${knownSchemes()}`, { target: redactUrl(text) });
  }
  const info = await stat(text).catch(() => null);
  if (!info && KEYWORD_VALUE.test(text)) {
    // A libpq keyword/value string (`host=db password=...`): never echo it, it may hold a password.
    throw new ConfigError('keyword/value connection strings are not accepted: write a connection URL', {
      target: '<connection string>',
    });
  }
  // The text may be a URL without its scheme (`app:secret@db/x`): never echo its password.
  if (!info) throw new ConfigError('no such file or directory, and not a database URL', { file: maskUrlCredentials(text) });
  // A `.sql` file is a schema file (pg_dump --schema-only, structure.sql): replayed like a migration directory.
  if (info.isDirectory() || (info.isFile() && text.toLowerCase().endsWith('.sql'))) return 'directory';
  return 'snapshot';
}

/**
 * Loads one source. For a directory, `counterpart` (the side read first) limits the replay to the deployed version,
 * so later files count as pending rather than drift, and picks the directory's dialect. `kind`, when the caller has
 * classified the text already, saves a second look at the file system.
 */
export async function loadSource(
  arg: SourceArg,
  options: SourceOptions = {},
  counterpart?: Counterpart,
  kind?: SourceKind,
): Promise<LoadedSource> {
  if (typeof arg !== 'string') return loadCommand(arg, options, counterpart);
  const text = arg;
  kind ??= await classifySource(text);
  switch (kind) {
    case 'database':
      return loadDatabase(text, options, counterpart);
    case 'directory':
      return loadDirectory(text, options, counterpart);
    case 'snapshot':
      return { kind, description: text, snapshot: await loadSnapshotFile(text), warnings: [] };
    case 'command':
      throw new ConfigError('internal: a command source is not a text argument');
  }
}

/**
 * A migration command's desired state. Its dialect is the other side's, else the dev server's, else the one with an
 * embedded engine; the other side's revision table decides `{{version}}` and what is pending.
 */
async function loadCommand(arg: CommandArg, options: SourceOptions, counterpart?: Counterpart): Promise<LoadedSource> {
  const description = describeArg(arg);
  const dialect = directoryDialect(description, options, counterpart, undefined);
  const { readDesiredFromCommand } = await import('../engine/command.ts');
  const desired = await readDesiredFromCommand(dialect, {
    source: { command: arg.command, cwd: arg.cwd, timeoutMs: arg.timeoutMs, inputs: [], env: {} },
    devUrl: options.devUrl,
    target: description,
    inspect: {
      target: description,
      ...(options.schemas ? { schemas: options.schemas } : {}),
      privileges: options.privileges,
      events: eventsFor(dialect, options),
      ...(counterpart ? { counterpart: counterpart.snapshot } : {}),
    },
    revision: counterpart?.revision ?? null,
    ...(counterpart?.server ? { live: counterpart.server } : {}),
  });
  return {
    kind: 'command',
    description,
    snapshot: desired.snapshot,
    revision: counterpart?.revision ?? null,
    pending: desired.pending,
    unchecked: desired.unchecked,
    warnings: desired.warnings,
  };
}

async function loadDatabase(url: string, options: SourceOptions, counterpart?: Counterpart): Promise<LoadedSource> {
  const dialect = dialectForUrl(url);
  const description = redactUrl(url);
  if (!dialect) throw new ConfigError(`unknown URL scheme: expected ${knownSchemes()}`, { target: description });
  options.progress?.(`reading the schema of ${description}`);
  const live = await readLive(dialect, {
    url,
    description,
    target: description,
    ...(options.passwordFile !== undefined ? { passwordFile: options.passwordFile } : {}),
    ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    ...(options.schemas ? { schemas: options.schemas } : {}),
    privileges: options.privileges,
    events: eventsFor(dialect, options),
    ...(counterpart ? { counterpart: counterpart.snapshot } : {}),
  });
  const server = { serverVersion: live.serverVersion, serverMajor: live.serverMajor, flavor: live.flavor };
  const warnings = [...(live.snapshot.source.warnings ?? [])];
  return { kind: 'database', description, snapshot: live.snapshot, revision: live.revision, warnings, server };
}

/** Whether to read events: as `--events` / `--no-events` say, else wherever the dialect has them. */
function eventsFor(dialect: Dialect, options: SourceOptions): boolean {
  return options.events ?? dialect.capabilities.events;
}

/** The dev server's dialect, if `--dev-url` is given. @throws ConfigError for a URL of no known scheme. */
function devDialect(options: SourceOptions): Dialect | undefined {
  const dev = dialectForUrl(options.devUrl);
  if (options.devUrl && !dev) {
    throw new ConfigError(`--dev-url: unknown URL scheme: expected ${knownSchemes()}`, { target: redactUrl(options.devUrl) });
  }
  return dev;
}

/**
 * A directory's dialect: the other side's, else the dev server's, else the one the directory declares, else the one
 * with an embedded engine.
 * @throws ConfigError when the dev server's dialect is not the other side's.
 */
function directoryDialect(dir: string, options: SourceOptions, counterpart: Counterpart | undefined, declared: string | undefined): Dialect {
  const dev = devDialect(options);
  const dialect = counterpart
    ? dialectNamed(counterpart.snapshot.dialect)
    : (dev ?? (declared !== undefined ? dialectForProvider(declared) : undefined) ?? embeddedDialect());
  if (options.devUrl && dev !== dialect) {
    throw new ConfigError(
      `--dev-url ${redactUrl(options.devUrl)}: the migrations in ${dir} are compared with ${dialect.label}, so the dev server must be a ${dialect.urlSchemes.map((s) => `${s}://`).join(' or ')} URL`,
      { file: dir },
    );
  }
  return dialect;
}

async function loadDirectory(dir: string, options: SourceOptions, counterpart?: Counterpart): Promise<LoadedSource> {
  devDialect(options);
  const [{ readMigrationDirectory }, { revisionForDirectory }, { readDesired }] = await Promise.all([
    import('../migrations/index.ts'),
    import('../revision/deployed.ts'),
    import('../engine/desired.ts'),
  ]);
  const directory = await readMigrationDirectory(dir, options.dirFormat ? { format: options.dirFormat } : {});
  const dialect = directoryDialect(dir, options, counterpart, directory.provider?.name);
  const revision = revisionForDirectory(directory, counterpart?.revision);
  const where = options.devUrl ? `on ${redactUrl(options.devUrl)}` : 'in the embedded database';
  options.progress?.(`replaying ${directory.files.length} ${directory.format} migration file(s) of ${dir} ${where}`);
  const desired = await readDesired(dialect, {
    directory,
    devUrl: options.devUrl,
    target: dir,
    inspect: {
      target: dir,
      ...(options.schemas ? { schemas: options.schemas } : {}),
      privileges: options.privileges,
      events: eventsFor(dialect, options),
      ...(counterpart ? { counterpart: counterpart.snapshot } : {}),
    },
    revision,
    ...(counterpart?.server ? { live: counterpart.server } : {}),
  });
  return {
    kind: 'directory',
    description: dir,
    directory,
    snapshot: desired.snapshot,
    revision,
    pending: desired.pending,
    unchecked: desired.unchecked,
    warnings: desired.warnings,
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
  try {
    dialectNamed(String(snapshot.dialect));
  } catch (err) {
    throw new ConfigError(`saved schema has dialect ${JSON.stringify(snapshot.dialect)}; expected ${knownNames()}`, { file }, { cause: err });
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
const LOAD_ORDER: Record<SourceKind, number> = { snapshot: 0, database: 1, directory: 2, command: 2 };

/**
 * Loads the two sides of a diff. The side that fixes more is read first and tells the other what it learnt
 * ({@link Counterpart}): a live database's revision table decides how far a migration directory is replayed (later
 * files are pending, not drift), and a dialect whose database is one schema names the second side's after the first.
 * @throws ConfigError when the two sides are URLs of different dialects, or load as snapshots of different dialects.
 */
export async function loadPair(from: SourceArg, to: SourceArg, options: SourceOptions): Promise<{ from: LoadedSource; to: LoadedSource }> {
  const kindOf = (arg: SourceArg): Promise<SourceKind> => (typeof arg === 'string' ? classifySource(arg) : Promise.resolve('command'));
  const [fromKind, toKind] = [await kindOf(from), await kindOf(to)];
  const urlOf = (arg: SourceArg): string | undefined => (typeof arg === 'string' ? arg : undefined);
  const [fromDialect, toDialect] = [dialectForUrl(urlOf(from)), dialectForUrl(urlOf(to))];
  if (fromDialect && toDialect && fromDialect !== toDialect) {
    throw new ConfigError(`cannot compare ${redactUrl(describeArg(from))} with ${redactUrl(describeArg(to))}: both sides must be the same dialect`);
  }
  if (LOAD_ORDER[toKind] < LOAD_ORDER[fromKind]) {
    const toSource = await loadSource(to, options, undefined, toKind);
    return { from: await loadSource(from, options, counterpartOf(toSource), fromKind), to: toSource };
  }
  const fromSource = await loadSource(from, options, undefined, fromKind);
  return { from: fromSource, to: await loadSource(to, options, counterpartOf(fromSource), toKind) };
}

/** What a loaded side tells the other (a directory tells nothing: two directories replay independently). */
export function counterpartOf(source: LoadedSource): Counterpart | undefined {
  if (source.kind === 'directory' || source.kind === 'command') return undefined;
  return {
    snapshot: source.snapshot,
    revision: source.kind === 'database' ? (source.revision ?? null) : null,
    // A saved schema names its flavour but not the server it was read from.
    server: source.server ?? { flavor: source.snapshot.source.flavor },
  };
}
