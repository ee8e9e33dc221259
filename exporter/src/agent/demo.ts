/**
 * The agent's demo (`npm start` with no configuration): two embedded PGlite databases deployed from the bundled
 * example migrations by golang-migrate (its `schema_migrations` table says version 4), a `staging` one in sync and a
 * `production` one with the hot-fixes of `examples/drift/production.sql` (a column retyped by hand, an extra index, a
 * dropped check constraint). Checks read them through the same inspector as any database, in a read-only
 * transaction; only the connection is in-process instead of over TCP.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT, type AgentConfig, type TargetConfig } from '../config/types.ts';
import type { DialectName } from '../core/model/schema.ts';
import type { EmbeddedDatabase, LiveSession } from '../dialects/dialect.ts';
import { dialectNamed } from '../dialects/registry.ts';
import { readMigrationDirectory, type MigrationDirectory } from '../migrations/index.ts';

/** The demo listens on loopback only: its databases are made up, but its API can start checks. */
export const DEMO_HOST = '127.0.0.1';
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
/** The bundled example migration directory (golang-migrate layout). */
export const EXAMPLE_MIGRATIONS = join(EXAMPLES, 'migrations');
/** The hand-typed hot-fixes of the demo's "production". */
export const PRODUCTION_DRIFT = join(EXAMPLES, 'drift', 'production.sql');

/** A running demo: the configuration to serve, and in-process sessions on its embedded databases. */
export interface DemoEnvironment {
  readonly config: AgentConfig;
  /** Opens a read-only session on a demo target's embedded database. */
  openSession(target: TargetConfig): Promise<LiveSession>;
  /** Closes the databases and removes the demo's data directory. */
  close(): Promise<void>;
}

/**
 * An embedded database deployed from `directory` (the bundled migrations, already read) the way golang-migrate
 * leaves one (its `schema_migrations` at the last version), then `drift` (hand-typed hot-fixes) when given. Shared
 * with the CLI's `demo`.
 */
export async function deployDemoDatabase(directory: MigrationDirectory, drift: string | null): Promise<EmbeddedDatabase> {
  const dialect = dialectNamed(DEMO_DIALECT);
  const db = await createEmbedded();
  for (const statement of dialect.revisionTableDdl('golang-migrate')) await db.exec(statement);
  for (const file of directory.files) await db.exec(file.sql);
  await db.query('INSERT INTO schema_migrations (version, dirty) VALUES ($1, false)', [directory.files.at(-1)?.version ?? '0']);
  if (drift) await db.exec(drift);
  return db;
}

/** The bundled examples are PostgreSQL: the demo's databases are embedded PGlite, nothing to install, no server. */
export const DEMO_DIALECT: DialectName = 'postgres';

function createEmbedded(): Promise<EmbeddedDatabase> {
  const { embedded, label } = dialectNamed(DEMO_DIALECT);
  if (!embedded) throw new Error(`${label} has no embedded engine`);
  return embedded.create();
}

function demoTarget(name: string, environment: string): TargetConfig {
  const url = `pglite://demo/${name}`;
  return {
    name,
    dialect: DEMO_DIALECT,
    url,
    displayUrl: url,
    desired: { dir: EXAMPLE_MIGRATIONS },
    exclude: {},
    // Every five minutes, so the demo shows checks coming in.
    schedule: '*/5 * * * *',
    labels: { environment },
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
    checkTimeoutMs: 120_000,
    // No watch: nobody else can change an in-process database, and it takes one session at a time.
    watchMs: 0,
    deployingRetryMs: 15_000,
    deployingLimitMs: 1_800_000,
    checkColumnOrder: false,
    ignoreExtensionVersions: false,
    privileges: false,
  };
}

/** Builds the demo databases and its configuration. `port` 0 picks a free port (tests). */
export async function createDemoEnvironment(options: { port?: number; host?: string } = {}): Promise<DemoEnvironment> {
  const drift = await readFile(PRODUCTION_DRIFT, 'utf8');
  const directory = await readMigrationDirectory(EXAMPLE_MIGRATIONS);
  const databases = new Map<string, EmbeddedDatabase>([
    ['production', await deployDemoDatabase(directory, drift)],
    ['staging', await deployDemoDatabase(directory, null)],
  ]);
  const dataDir = await mkdtemp(join(tmpdir(), 'schema-drift-demo-'));
  const config: AgentConfig = {
    file: null,
    listen: { host: options.host ?? DEMO_HOST, port: options.port ?? DEFAULT_PORT },
    dataDir,
    concurrency: 2,
    retention: { maxAgeDays: 1, maxReportsPerTarget: 100 },
    retry: { attempts: 1, initialDelayMs: 1_000, maxDelayMs: 1_000 },
    logLevel: 'info',
    labelNames: ['environment'],
    targets: [demoTarget('production', 'production'), demoTarget('staging', 'staging')],
  };
  return {
    config,
    async openSession(target) {
      const db = databases.get(target.name);
      if (!db) throw new Error(`no demo database for target ${JSON.stringify(target.name)}`);
      return db.session();
    },
    async close() {
      await Promise.all([...databases.values()].map((db) => db.close().catch(() => {})));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
