/**
 * node-pg-migrate SQL directories against databases deployed by node-pg-migrate's rules (`support/node-pg-migrate.ts`)
 * on the real PostgreSQL, through both the agent's check (`runCheck`, format detected) and the CLI's `diff`: fully
 * deployed is in sync and `pgmigrations` (and its id sequence) never shows up in the changes or the reconcile SQL; the
 * last migration not deployed is pending with no changes; a hot-fix is drift naming it. node-pg-migrate records no
 * failure, so a failed run is not `dirty`: it rolls back, and shows as pending plus what the failure was about.
 * node-pg-migrate is PostgreSQL-only: a MySQL/MariaDB target refuses the directory, saying so.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import type { RevisionState } from '../../src/revision/revision-state.ts';
import { cli, dialectHarness, expectHotFixDrift, scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { deployWithNodePgMigrate } from '../support/node-pg-migrate.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'migrations', 'node-pg-migrate');
const LAST = '1704272400000_order-status.sql';
const TOOL_OBJECTS = /pgmigrations/;
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';
/** The type the last migration creates, created by hand first, so node-pg-migrate's run of it fails. */
const CONFLICT = `CREATE TYPE order_status AS ENUM ('pending', 'shipped')`;

type ScenarioName = 'deployed' | 'pending' | 'failed' | 'hot-fix';

async function pgmigrations(db: TempDatabase): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM public.pgmigrations ORDER BY run_on, id')).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

const SETUPS: Record<ScenarioName, ScenarioSetup> = {
  deployed: (_h, db) => deployWithNodePgMigrate(db, DIR, 4),
  pending: (_h, db) => deployWithNodePgMigrate(db, DIR, 3),
  async failed(_h, db) {
    expect(await deployWithNodePgMigrate(db, DIR, 3)).toBeUndefined();
    await db.exec(CONFLICT);
    return deployWithNodePgMigrate(db, DIR, 4);
  },
  async 'hot-fix'(_h, db) {
    const error = await deployWithNodePgMigrate(db, DIR, 4);
    await db.exec(HOT_FIX);
    return error;
  },
};

describe('node-pg-migrate on PostgreSQL', () => {
  const get = scenarioChecks(dialectHarness('postgres'), {
    dir: DIR,
    prefix: 'sdnpm',
    target: 'npm',
    setups: SETUPS,
    /** `pgmigrations` as node-pg-migrate left it. */
    extra: async ({ db }) => ({ rows: await pgmigrations(db) }),
  });

  it('fully deployed: in sync, and no pgmigrations object in the changes or the reconcile SQL', () => {
    const { report, cli: diff, deployError, rows } = get('deployed');
    expect(deployError).toBeUndefined();
    expect(rows).toEqual(['1704110400000_init', '1704186000000_orders', '1704240000000_orders-user-index', '1704272400000_order-status']);
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'node-pg-migrate', table: 'public.pgmigrations', version: '1704272400000_order-status', dirty: false });
    expect(report.reconcile.sql).not.toMatch(TOOL_OBJECTS);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending).toEqual([]);
    expect(diff.json.revision).toMatchObject({ tool: 'node-pg-migrate', version: '1704272400000_order-status', dirty: false });
    expect(diff.sql).toBe('');
  });

  it('last migration not deployed: pending, no changes, the same in agent and CLI', () => {
    const { report, cli: diff, deployError, rows } = get('pending');
    expect(deployError).toBeUndefined();
    expect(rows).toHaveLength(3);
    expect(report.status).toBe('pending');
    expect(report.changes).toEqual([]);
    expect(report.revision).toMatchObject({ tool: 'node-pg-migrate', version: '1704240000000_orders-user-index' });
    expect(report.pending.map((p) => p.path)).toEqual([LAST]);
    expect(diff.code).toBe(0);
    expect(diff.json.changes).toEqual([]);
    expect(diff.json.pending.map((p) => p.path)).toEqual([LAST]);
    expect(diff.json.warnings).toEqual(report.warnings);
  });

  it('one hot-fix: drift naming it, and a reconcile script that touches no pgmigrations object', () => {
    expectHotFixDrift(get('hot-fix'), 'nickname', TOOL_OBJECTS);
  });

  it('failed run: node-pg-migrate records no failure and rolls back, so not dirty: pending plus the conflicting type', () => {
    const { report, cli: diff, deployError, rows } = get('failed');
    expect(deployError?.message).toMatch(/order_status/);
    expect(rows).toHaveLength(3);
    expect(report.revision).toMatchObject({ tool: 'node-pg-migrate', version: '1704240000000_orders-user-index', dirty: false });
    expect(report.status).toBe('drift');
    expect(report.pending.map((p) => p.path)).toEqual([LAST]);
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual(['extra type order_status']);
    expect(diff.json.changes).toEqual(report.changes);
  });
});

describe('node-pg-migrate is PostgreSQL-only', () => {
  it('the CLI refuses a MySQL dev server for it, naming the tool and the dialect', async () => {
    const result = await cli(['inspect', DIR, '--format', 'sql', '--dev-url', 'mysql://u@127.0.0.1:1/x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/node-pg-migrate migrations are for "postgresql" only, but the target's dialect is MySQL\/MariaDB/);
  });

  it('a MySQL target with such a directory fails its check with the same reason', async () => {
    const db = await createTempMysqlDatabase('sdnpm');
    try {
      const target = testTarget('npm-mysql', db.url, { desired: { dir: DIR, devUrl: MYSQL_URL } });
      const report = await runCheck(target, { cache: new DesiredCache<DesiredSchema>({}) });
      expect(report.status).toBe('error');
      expect(report.error?.message).toMatch(/node-pg-migrate migrations are for "postgresql" only/);
    } finally {
      await db.drop();
    }
  }, 60_000);
});

/** The revision state as a check reads it: one read-only session through the dialect contract. */
async function readRevision(dialect: string, url: string): Promise<RevisionState | null> {
  const session = await dialectNamed(dialect).connect({ url });
  try {
    return await session.readRevision();
  } finally {
    await session.close();
  }
}

describe('reading pgmigrations', () => {
  it('PostgreSQL: in its --migrations-schema, the names left after a down, in the runner\'s DDL', async () => {
    const db = await createTempPgDatabase('sdnpmrev');
    try {
      await db.exec(`CREATE SCHEMA app;
        CREATE TABLE "app"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
        INSERT INTO "app"."pgmigrations" (name, run_on) VALUES ('1704110400000_init', NOW()), ('1704186000000_orders', NOW()),
          ('1704240000000_orders-user-index', NOW());
        DELETE FROM "app"."pgmigrations" WHERE name='1704240000000_orders-user-index';`);
      expect(await readRevision('postgres', db.url)).toEqual({
        tool: 'node-pg-migrate',
        table: 'app.pgmigrations',
        version: '1704186000000_orders',
        dirty: false,
        appliedVersions: ['1704110400000_init', '1704186000000_orders'],
      });
    } finally {
      await db.drop();
    }
  });

  it('MySQL/MariaDB: a table named pgmigrations is not node-pg-migrate\'s (PostgreSQL-only), so not read', async () => {
    const db = await createTempMysqlDatabase('sdnpmrev');
    try {
      await db.exec("CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL); INSERT INTO pgmigrations (name, run_on) VALUES ('1_a', NOW());");
      expect(await readRevision('mysql', db.url)).toBeNull();
    } finally {
      await db.drop();
    }
  });
});
