/**
 * Scratch databases for replaying a migration directory: a fresh in-memory PGlite (the default), or a temporary
 * database on a real server (`--dev-url`) that is dropped again on every path, failures included.
 */
import type { Extension } from '@electric-sql/pglite';
import pg from 'pg';
import { isStaleScratch, SCRATCH_DATABASE_PREFIX, scratchDatabaseName } from '../../connection/scratch-names.ts';
import { settledWithin } from '../../connection/deadline.ts';
import { redactUrl, toPostgresError } from './connect.ts';
import type { Queryable } from './queryable.ts';
import { copyTemplate, discardTemplate, ensureTemplate, removeRunDir, runDirFor } from './pglite-template.ts';
import { quoteIdent } from './quote.ts';
import type { PgliteStart } from './replay-types.ts';

/** A database to replay into. */
export interface ScratchDatabase {
  readonly engine: 'pglite' | 'server';
  /** For `inspectPostgres`. */
  readonly db: Queryable;
  /** `18.6 (PGlite 0.5.16)` or the server's `server_version`. */
  readonly serverVersion: string;
  readonly serverMajor: number;
  /** The temporary database's URL (dev server only), for a client of its own: a migration command. Secret. */
  readonly url?: string;
  /** Runs SQL with the simple query protocol: several statements in one string, no parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Stops the statement in progress (dev server: `pg_cancel_backend` from the admin connection, then the temporary
   * database dropped at once `WITH (FORCE)`, which ends the session); a no-op for PGlite. Never throws.
   */
  cancel(): Promise<void>;
  /** Closes the instance, or drops the temporary database. Safe to call twice; never throws for PGlite. */
  close(): Promise<void>;
}

/** Prefix of temporary databases on a dev server; a leftover one is safe to drop. */
export const POSTGRES_TEMP_DATABASE_PREFIX = SCRATCH_DATABASE_PREFIX;

// Every contrib extension PGlite 0.5.16 ships (dist/contrib). Passing them costs nothing at start-up: PGlite only
// unpacks an extension's bundle when CREATE EXTENSION asks for it.
const CONTRIB: Record<string, () => Promise<Extension>> = {
  amcheck: async () => (await import('@electric-sql/pglite/contrib/amcheck')).amcheck,
  auto_explain: async () => (await import('@electric-sql/pglite/contrib/auto_explain')).auto_explain,
  bloom: async () => (await import('@electric-sql/pglite/contrib/bloom')).bloom,
  btree_gin: async () => (await import('@electric-sql/pglite/contrib/btree_gin')).btree_gin,
  btree_gist: async () => (await import('@electric-sql/pglite/contrib/btree_gist')).btree_gist,
  citext: async () => (await import('@electric-sql/pglite/contrib/citext')).citext,
  cube: async () => (await import('@electric-sql/pglite/contrib/cube')).cube,
  dict_int: async () => (await import('@electric-sql/pglite/contrib/dict_int')).dict_int,
  dict_xsyn: async () => (await import('@electric-sql/pglite/contrib/dict_xsyn')).dict_xsyn,
  earthdistance: async () => (await import('@electric-sql/pglite/contrib/earthdistance')).earthdistance,
  file_fdw: async () => (await import('@electric-sql/pglite/contrib/file_fdw')).file_fdw,
  fuzzystrmatch: async () => (await import('@electric-sql/pglite/contrib/fuzzystrmatch')).fuzzystrmatch,
  hstore: async () => (await import('@electric-sql/pglite/contrib/hstore')).hstore,
  intarray: async () => (await import('@electric-sql/pglite/contrib/intarray')).intarray,
  isn: async () => (await import('@electric-sql/pglite/contrib/isn')).isn,
  lo: async () => (await import('@electric-sql/pglite/contrib/lo')).lo,
  ltree: async () => (await import('@electric-sql/pglite/contrib/ltree')).ltree,
  moddatetime: async () => (await import('@electric-sql/pglite/contrib/moddatetime')).moddatetime,
  pageinspect: async () => (await import('@electric-sql/pglite/contrib/pageinspect')).pageinspect,
  pg_buffercache: async () => (await import('@electric-sql/pglite/contrib/pg_buffercache')).pg_buffercache,
  pg_freespacemap: async () => (await import('@electric-sql/pglite/contrib/pg_freespacemap')).pg_freespacemap,
  pg_stat_statements: async () => (await import('@electric-sql/pglite/contrib/pg_stat_statements')).pg_stat_statements,
  pg_surgery: async () => (await import('@electric-sql/pglite/contrib/pg_surgery')).pg_surgery,
  pg_trgm: async () => (await import('@electric-sql/pglite/contrib/pg_trgm')).pg_trgm,
  pg_visibility: async () => (await import('@electric-sql/pglite/contrib/pg_visibility')).pg_visibility,
  pg_walinspect: async () => (await import('@electric-sql/pglite/contrib/pg_walinspect')).pg_walinspect,
  pgcrypto: async () => (await import('@electric-sql/pglite/contrib/pgcrypto')).pgcrypto,
  seg: async () => (await import('@electric-sql/pglite/contrib/seg')).seg,
  tablefunc: async () => (await import('@electric-sql/pglite/contrib/tablefunc')).tablefunc,
  tcn: async () => (await import('@electric-sql/pglite/contrib/tcn')).tcn,
  tsm_system_rows: async () => (await import('@electric-sql/pglite/contrib/tsm_system_rows')).tsm_system_rows,
  tsm_system_time: async () => (await import('@electric-sql/pglite/contrib/tsm_system_time')).tsm_system_time,
  unaccent: async () => (await import('@electric-sql/pglite/contrib/unaccent')).unaccent,
  uuid_ossp: async () => (await import('@electric-sql/pglite/contrib/uuid_ossp')).uuid_ossp,
};

async function loadContrib(): Promise<Record<string, Extension>> {
  const entries = await Promise.all(Object.entries(CONTRIB).map(async ([name, load]) => [name, await load()] as const));
  return Object.fromEntries(entries);
}

interface VersionRow {
  version: string;
  num: number;
  full: string;
}

const VERSION_SQL = `SELECT current_setting('server_version') AS version,
  current_setting('server_version_num')::int4 AS num, version() AS full`;

/** The installed package's version is read once per process: it is part of every embedded replay's cache key. */
let installedPglite: Promise<string> | undefined;

/** The version of the installed PGlite package, e.g. `0.5.16`, read without starting an instance. */
export function pgliteVersion(): Promise<string> {
  installedPglite ??= readPgliteVersion().catch((err: unknown) => {
    installedPglite = undefined;
    throw err;
  });
  return installedPglite;
}

async function readPgliteVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const { dirname, join } = await import('node:path');
  // The package's exports hide package.json; its entry point sits in dist/, one level below it.
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * PGlite's start parameters with a small buffer pool. Its data files are already in memory (Emscripten's MEMFS) or in
 * the kernel's page cache (a data directory on disk), so PostgreSQL's default 128 MB of shared buffers only holds a
 * second copy of pages that are cached anyway; 16 MB keeps a replay's peak RSS down (BENCH.md, "Embedded replay
 * memory").
 */
function startParams(defaults: readonly string[]): string[] {
  return [...defaults, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
}

/** PGlite's buffer pool (see {@link startParams}). */
export const PGLITE_SHARED_BUFFERS = '16MB';

/**
 * A fresh PGlite with every contrib extension available. With `start.templateDir` its data directory is a copy of that
 * saved, initialised one, on disk (`pglite-template.ts`: ~1 s instead of ~4 s, and no data file in memory); the
 * template is made first when missing. Without it, an in-memory instance runs initdb.
 */
export async function openPgliteScratch(start: PgliteStart = {}): Promise<ScratchDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const extensions = await loadContrib();
  const params = startParams(PGlite.defaultStartParams);
  let instance: InstanceType<typeof PGlite> | undefined;
  let runDir: string | undefined;
  const template = start.templateDir;
  if (template && (await ensureTemplate(template, (into) => PGlite.create({ dataDir: into, startParams: params }).then((db) => db.close())))) {
    runDir = start.runDir ?? runDirFor(template);
    // A copy that failed (disk full, the template discarded meanwhile) says nothing about the template: this replay
    // starts in memory and the template stays.
    const copied = await copyTemplate(template, runDir).then(
      () => true,
      () => false,
    );
    if (copied) {
      try {
        instance = await PGlite.create({ dataDir: runDir, extensions, startParams: params });
      } catch {
        // PGlite refused a whole copy: the template is damaged or foreign, dropped so the next replay makes a new one.
        await discardTemplate(template);
      }
    }
    if (!instance) {
      await removeRunDir(runDir);
      runDir = undefined;
    }
  }
  instance ??= await PGlite.create({ extensions, startParams: params });
  const db = instance;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await db.close().catch(() => {});
    if (runDir) await removeRunDir(runDir);
  };
  try {
    const row = (await db.query<VersionRow>(VERSION_SQL)).rows[0];
    if (!row) throw new Error('PGlite returned no version');
    const pglite = /PGlite ([0-9][^) ]*)/.exec(row.full)?.[1];
    return {
      engine: 'pglite',
      db,
      serverVersion: pglite ? `${row.version} (PGlite ${pglite})` : row.version,
      serverMajor: Math.floor(row.num / 10_000),
      exec: async (sql) => {
        await db.exec(sql);
      },
      // PGlite runs in this thread: a statement in progress cannot be interrupted here. The replay's child process is
      // killed instead (`replay-isolate.ts`).
      cancel: async () => {},
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A new empty database `schema_drift_tmp_<created>_<random>` on the server of `devUrl` (created from template0, so nothing
 * an administrator added to template1 leaks into the desired schema). `close()` drops it.
 */
export async function openServerScratch(devUrl: string, target?: string): Promise<ScratchDatabase> {
  const described = redactUrl(devUrl);
  const admin = await connect(devUrl, target, `connecting to dev database ${described}`);
  const name = scratchDatabaseName();
  let adminVersion: number;
  try {
    adminVersion = await versionNum(admin);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
  } catch (err) {
    await admin.end().catch(() => {});
    throw toPostgresError(err, { target, action: `creating a temporary database on ${described}` });
  }
  await dropStaleScratches(admin, adminVersion);
  const drop = once(() => dropDatabase(admin, name, adminVersion, target));
  let client: pg.Client;
  let row: VersionRow | undefined;
  let pid: number | undefined;
  try {
    client = await connect(withDatabase(devUrl, name), target, `connecting to temporary database ${name}`);
    row = (await client.query<VersionRow>(VERSION_SQL)).rows[0];
    pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  } catch (err) {
    await drop();
    throw toPostgresError(err, { target, action: `connecting to temporary database ${name}` });
  }
  const scratch = client;
  let closing = false;
  return {
    engine: 'server',
    url: withDatabase(devUrl, name),
    db: scratch,
    serverVersion: row?.version ?? 'unknown',
    serverMajor: Math.floor((row?.num ?? 0) / 10_000),
    exec: async (sql) => {
      await scratch.query(sql);
    },
    cancel: async () => {
      if (pid === undefined || closing) return;
      await admin.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
      // The database is dropped at once, not after the replay has wound down: DROP DATABASE ... WITH (FORCE) also ends
      // a statement that started just after the cancel or does not check for interrupts, and a shutdown's time is
      // short (a loaded server can take seconds to drop a database). close() waits for this same drop.
      void drop().catch(() => {});
    },
    close: once(async () => {
      closing = true;
      // A session still busy (its statement cancelled but not yet ended) must not hold up the drop, which ends it.
      if (!(await settledWithin(scratch.end(), CANCEL_GRACE_MS))) destroyClient(scratch);
      await drop();
    }),
  };
}

/** How long a cancelled statement has to end before its session is terminated. */
export const CANCEL_GRACE_MS = 2_000;

/** Drops the client's socket without waiting for the server (which answers only once its statement ends). */
function destroyClient(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

async function connect(url: string, target: string | undefined, action: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'schema-drift replay' });
  // A dropped connection surfaces as the next query's error; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw toPostgresError(err, { target, action });
  }
}

async function versionNum(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ num: number }>(`SELECT current_setting('server_version_num')::int4 AS num`);
  return rows[0]?.num ?? 0;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Drops the temporary databases on this server that a killed process left behind (`isStaleScratch`). Best effort: a
 * leftover that cannot be dropped now (in use, not ours to drop) is tried again by the next replay.
 */
async function dropStaleScratches(admin: pg.Client, serverVersionNum: number): Promise<void> {
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, $1)`,
      [SCRATCH_DATABASE_PREFIX],
    );
    for (const { datname } of rows.filter((r) => isStaleScratch(r.datname))) {
      const force = serverVersionNum >= 130000 ? ' WITH (FORCE)' : '';
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}${force}`).catch(() => {});
    }
  } catch {
    // Listing failed (no access to pg_database?): nothing to sweep this time.
  }
}

async function dropDatabase(admin: pg.Client, name: string, serverVersionNum: number, target?: string): Promise<void> {
  try {
    if (serverVersionNum >= 130000) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } else {
      // Before 13 there is no FORCE: end the sessions a failed migration may have left (dblink, ...), then drop.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        name,
      ]);
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    }
  } catch (err) {
    throw toPostgresError(err, { target, action: `dropping temporary database ${name} (drop it by hand)` });
  } finally {
    await admin.end().catch(() => {});
  }
}
