/**
 * A directory in Atlas's golang-migrate layout (`atlas.sum` beside `<v>_<name>.up.sql` / `.down.sql`) deployed by
 * golang-migrate itself, on the real PostgreSQL, through the agent's check (`runCheck`, format detected) and the CLI
 * (`diff` without `--dir-format`): the layout is detected as Atlas's (no "ambiguous" refusal), atlas.sum is verified,
 * and golang-migrate's `schema_migrations(version, dirty)` bounds the replay: fully deployed is in sync, the last
 * migration not deployed is pending with no changes, a dirty version is `dirty`. `schema_migrations` never reaches a
 * diff or a plan.
 *
 * golang-migrate is emulated as its postgres driver does it (`ensureVersionTable`'s DDL, then per migration: the row
 * set to the version with `dirty = true`, the up file run as one multi-statement query, the row set clean; a failure
 * leaves the row dirty).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { computeAtlasSum, formatAtlasSum } from '../../src/migrations/atlas-sum.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { cli, dialectHarness, scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'atlas-golang-migrate');
const LAST = '20240103080000_order_summary.up.sql';
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';
/** What makes the last migration fail: its index, created by hand first. */
const CONFLICT = 'CREATE INDEX orders_user_id_idx ON orders (user_id)';

type ScenarioName = 'deployed' | 'pending' | 'dirty' | 'hot-fix';

/** golang-migrate's postgres `SetVersion`: the table emptied and the one row written, in a transaction. */
async function setVersion(client: pg.Client, version: string, dirty: boolean): Promise<void> {
  await client.query('BEGIN');
  await client.query('TRUNCATE schema_migrations');
  await client.query('INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)', [version, dirty]);
  await client.query('COMMIT');
}

/** `migrate up N` with golang-migrate's postgres driver; returns the error the failing migration met. */
async function migrateUp(db: TempDatabase, count: number): Promise<Error | undefined> {
  const directory = await readMigrationDirectory(DIR, { format: 'atlas' });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)');
    // golang-migrate applies the versions above the one its row holds.
    const { rows } = await client.query<{ v: string }>('SELECT version::text AS v FROM schema_migrations');
    const current = BigInt(rows[0]?.v ?? '-1');
    for (const file of directory.files.slice(0, count).filter((f) => BigInt(f.version as string) > current)) {
      await setVersion(client, file.version as string, true);
      try {
        await client.query(file.sql);
      } catch (err) {
        return err as Error;
      }
      await setVersion(client, file.version as string, false);
    }
    return undefined;
  } finally {
    await client.end();
  }
}

const SETUPS: Record<ScenarioName, ScenarioSetup> = {
  deployed: (_h, db) => migrateUp(db, 3),
  pending: (_h, db) => migrateUp(db, 2),
  async dirty(_h, db) {
    expect(await migrateUp(db, 2)).toBeUndefined();
    await db.exec(CONFLICT);
    return migrateUp(db, 3);
  },
  async 'hot-fix'(_h, db) {
    const error = await migrateUp(db, 3);
    await db.exec(HOT_FIX);
    return error;
  },
};

describe('Atlas golang-migrate layout deployed by golang-migrate on PostgreSQL', () => {
  const get = scenarioChecks(dialectHarness('postgres'), {
    dir: DIR,
    prefix: 'sdatlasgm',
    target: 'atlas-gm',
    setups: SETUPS,
    diff: { keepFailure: true },
    timeoutMs: 300_000,
  });

  it('detected without --dir-format: in sync at golang-migrate version 3, schema_migrations in no diff or plan', () => {
    const { report, cli: diff, deployError } = get('deployed');
    expect(deployError).toBeUndefined();
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '20240103080000', dirty: false });
    expect(diff.stderr).not.toMatch(/error|ambiguous/i);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending).toEqual([]);
    expect(diff.sql).toBe('');
  });

  it('last migration not deployed: pending, no changes, in agent and CLI', () => {
    const { report, cli: diff } = get('pending');
    expect(report.error).toBeNull();
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.pending.map((p) => p.path)).toEqual([LAST]);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending.map((p) => p.path)).toEqual([LAST]);
  });

  it('a failed migration: golang-migrate leaves its version dirty, and the check says dirty', () => {
    const { report, cli: diff, deployError } = get('dirty');
    expect(deployError).toBeDefined();
    expect(report.status).toBe('dirty');
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '20240103080000', dirty: true, failedVersion: '20240103080000' });
    expect(diff.json.revision).toMatchObject({ tool: 'golang-migrate', dirty: true });
  });

  it('one hot-fix: drift naming it, and no schema_migrations in the reconcile script', () => {
    const { report, cli: diff } = get('hot-fix');
    expect(report.status).toBe('drift');
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra column nickname']);
    expect(report.reconcile.sql).not.toMatch(/schema_migrations/);
    expect(diff.code).toBe(1);
    expect(diff.json.changes).toEqual(report.changes);
    expect(diff.sql).toMatch(/nickname/);
    expect(diff.sql).not.toMatch(/schema_migrations/);
  });
});

/**
 * golang-migrate creates `schema_migrations` before the first migration, and a migration may alter it; deployed by
 * golang-migrate, such a directory in Atlas's layout must replay too (the table is created first, as for golang-migrate
 * directories, and stays out of the diff).
 */
describe('Atlas golang-migrate layout whose migration alters schema_migrations', () => {
  const files: Record<string, string> = {
    '1_users.up.sql': 'CREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL);\n',
    '1_users.down.sql': 'DROP TABLE users;\n',
    '2_note.up.sql': 'ALTER TABLE schema_migrations ADD COLUMN note text;\nCREATE INDEX users_email_idx ON users (email);\n',
    '2_note.down.sql': 'ALTER TABLE schema_migrations DROP COLUMN note;\n',
  };
  let dir = '';
  let db: TempDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sd-atlas-gm-table-'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    const sum = computeAtlasSum(Object.entries(files).map(([name, text]) => ({ name, bytes: Buffer.from(text) })));
    await writeFile(path.join(dir, 'atlas.sum'), formatAtlasSum(sum));
    db = await createTempPgDatabase('sdatlasgmt');
    await db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);\n' +
        `${files['1_users.up.sql']}${files['2_note.up.sql']}INSERT INTO schema_migrations (version, dirty) VALUES (2, false);\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays and is in sync at version 2, through the agent and the CLI', async () => {
    const report = await runCheck(testTarget('atlas-gm-table', db.url, { desired: { dir } }), { cache: new DesiredCache<DesiredSchema>({}) });
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '2', dirty: false });
    const diff = await cli(['diff', '--from', db.url, '--to', dir, '--format', 'json']);
    expect(diff.code).toBe(0);
    expect((JSON.parse(diff.stdout) as { changes: unknown[] }).changes).toEqual([]);
  }, 60_000);
});
