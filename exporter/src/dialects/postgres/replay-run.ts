/**
 * A replay in this thread: apply a migration directory to a scratch database (`replay-scratch.ts`) and read it back
 * with the same inspector that reads the live database, so a real server normalises both sides.
 *
 * Files run in the directory's order: versioned files up to the deployed version, then Flyway repeatable files.
 * Each file runs as one multi-statement query inside a transaction, as the tools do; a file the tool runs outside a
 * transaction, or one the server refuses to run inside one (SQLSTATE 25001, e.g. CREATE INDEX CONCURRENTLY), runs
 * statement by statement instead. Before the first file runs `setup`: the revision table of a tool that creates it
 * before applying anything (golang-migrate), so a migration altering it replays; no other revision table is made.
 * Schema files (`clientScript`) run as `psql -f` runs them: statement by statement outside a transaction, meta-commands
 * handled by `replay-script.ts`, each file in a fresh session state.
 */
import { type ReplayPosition, replayStoppedError, throwIfStopped } from '../../connection/deadline.ts';
import { type SchemaDriftError, ReplayError } from '../../core/errors.ts';
import { migrationFilePath } from '../../migrations/format-schema.ts';
import { selectFiles } from '../../migrations/select.ts';
import type { MigrationDirectory, MigrationFile } from '../../migrations/types.ts';
import type { ReplayResult } from '../dialect.ts';
import { splitPostgresStatements, type SqlStatement } from './split.ts';
import { toPostgresError } from './connect.ts';
import { inspectPostgres } from './inspect.ts';
import { markUnpinnedExtensions, pinnedExtensionVersions } from './replay-extension-pins.ts';
import { execCreatingRoles, isUnknownSetting, psqlScriptStatements } from './replay-script.ts';
import { openPgliteScratch, openServerScratch, type ScratchDatabase } from './replay-scratch.ts';
import type { PgliteStart, PostgresReplayOptions } from './replay-types.ts';

/** SQLSTATE 25001 active_sql_transaction: "... cannot run inside a transaction block". */
const CANNOT_RUN_IN_TRANSACTION = '25001';

/**
 * Replays `dir` in this thread (what `replayPostgres` does on a dev server, and what the child process runs) and
 * inspects the result. `options.onPosition` hears of every file and statement as it starts (the child forwards them, so a
 * killed child's error still names the file in progress). When `options.signal` aborts, the statement in progress is
 * cancelled (dev server), no further statement starts, the scratch database is dropped and the error says where the
 * replay stopped.
 */
export async function replayInProcess(
  dir: MigrationDirectory,
  options: PostgresReplayOptions,
  pglite: PgliteStart = {},
): Promise<ReplayResult> {
  const { signal, target } = options;
  let position: ReplayPosition = { step: options.devUrl ? 'creating the temporary database' : 'starting the embedded database' };
  const at = (next: ReplayPosition): void => {
    position = next;
    options.onPosition?.(next);
  };
  at(position);
  throwIfStopped(signal, position, target);
  const { applied, pending } = selectFiles(dir.files, options.upToVersion, options.leaveOut);
  const opened = options.devUrl ? await openServerScratch(options.devUrl, target) : await openPgliteScratch(pglite);
  // Once stopped, no statement starts (a rollback or a diagnosis after the cancelled one included).
  const scratch: ScratchDatabase = {
    ...opened,
    exec: async (sql) => {
      if (signal?.aborted) throw replayStoppedError(signal.reason, position, target);
      await opened.exec(sql);
    },
  };
  const onAbort = (): void => void opened.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfStopped(signal, position, target);
    at({ step: "creating the migration tool's revision table" });
    for (const sql of options.setup ?? []) await runSetup(scratch, dir, sql, target);
    const ran: SqlStatement[] = [];
    for (const [index, file] of applied.entries()) {
      at({ step: 'applying', file: migrationFilePath(dir, file), line: file.startLine });
      // psql runs each schema file in a session of its own: one file's `SET search_path = ''` must not leak into the next.
      if (file.clientScript && index > 0) await scratch.exec('RESET ALL; RESET SESSION AUTHORIZATION');
      const statements = file.clientScript ? psqlScriptStatements(dir, file, target) : statementsOf(file);
      await applyFile(scratch, dir, file, statements, target, at);
      ran.push(...statements);
    }
    at({ step: 'reading the replayed schema back' });
    const inspected = await inspectPostgres(scratch.db, {
      ...options.inspect,
      target,
      source: {
        description: dir.dir,
        serverVersion: scratch.serverVersion,
        serverMajor: scratch.serverMajor,
        flavor: scratch.engine === 'pglite' ? 'pglite' : 'postgresql',
      },
    });
    throwIfStopped(signal, position, target);
    await scratch.close();
    return {
      snapshot: markUnpinnedExtensions(inspected, pinnedExtensionVersions(ran)),
      applied,
      pending,
      engine: scratch.engine,
      serverVersion: scratch.serverVersion,
    };
  } catch (err) {
    // The replay's own error wins over a failing cleanup; close() is idempotent, so a failed close is not retried.
    await scratch.close().catch(() => {});
    // Whatever the cancelled statement threw, the cause is the stop.
    if (signal?.aborted) throw replayStoppedError(signal.reason, position, target);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One setup statement (the tool's revision table): its failure names the directory, not a migration file. */
async function runSetup(scratch: ScratchDatabase, dir: MigrationDirectory, sql: string, target?: string): Promise<void> {
  try {
    await scratch.exec(sql);
  } catch (err) {
    throw toPostgresError(err, { target, file: dir.dir, action: `creating the migration tool's revision table before the first ${dir.format} migration` });
  }
}

/** Applies one file; `statements` are its statements as split for this replay (used when it runs statement by statement). */
async function applyFile(
  scratch: ScratchDatabase,
  dir: MigrationDirectory,
  file: MigrationFile,
  statements: readonly SqlStatement[],
  target: string | undefined,
  at: (position: ReplayPosition) => void,
): Promise<void> {
  if (file.transaction) {
    const failure = await runInTransaction(scratch, file.sql);
    if (!failure) return;
    if (sqlState(failure) !== CANNOT_RUN_IN_TRANSACTION) {
      throw fileFailure(dir, file, failure, await locateFailure(scratch, file, failure), target);
    }
  }
  // A schema file runs as psql runs it: statement by statement, each committing on its own, so a dump of thousands of
  // tables never holds all their locks at once (one transaction runs out of PGlite's lock table).
  const createRoles = file.clientScript && scratch.engine === 'pglite';
  const path = migrationFilePath(dir, file);
  // Lines counted on from the previous statement: a dump of thousands of statements is not rescanned for each.
  let counted = { offset: 0, line: file.startLine };
  for (const statement of statements) {
    if (statement.offset >= counted.offset) {
      counted = { offset: statement.offset, line: counted.line + countNewlinesBetween(file.sql, counted.offset, statement.offset) };
    }
    at({ step: 'applying', file: path, line: counted.line });
    try {
      await (createRoles ? execCreatingRoles(scratch.exec, statement.sql) : scratch.exec(statement.sql));
    } catch (err) {
      if (file.clientScript && isUnknownSetting(statement.sql, err)) continue;
      throw fileFailure(dir, file, err, { statement, error: err }, target);
    }
  }
}

/** The tool's own statement boundaries when it has them (drizzle-kit's breakpoints), else the file split here. */
function statementsOf(file: MigrationFile): readonly SqlStatement[] {
  return file.statements ?? splitPostgresStatements(file.sql);
}

/** Runs `sql` between BEGIN and COMMIT; returns the error instead of throwing, after rolling back. */
async function runInTransaction(scratch: ScratchDatabase, sql: string): Promise<unknown> {
  try {
    await scratch.exec('BEGIN');
    await scratch.exec(sql);
    await scratch.exec('COMMIT');
    return undefined;
  } catch (err) {
    await scratch.exec('ROLLBACK').catch(() => {});
    return err;
  }
}

interface Located {
  /** The failing statement, when known. */
  readonly statement?: SqlStatement;
  /** The error whose `position` refers to `statement` (or, without a statement, to the whole file). */
  readonly error: unknown;
}

/**
 * Finds the failing statement of a file that failed as one query. A server error with a position already says
 * where; one without (e.g. "relation already exists") gets the file replayed once more statement by statement, in
 * a transaction that is rolled back, to see which statement fails.
 */
async function locateFailure(scratch: ScratchDatabase, file: MigrationFile, failure: unknown): Promise<Located> {
  if (errorPosition(failure) !== undefined || isConnectionError(failure)) return { error: failure };
  try {
    await scratch.exec('BEGIN');
    for (const statement of statementsOf(file)) {
      try {
        await scratch.exec(statement.sql);
      } catch (err) {
        return { statement, error: err };
      }
    }
  } catch {
    // The diagnosis is best effort; the original error is reported either way.
  } finally {
    await scratch.exec('ROLLBACK').catch(() => {});
  }
  return { error: failure };
}

function fileFailure(dir: MigrationDirectory, file: MigrationFile, failure: unknown, at: Located, target?: string): SchemaDriftError {
  const context = { target, file: migrationFilePath(dir, file), line: failureLine(file, at) };
  if (isConnectionError(failure)) return toPostgresError(failure, { ...context, action: 'replaying migrations' });
  const message = failure instanceof Error ? (failure.message.split('\n')[0] ?? failure.message) : String(failure);
  return new ReplayError(message, context, { cause: failure });
}

/** 1-based line in the migration file: the error's position, else the failing statement's start, else the SQL start. */
function failureLine(file: MigrationFile, at: Located): number {
  const base = at.statement?.offset ?? 0;
  const text = at.statement?.sql ?? file.sql;
  const position = errorPosition(at.error);
  let offset: number;
  if (position !== undefined) offset = base + utf16Index(text, position - 1);
  else if (at.statement) offset = at.statement.offset;
  else offset = leadingWhitespace(file.sql);
  return file.startLine + countNewlines(file.sql, offset);
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Connection loss and server shutdown are not the migration's fault. */
function isConnectionError(err: unknown): boolean {
  const code = sqlState(err);
  if (code === undefined) return !(err instanceof Error) || /connection|terminated/i.test(err.message);
  return code.startsWith('08') || code.startsWith('57P') || !/^[0-9A-Z]{5}$/.test(code);
}

/** The server's `position`: 1-based, counted in characters (code points), sent as a string. */
function errorPosition(err: unknown): number | undefined {
  const raw = (err as { position?: unknown } | null)?.position;
  const value = typeof raw === 'string' ? Number.parseInt(raw, 10) : typeof raw === 'number' ? raw : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** JavaScript index of the `chars`-th code point of `text` (the server counts characters, JS counts UTF-16 units). */
function utf16Index(text: string, chars: number): number {
  let index = 0;
  for (let seen = 0; seen < chars && index < text.length; seen++) {
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}

function leadingWhitespace(text: string): number {
  return text.length - text.trimStart().length;
}

function countNewlinesBetween(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', start); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
