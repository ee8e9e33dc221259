/**
 * The desired side built by the team's own migration command (`desired.command`, `--to-command`): an empty scratch
 * database is opened (`Dialect.openScratch`: PGlite served on a loopback port, or a temporary database on a dev
 * server), the command runs against it (`command-run.ts`), and the result is read back with the same inspector and
 * revision-table reader as a live database, through a read-only session on the scratch database's URL.
 *
 * Revision awareness: when the target's revision table records a deployed version and the command has a
 * `{{version}}` placeholder, the command runs with that version, so the desired state stops where the target does;
 * the command then runs once more on the same scratch database with the placeholder empty (to the latest), and the
 * versions that run adds are pending. Without the placeholder, the versions the scratch database has and the target's
 * table does not are reported as pending, and a warning says that what they change shows as drift.
 *
 * Unlike a directory replay, nothing here knows the migrations' files: a migrator's own revision table is what says
 * which versions exist, read with the dialect's `readRevision` (tools it knows: node-pg-migrate, Prisma, drizzle,
 * goose, golang-migrate/dbmate, Flyway, Atlas, Sqitch). The code-first migrators' bookkeeping tables (Knex, Kysely,
 * Django, Rails, Alembic, MikroORM, Sequelize) are excluded from the diff here, since their contents are not read.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../core/errors.ts';
import type { FilterKind } from '../core/diff/filter.ts';
import { withUnpinnedExtensionVersions } from '../core/model/schema.ts';
import type { Dialect, LiveSession, ScratchServer } from '../dialects/dialect.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { commandEnvironment, describeCommand, runCommand } from './command-run.ts';
import { hashCommandInputs } from './command-inputs.ts';
import { cachedOrBuilt, devServerRiskWarnings, type DesiredRequest, type DesiredSchema, type DesiredSide } from './desired.ts';

/** The placeholder replaced by the target's deployed version. */
export const VERSION_PLACEHOLDER = '{{version}}';
/** The environment variable holding the same version (empty on the run to the latest). */
export const VERSION_VARIABLE = 'SCHEMA_DRIFT_VERSION';

/** A migration command as the engine runs it (the configuration's `DesiredCommandConfig` is one). */
export interface CommandSource {
  readonly command: string | readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Globs under `cwd` whose files key the cache; empty: never cached. */
  readonly inputs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * What to run, where, and what is known of the database it will be compared with: a replay's request
 * (`DesiredRequest`, with `devUrl` the dev server for the scratch database) with the command instead of a directory.
 */
export interface CommandDesiredRequest extends Omit<DesiredRequest, 'directory'> {
  readonly source: CommandSource;
  /** Kills the command when aborted (the agent's check time limit and stop). */
  readonly signal?: AbortSignal;
}

/**
 * Bookkeeping tables of code-first migrators, whose rows are not read: left out of every comparison with a command
 * source. TypeORM's default `migrations` is too common a name to hide: exclude it yourself (README).
 */
export const CODE_MIGRATOR_EXCLUDES: Readonly<Partial<Record<FilterKind, string[]>>> = {
  table: [
    '*.django_migrations',
    '*.ar_internal_metadata',
    '*.alembic_version',
    '*.mikro_orm_migrations',
    '*.SequelizeMeta',
  ],
  sequence: [
    '*.django_migrations_id_seq',
    '*.mikro_orm_migrations_id_seq',
  ],
};

/**
 * Builds (or takes from the cache) the desired schema by running the command against a scratch database.
 * @throws ConfigError for `{{version}}` when the target records no deployed version; the command's errors
 *   (`command-run.ts`) naming the target and the command; the dialect's errors for the scratch database.
 */
export async function readDesiredFromCommand(dialect: Dialect, request: CommandDesiredRequest): Promise<DesiredSide> {
  const { source } = request;
  const templated = hasPlaceholder(source.command);
  const deployed = request.revision?.version ?? null;
  if (templated && deployed === null) {
    throw new ConfigError(
      `the migration command ${JSON.stringify(describeCommand(source.command))} takes ${VERSION_PLACEHOLDER}, but the target's database records no deployed version (no revision table schema-drift reads, or nothing deployed)`,
      { target: request.target },
    );
  }
  const command = templated && deployed !== null ? withVersion(source.command, deployed) : source.command;
  const build = (): Promise<DesiredSchema> =>
    buildDesired(dialect, request, command, templated ? withVersion(source.command, '') : undefined, templated ? (deployed ?? '') : undefined);

  const { schemas, privileges, events } = request.inspect;
  // Without inputs nothing says when the project changed: every check runs the command.
  const cache = source.inputs.length > 0 ? request.cache : undefined;
  const { value, cached } = await cachedOrBuilt(cache, async () => ({
    // The command line and its environment are part of what it builds, beside the inputs' content.
    directoryHash: `command:${sha256(JSON.stringify([source.command, source.env, source.cwd, await hashCommandInputs(source.cwd, source.inputs, request.target)]))}`,
    upToVersion: templated ? deployed : undefined,
    engine: await dialect.replayIdentity({ devUrl: request.devUrl, target: request.target, inspect: request.inspect }),
    inspect: { schemas, privileges, events },
  }), build);

  const warnings: string[] = await devServerRiskWarnings(dialect, request);
  const pending = pendingOf(value, request.revision ?? null, templated, warnings);
  if (request.live) warnings.push(...dialect.versionWarnings({ engine: value.engine, source: value.snapshot.source }, request.live));
  request.progress?.warnings.push(...warnings);
  return {
    // The command's statements are not read, so no version it installed is known to be asked for.
    snapshot: withUnpinnedExtensionVersions(value.snapshot),
    pending: pending.map(pendingFile),
    unchecked: { ...CODE_MIGRATOR_EXCLUDES },
    warnings,
    replay: { engine: value.engine, serverVersion: value.serverVersion, cached },
  };
}

/** Opens the scratch database, runs the command, reads the result back, and closes the scratch on every path. */
async function buildDesired(
  dialect: Dialect,
  request: CommandDesiredRequest,
  command: string | readonly string[],
  toLatest: string | readonly string[] | undefined,
  version: string | undefined,
): Promise<DesiredSchema> {
  const { source, target } = request;
  const counterpart = request.inspect.counterpart;
  const scratch = await dialect.openScratch({
    devUrl: request.devUrl,
    target,
    ...(counterpart ? { counterpart } : {}),
    ...(request.cacheDir ? { cacheDir: request.cacheDir } : {}),
  });
  try {
    // `{{version}}` is also `SCHEMA_DRIFT_VERSION` in the environment (empty on the run to the latest), for a
    // command that needs it inside double quotes or in a script of its own.
    const run = (line: string | readonly string[], runVersion: string | undefined) =>
      runCommand({
        command: line,
        cwd: source.cwd,
        timeoutMs: source.timeoutMs,
        env: { ...commandEnvironment(source.env, scratch.env), ...(runVersion !== undefined ? { [VERSION_VARIABLE]: runVersion } : {}) },
        target,
        signal: request.signal,
      });
    await run(command, version);
    const { snapshot, revision } = await readScratch(dialect, scratch, request, describeCommand(source.command));
    let pendingVersions: string[] | undefined;
    let pendingError: string | undefined;
    if (toLatest !== undefined) {
      // The same scratch database, on to the latest: what this run adds is what the target has still to deploy. The
      // desired state is already read, so a failure here costs only the pending list (a warning), not the check.
      try {
        await run(toLatest, '');
        const latest = await withSession(dialect, scratch, target, (session) => session.readRevision());
        const have = new Set(revision?.appliedVersions ?? []);
        pendingVersions = (latest?.appliedVersions ?? []).filter((v) => !have.has(v));
      } catch (err) {
        request.signal?.throwIfAborted();
        pendingError = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
      }
    }
    await scratch.close();
    return {
      snapshot,
      engine: scratch.engine,
      serverVersion: scratch.serverVersion,
      command: { revision, ...(pendingVersions ? { pendingVersions } : {}), ...(pendingError ? { pendingError } : {}) },
    };
  } catch (err) {
    // The command's own error wins over a failing cleanup.
    await scratch.close().catch(() => {});
    throw err;
  }
}

async function readScratch(
  dialect: Dialect,
  scratch: ScratchServer,
  request: CommandDesiredRequest,
  description: string,
): Promise<{ snapshot: DesiredSchema['snapshot']; revision: RevisionState | null }> {
  return withSession(dialect, scratch, request.target, async (session) => {
    const snapshot = await session.inspect({ ...request.inspect, target: request.target, description: `command ${description}` });
    return { snapshot, revision: await session.readRevision() };
  });
}

async function withSession<T>(dialect: Dialect, scratch: ScratchServer, target: string | undefined, read: (s: LiveSession) => Promise<T>): Promise<T> {
  const session = await dialect.connect({ url: scratch.url, target, applicationName: 'schema-drift command scratch' });
  try {
    return await read(session);
  } finally {
    await session.close().catch(() => {});
  }
}

/** The versions still to deploy: from the second run with `{{version}}`, else the scratch's table minus the target's. */
function pendingOf(value: DesiredSchema, live: RevisionState | null, templated: boolean, warnings: string[]): string[] {
  if (templated) {
    const failed = value.command?.pendingError;
    if (failed) warnings.push(`pending migrations unknown: the second run of the migration command, to the latest, failed: ${failed}`);
    return [...(value.command?.pendingVersions ?? [])];
  }
  const scratch = value.command?.revision ?? null;
  if (!live || !scratch) return [];
  if (scratch.tool !== live.tool || scratch.table !== live.table) {
    warnings.push(
      `the migration command recorded its migrations in ${scratch.table} (${scratch.tool}) but the target's revision table is ${live.table} (${live.tool}): no pending migrations can be told`,
    );
    return [];
  }
  const deployed = new Set(live.appliedVersions);
  const pending = scratch.appliedVersions.filter((v) => !deployed.has(v));
  if (pending.length > 0) {
    warnings.push(
      `the migration command applied ${pending.length} migration(s) the target has not deployed (${pending.join(', ')}): what they change shows as drift; put ${VERSION_PLACEHOLDER} in the command to build the desired state up to the deployed version`,
    );
  }
  return pending;
}

/** A pending version as the report lists pending migrations (a command source has no files: the version names it). */
function pendingFile(version: string): MigrationFile {
  return { path: version, version, description: version, repeatable: false, sql: '', startLine: 1, transaction: true, sha256: '' };
}

/** The command takes the deployed version: `{{version}}`, or the variable `SCHEMA_DRIFT_VERSION` it is also given as. */
function hasPlaceholder(command: string | readonly string[]): boolean {
  const takes = (text: string) => text.includes(VERSION_PLACEHOLDER) || text.includes(VERSION_VARIABLE);
  return typeof command === 'string' ? takes(command) : command.some(takes);
}

/**
 * The command with `{{version}}` replaced: in a shell line, single-quoted (a version is data, never shell syntax);
 * in an argv list, as it is, and an argument that was only the placeholder is dropped when the version is empty.
 */
export function withVersion(command: string | readonly string[], version: string): string | readonly string[] {
  if (typeof command === 'string') {
    const quoted = version === '' ? '' : `'${version.replaceAll("'", `'\\''`)}'`;
    return command.replaceAll(VERSION_PLACEHOLDER, quoted);
  }
  return command.filter((a) => !(a === VERSION_PLACEHOLDER && version === '')).map((a) => a.replaceAll(VERSION_PLACEHOLDER, version));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
