/**
 * The `schema-drift` command line.
 *
 * Exit codes follow diff(1): 0 no differences, 1 differences, 2 trouble. An error is one line naming the target, file,
 * line and cause; `--verbose` adds the stack and the chain of causes.
 *
 * A command imports what it runs when it runs (`import()` in its action): `inspect` of a URL loads neither the agent
 * (express, OpenTelemetry, pino) nor the migration readers nor PGlite, so it reaches its first query sooner.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { parseDuration } from '../config/duration.ts';
import { FILTER_KINDS, filterSnapshot, mergeExcludes, type FilterKind, type ObjectFilter } from '../core/diff/filter.ts';
import { ConfigError, SchemaDriftError } from '../core/errors.ts';
import { maskUrlCredentials } from '../core/mask.ts';
import type { Change } from '../core/model/change.ts';
import { countByAction } from '../core/render/text.ts';
import type { Comparison, CompareRequest } from '../engine/compare.ts';
import type { Dialect } from '../dialects/dialect.ts';
import { MIGRATION_FORMATS, type MigrationFile, type MigrationFormat } from '../migrations/types.ts';
import type { RevisionState } from '../revision/revision-state.ts';
import { VERSION } from '../version.ts';
import { keepYoungGenerationSmall } from './heap.ts';
import { type CliIo, processIo, revisionText } from './io.ts';
import type { LoadedSource, SourceArg, SourceOptions } from './sources.ts';

interface CommonOptions {
  schema?: string[];
  exclude?: string[];
  devUrl?: string;
  privileges?: boolean;
  events?: boolean;
  passwordFile?: string;
  statementTimeout?: string;
  verbose?: boolean;
  dirFormat?: MigrationFormat;
}

export type { CliIo } from './io.ts';

/** Parses `kind:glob` exclude rules into a filter, naming the bad rule when one is malformed. */
export function parseFilter(schemas: string[] | undefined, excludes: string[] | undefined): ObjectFilter {
  const exclude: Partial<Record<FilterKind, string[]>> = {};
  for (const rule of excludes ?? []) {
    const colon = rule.indexOf(':');
    const kind = rule.slice(0, colon) as FilterKind;
    const glob = rule.slice(colon + 1);
    if (colon < 1 || !glob || !(FILTER_KINDS as readonly string[]).includes(kind)) {
      throw new ConfigError(
        `--exclude ${JSON.stringify(rule)}: expected KIND:GLOB with KIND one of ${FILTER_KINDS.join(', ')}`,
      );
    }
    (exclude[kind] ??= []).push(glob);
  }
  return { ...(schemas?.length ? { schemas } : {}), exclude };
}

function sourceOptions(options: CommonOptions, io: CliIo): SourceOptions {
  let statementTimeoutMs: number | undefined;
  if (options.statementTimeout !== undefined) {
    statementTimeoutMs = Number(options.statementTimeout);
    if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs <= 0) {
      throw new ConfigError(`--statement-timeout ${JSON.stringify(options.statementTimeout)}: expected milliseconds`);
    }
  }
  return {
    schemas: options.schema,
    privileges: options.privileges,
    devUrl: options.devUrl,
    passwordFile: options.passwordFile,
    statementTimeoutMs,
    events: options.events,
    ...(options.dirFormat ? { dirFormat: options.dirFormat } : {}),
    ...(io.progress ? { progress: (step: string) => io.progress?.(step) } : {}),
  };
}

function addCommonOptions(command: Command): Command {
  return command
    .option('--schema <name...>', 'schemas to read (default: all user schemas)')
    .option('--exclude <kind:glob...>', `objects to leave out, e.g. table:public.audit_* (kinds: ${FILTER_KINDS.join(', ')})`)
    .option(
      '--dev-url <url>',
      'replay migration directories on this server: PostgreSQL instead of the embedded PGlite; MySQL/MariaDB (required, no embedded MySQL)',
    )
    .addOption(
      new Option('--dir-format <format>', 'layout of a migration directory source (default: detected from its files)').choices([
        ...MIGRATION_FORMATS,
      ]),
    )
    .option('--privileges', 'read and compare privileges (ACLs)')
    .option('--events', 'MySQL/MariaDB: read and compare scheduled events (the default there)')
    .option('--no-events', 'MySQL/MariaDB: leave scheduled events out')
    .option('--password-file <file>', 'read the database password from this file')
    .option('--statement-timeout <ms>', 'statement timeout of the read-only session', '30000')
    .option('--verbose', 'print stack traces and causes of errors');
}

/**
 * The revision table a diff was bounded by: a directory side says which one it used (none, when the database's does not
 * speak for it); otherwise the database side's.
 */
function comparedRevision(from: LoadedSource, to: LoadedSource): RevisionState | null {
  for (const side of [to, from]) if (side.kind === 'directory' || side.kind === 'command') return side.revision ?? null;
  return from.revision ?? to.revision ?? null;
}

/** The pending migrations of a diff: the directory side's (either side may be the directory). */
function pendingOf(from: LoadedSource, to: LoadedSource): MigrationFile[] {
  return to.pending ?? from.pending ?? [];
}

/** Structured diff output (`--format json`). */
export function diffJson(from: LoadedSource, to: LoadedSource, changes: Change[]): unknown {
  return {
    formatVersion: 1,
    from: from.description,
    to: to.description,
    summary: { total: changes.length, ...countByAction(changes) },
    revision: comparedRevision(from, to),
    pending: pendingOf(from, to).map((file) => ({ version: file.version, path: file.path })),
    // Two directories replayed on one dev server warn about its user twice: once is enough.
    warnings: [...new Set([...from.warnings, ...to.warnings])],
    changes,
  };
}

/** `diff`'s two sides: a source text or a migration command each. */
interface DiffSides {
  from?: string;
  to?: string;
  fromCommand?: string;
  toCommand?: string;
  commandCwd?: string;
  commandTimeout: string;
}

/** `--from` or `--from-command` (or the `to` pair): exactly one of them. */
function sideArg(options: DiffSides, side: 'from' | 'to'): SourceArg {
  const text = options[side];
  const command = side === 'from' ? options.fromCommand : options.toCommand;
  if ((text === undefined) === (command === undefined)) {
    throw new ConfigError(`diff: give exactly one of --${side} and --${side}-command`);
  }
  if (command === undefined) return text as string;
  const timeoutMs = parseDuration(options.commandTimeout);
  if (timeoutMs === null || timeoutMs < 1000 || timeoutMs > 2 ** 31 - 1) {
    throw new ConfigError(`--command-timeout ${JSON.stringify(options.commandTimeout)}: expected a duration from 1s to 24d, e.g. 90s or 5m`);
  }
  return { command, cwd: path.resolve(options.commandCwd ?? '.'), timeoutMs };
}

/** Builds the program; `io` and the returned exit code make it testable in-process. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('schema-drift')
    .description('Schema drift between a database and its migration directory, for PostgreSQL and MySQL/MariaDB.')
    .version(VERSION)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError();

  addCommonOptions(
    program
      .command('inspect')
      .description('read a source and print its schema')
      .argument('<source>', 'postgres:// or mysql:// URL, migration directory, .sql schema file, or saved schema (.json)')
      .addOption(new Option('--format <format>', 'output format').choices(['json', 'sql']).default('json')),
  ).action(async (source: string, options: CommonOptions & { format: 'json' | 'sql' }) => {
    keepYoungGenerationSmall();
    const [{ loadSource }, { withRevisionExcludes }, { dialectNamed }, { writeJson }] = await Promise.all([
      import('./sources.ts'),
      import('../engine/compare.ts'),
      import('../dialects/registry.ts'),
      import('./json-stream.ts'),
    ]);
    const loaded = await loadSource(source, sourceOptions(options, io));
    warn(io, loaded.warnings);
    const snapshot = filterSnapshot(loaded.snapshot, withRevisionExcludes(parseFilter(options.schema, options.exclude)));
    // JSON is written a piece at a time: the text of 10,000 tables is never one string.
    if (options.format === 'json') writeJson(snapshot, io.stdout);
    else io.stdout(dialectNamed(snapshot.dialect).renderDdl(snapshot));
    setExit(0);
  });

  addCommonOptions(
    program
      .command('diff')
      .description('compare two sources; --from is the current state, --to the desired one')
      .option('--from <source>', 'current: postgres:// or mysql:// URL, migration directory, .sql schema file, or saved schema')
      .option('--to <source>', 'desired: postgres:// or mysql:// URL, migration directory, .sql schema file, or saved schema')
      .option('--from-command <command>', 'current: the state a migration command builds in a scratch database (instead of --from)')
      .option('--to-command <command>', 'desired: the state a migration command builds in a scratch database (instead of --to)')
      .option('--command-cwd <dir>', 'working directory of --from-command/--to-command (default: the current one)')
      .option('--command-timeout <duration>', 'kill a --from-command/--to-command after this long, e.g. 90s or 5m', '5m')
      .addOption(
        new Option('--format <format>', 'output format; migration: the drift as the next migration of the --from directory').choices(['text', 'json', 'sql', 'migration']).default('text'),
      )
      .option('--write', 'with --format migration: write the migration into the --from directory (without it: print it)')
      .option('--name <name>', 'with --format migration: the migration\'s name (default: keep_hotfix)')
      .option('--check-column-order', 'report columns whose position differs')
      .option('--ignore-extension-versions', 'do not compare extension versions (compared where the desired side pins one)'),
  ).action(async (options: CommonOptions & DiffSides & MigrationOptions & { format: string; checkColumnOrder?: boolean; ignoreExtensionVersions?: boolean }) => {
    if (options.format !== 'migration' && (options.write || options.name !== undefined)) {
      throw new ConfigError('--write and --name go with --format migration');
    }
    // Refused before anything is read or replayed.
    if (options.format === 'migration') await assertMigrationSides(options);
    keepYoungGenerationSmall();
    const [{ loadPair }, { pairDialect }, { compare, planOf }, { renderChangesText }, { checkStatus }] = await Promise.all([
      import('./sources.ts'),
      import('../dialects/registry.ts'),
      import('../engine/compare.ts'),
      import('../core/render/text.ts'),
      import('../core/report/build.ts'),
    ]);
    const pair = await loadPair(sideArg(options, 'from'), sideArg(options, 'to'), sourceOptions(options, io));
    warn(io, [...pair.from.warnings, ...pair.to.warnings]);
    const dialect = pairDialect(pair.from.snapshot, pair.to.snapshot);
    const request: CompareRequest = {
      current: pair.from.snapshot,
      desired: pair.to.snapshot,
      unchecked: mergeExcludes([pair.from.unchecked ?? {}, pair.to.unchecked ?? {}]),
      filter: parseFilter(options.schema, options.exclude),
      // `--privileges` both reads ACLs (source options) and compares them (the differ's opt-in).
      options: { checkColumnOrder: options.checkColumnOrder, ignoreExtensionVersions: options.ignoreExtensionVersions, checkPrivileges: options.privileges },
    };
    const comparison = compare(dialect, request);
    const { changes } = comparison;
    if (options.format === 'migration') {
      await writeMigrationOutput(io, pair, dialect, { request, comparison }, options);
      setExit(changes.length ? 1 : 0);
      return;
    }
    if (options.format === 'json') io.stdout(`${JSON.stringify(diffJson(pair.from, pair.to, changes), null, 2)}\n`);
    else if (options.format === 'sql') io.stdout(changes.length ? dialect.renderPlanSql(planOf(comparison)) : '');
    else {
      const revision = comparedRevision(pair.from, pair.to);
      if (revision) io.stdout(`${revisionText(revision)}\n\n`);
      io.stdout(renderChangesText(changes, { current: pair.from.description, desired: pair.to.description }));
      const pending = pendingOf(pair.from, pair.to);
      if (pending.length) io.stdout(`\n${pending.length} pending migration(s), not drift: ${pending.map((f) => f.path).join(', ')}\n`);
      // The agent's status, by its precedence (deploying over dirty over drift over pending), so the text says what a
      // report would.
      io.stdout(`\nStatus: ${checkStatus({ deploying: revision?.deploying !== undefined, dirty: revision?.dirty ?? false, changes: changes.length, pending: pending.length })}\n`);
    }
    setExit(changes.length ? 1 : 0);
  });

  program
    .command('serve')
    .description('run the agent: check the configured targets on schedule, serve /metrics and the API (no --config: a demo)')
    .option('--config <file>', 'configuration file (YAML); without it, a demo on embedded databases')
    .option('--port <port>', 'listen on this port instead of the configured one', parsePort)
    .option('--web.config.file <file>', 'web configuration file (Prometheus exporter toolkit format: TLS, basic auth, headers); overrides webConfigFile')
    .option('--verbose', 'print stack traces and causes of errors')
    .action(async (options: { config?: string; port?: number; 'web.config.file'?: string }) => {
      const webConfigFile = options['web.config.file'];
      const { runServe } = await import('../agent/serve.ts');
      setExit(await runServe({ config: options.config, port: options.port, ...(webConfigFile !== undefined ? { webConfigFile } : {}) }, io));
    });

  program
    .command('test-connection')
    .description('connect to each configured target read-only, check catalog access, print version and revision table')
    .requiredOption('--config <file>', 'configuration file (YAML)')
    .option('--target <name>', 'only this target')
    .option('--verbose', 'print stack traces and causes of errors')
    .action(async (options: { config: string; target?: string }) => {
      const [{ loadConfig }, { formatConnectionTest, testConnection }] = await Promise.all([
        import('../config/load.ts'),
        import('../agent/test-connection.ts'),
      ]);
      const config = await loadConfig(options.config);
      const targets = options.target ? config.targets.filter((t) => t.name === options.target) : config.targets;
      if (targets.length === 0) {
        throw new ConfigError(`no target named ${JSON.stringify(options.target)} in ${options.config}`, { file: options.config });
      }
      const results = await Promise.all(targets.map((target) => testConnection(target)));
      for (const result of results) io.stdout(`${formatConnectionTest(result)}\n`);
      setExit(results.every((r) => r.ok) ? 0 : 1);
    });

  program
    .command('demo')
    .description('diff the bundled example migrations against an embedded "production" database that has drifted')
    .option('--verbose', 'print stack traces and causes of errors')
    .action(async () => {
      const { runDemo } = await import('./demo.ts');
      await runDemo(io);
      setExit(0);
    });

  return program;
}

/** `diff --format migration`'s own options. */
interface MigrationOptions {
  write?: boolean;
  name?: string;
}

const MIGRATION_SIDES = '--format migration: --from must be the migration directory and --to the database whose drift it keeps';

/**
 * A saved schema records no revision table: which migrations the database lacks cannot be known, and the new file
 * could follow migrations the hot-fix never saw (the pending check of {@link keepMigration} needs the revision).
 */
function savedSchemaRefusal(file: string): ConfigError {
  return new ConfigError(
    `--format migration: --to ${file} is a saved schema, which records no revision table, so the migrations not deployed on the database cannot be known: give the database's URL instead`,
    { file },
  );
}

async function assertMigrationSides(options: DiffSides): Promise<void> {
  const { classifySource } = await import('./sources.ts');
  const fromKind = options.from === undefined ? 'command' : await classifySource(options.from);
  const toKind = options.to === undefined ? 'command' : await classifySource(options.to);
  if (fromKind !== 'directory' || toKind === 'directory' || toKind === 'command') throw new ConfigError(MIGRATION_SIDES);
  // Saved schemas never carry a revision (counterpartOf): refused before anything is replayed.
  if (toKind === 'snapshot') throw savedSchemaRefusal(options.to as string);
}

/**
 * `diff --format migration`: the drift as the next migration of the `--from` directory (desired → live, the other way
 * from `--format sql`), printed with each file's name, or with `--write` written into the directory and read back.
 */
async function writeMigrationOutput(
  io: CliIo,
  pair: { from: LoadedSource; to: LoadedSource },
  dialect: Dialect,
  { request, comparison }: { request: CompareRequest; comparison: Comparison },
  options: CommonOptions & MigrationOptions,
): Promise<void> {
  const { from, to } = pair;
  if (from.kind !== 'directory' || !from.directory || to.kind === 'directory' || to.kind === 'command') {
    throw new ConfigError(MIGRATION_SIDES);
  }
  if (to.kind === 'snapshot' && !to.revision) throw savedSchemaRefusal(to.description);
  if (comparison.changes.length === 0) {
    io.stderr(`schema-drift: no drift between ${from.description} and ${to.description}: no migration to write\n`);
    return;
  }
  const [{ KEEP_NAME, keepMigration, migrationStatements, reverseComparison }, { writeNextMigration }, { readMigrationDirectory }] = await Promise.all([
    import('../engine/keep.ts'),
    import('../migrations/write-migration.ts'),
    import('../migrations/index.ts'),
  ]);
  const next = await keepMigration({
    directory: from.directory,
    source: to.description,
    // --from is the directory (current), --to the database (desired): the plan is the keep plan already.
    keep: migrationStatements(comparison.plan),
    undo: migrationStatements(reverseComparison(dialect, request).plan),
    revision: from.revision ?? null,
    pending: from.pending ?? [],
    name: options.name ?? KEEP_NAME,
    now: new Date(),
  });
  if (!options.write) {
    for (const file of next.files) io.stdout(`==> ${path.join(from.description, file.path)} <==\n${file.content}\n`);
    io.stderr(`schema-drift: nothing written; add --write to write ${next.files.length} file(s) into ${from.description}\n`);
    return;
  }
  const written = await writeNextMigration(from.description, next);
  // Read back as a check or a replay will: the new file parses and atlas.sum or the journal agree with it.
  await readMigrationDirectory(from.description, { format: from.directory.format });
  for (const file of written) io.stdout(`wrote ${path.join(from.description, file)}\n`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`--port ${JSON.stringify(value)}: expected 0-65535`);
  return port;
}

/** Each warning once (both sides replayed on one dev server give the same one). */
function warn(io: CliIo, warnings: readonly string[]): void {
  for (const warning of new Set(warnings)) io.stderr(`schema-drift: warning: ${warning}\n`);
}

/**
 * Runs the CLI and returns the exit code (0 same, 1 different, 2 trouble). Everything written to stderr (our errors
 * and warnings, commander's usage errors, which quote the arguments) has the credentials of any URL-like text masked:
 * an argument may be a connection string in a form nothing recognised.
 */
export async function main(argv: string[], outerIo: CliIo = processIo): Promise<number> {
  const io: CliIo = {
    stdout: (text) => outerIo.stdout(text),
    stderr: (text) => outerIo.stderr(maskUrlCredentials(text)),
    // Progress lines name sources too: masked like everything else on stderr.
    ...(outerIo.progress ? { progress: (step: string) => outerIo.progress?.(maskUrlCredentials(step)) } : {}),
  };
  let code = 2;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    io.stderr(`schema-drift: ${describeError(err)}\n`);
    if (argv.includes('--verbose')) io.stderr(`${errorChain(err)}\n`);
    return 2;
  }
}

function describeError(err: unknown): string {
  if (err instanceof SchemaDriftError) return err.describe();
  if (err instanceof Error) return `internal error: ${err.message} (run with --verbose for details)`;
  return `internal error: ${String(err)}`;
}

function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let cause: unknown = err; cause; cause = (cause as { cause?: unknown }).cause) {
    parts.push(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
    if (parts.length > 5) break;
  }
  return parts.join('\ncaused by: ');
}
