import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationDirectory, MigrationFile } from '../../src/migrations/types.ts';
import { readPostgresRevision } from '../../src/dialects/postgres/revision.ts';
import { pendingMigrations, revisionExcludeFilter, type RevisionState } from '../../src/revision/revision-state.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

// Each tool's table is created with the DDL the tool itself runs on PostgreSQL (Atlas: its Ent schema; Flyway:
// createMetaDataTable.sql; golang-migrate: ensureVersionTable; dbmate: CreateMigrationsTable).
const ATLAS_DDL = `
CREATE SCHEMA "atlas_schema_revisions";
CREATE TABLE "atlas_schema_revisions"."atlas_schema_revisions" ("version" character varying NOT NULL,
  "description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0,
  "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL,
  "error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL, PRIMARY KEY ("version"));
INSERT INTO "atlas_schema_revisions"."atlas_schema_revisions"
  (version, description, type, applied, total, executed_at, execution_time, hash, operator_version)
VALUES ('.atlas_cloud_identifier', '3f1c0a52-6a55-4d0e-9d7e-2f4bbf0e8c11', 2, 0, 0, now(), 0, '', 'Atlas CLI v0.30.0'),
  ('20240101000000', 'init', 2, 2, 2, now(), 1000, 'h1', 'Atlas CLI v0.30.0'),
  ('20240102000000', 'orders', 2, 3, 3, now(), 1000, 'h2', 'Atlas CLI v0.30.0');`;

const FLYWAY_DDL = `
CREATE TABLE "public"."flyway_schema_history" (
  "installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
  "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
  "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
  "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
INSERT INTO "public"."flyway_schema_history"
  (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (1, '0', '<< Flyway Schema Creation >>', 'SCHEMA', '"app"', NULL, 'postgres', 0, true),
  (2, '1', 'init', 'SQL', 'V1__init.sql', 123, 'postgres', 10, true),
  (3, '1.1', 'users', 'SQL', 'V1_1__users.sql', 456, 'postgres', 10, true),
  (4, '2', 'orders', 'SQL', 'V2__orders.sql', 789, 'postgres', 10, true),
  (5, NULL, 'views', 'SQL', 'R__views.sql', 111, 'postgres', 10, true);`;

const GOLANG_MIGRATE_DDL = `CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null);`;
const DBMATE_DDL = `create table if not exists "public"."schema_migrations" (version varchar(255) primary key);`;

interface Case {
  name: string;
  setup: string;
  expected: RevisionState | null;
}

const cases: Case[] = [
  { name: 'no revision table', setup: 'CREATE TABLE public.users (id int)', expected: null },
  {
    name: 'atlas, clean (identifier row skipped)',
    setup: ATLAS_DDL,
    expected: {
      tool: 'atlas',
      table: 'atlas_schema_revisions.atlas_schema_revisions',
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000'],
    },
  },
  {
    name: 'atlas, partially applied with an error',
    setup: `${ATLAS_DDL}
      INSERT INTO atlas_schema_revisions.atlas_schema_revisions
        (version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, operator_version)
      VALUES ('20240103000000', 'bad', 2, 1, 3, now(), 5, 'pq: column "x" does not exist', 'ALTER TABLE t ADD y int', 'h3', 'v');`,
    expected: {
      tool: 'atlas',
      table: 'atlas_schema_revisions.atlas_schema_revisions',
      version: '20240103000000',
      dirty: true,
      failedVersion: '20240103000000',
      error: 'pq: column "x" does not exist',
      appliedVersions: ['20240101000000', '20240102000000', '20240103000000'],
    },
  },
  {
    name: 'atlas, failure marked resolved (type 2|4)',
    setup: `${ATLAS_DDL}
      INSERT INTO atlas_schema_revisions.atlas_schema_revisions
        (version, description, type, applied, total, executed_at, execution_time, error, hash, operator_version)
      VALUES ('20240103000000', 'bad', 6, 1, 3, now(), 5, 'boom', 'h3', 'v');`,
    expected: {
      tool: 'atlas',
      table: 'atlas_schema_revisions.atlas_schema_revisions',
      version: '20240103000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000', '20240103000000'],
    },
  },
  {
    name: 'atlas, table in the URL schema',
    setup: ATLAS_DDL.replaceAll('"atlas_schema_revisions"."atlas_schema_revisions"', 'public.atlas_schema_revisions')
      .replace('CREATE SCHEMA "atlas_schema_revisions";', ''),
    expected: {
      tool: 'atlas',
      table: 'public.atlas_schema_revisions',
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000'],
    },
  },
  {
    name: 'flyway, clean (SCHEMA row and repeatable skipped, numeric order)',
    setup: FLYWAY_DDL,
    expected: {
      tool: 'flyway',
      table: 'public.flyway_schema_history',
      version: '2',
      dirty: false,
      appliedVersions: ['1', '1.1', '2'],
    },
  },
  {
    name: 'flyway, failed migration',
    setup: `${FLYWAY_DDL}
      INSERT INTO public.flyway_schema_history
        (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
      VALUES (6, '10', 'payments', 'SQL', 'V10__payments.sql', 5, 'postgres', 3, false);`,
    expected: {
      tool: 'flyway',
      table: 'public.flyway_schema_history',
      version: '10',
      dirty: true,
      failedVersion: '10',
      appliedVersions: ['1', '1.1', '2'],
    },
  },
  {
    name: 'flyway, baseline then migrations',
    setup: `${FLYWAY_DDL.split('INSERT INTO')[0]}
      INSERT INTO public.flyway_schema_history
        (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
      VALUES (1, '5', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', 0, true),
             (2, '6', 'more', 'SQL', 'V6__more.sql', 1, 'postgres', 1, true);`,
    expected: {
      tool: 'flyway',
      table: 'public.flyway_schema_history',
      version: '6',
      dirty: false,
      appliedVersions: ['5', '6'],
    },
  },
  {
    name: 'golang-migrate, clean',
    setup: `${GOLANG_MIGRATE_DDL} INSERT INTO public.schema_migrations VALUES (20240102000000, false);`,
    expected: {
      tool: 'golang-migrate',
      table: 'public.schema_migrations',
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240102000000'],
    },
  },
  {
    name: 'golang-migrate, dirty',
    setup: `${GOLANG_MIGRATE_DDL} INSERT INTO public.schema_migrations VALUES (3, true);`,
    expected: {
      tool: 'golang-migrate',
      table: 'public.schema_migrations',
      version: '3',
      dirty: true,
      failedVersion: '3',
      appliedVersions: ['3'],
    },
  },
  {
    name: 'golang-migrate, empty after a full down',
    setup: GOLANG_MIGRATE_DDL,
    expected: { tool: 'golang-migrate', table: 'public.schema_migrations', version: null, dirty: false, appliedVersions: [] },
  },
  {
    name: 'dbmate, highest version wins',
    setup: `${DBMATE_DDL} INSERT INTO public.schema_migrations VALUES ('20240101000000'), ('20240201000000'), ('20231231000000');`,
    expected: {
      tool: 'dbmate',
      table: 'public.schema_migrations',
      version: '20240201000000',
      dirty: false,
      appliedVersions: ['20231231000000', '20240101000000', '20240201000000'],
    },
  },
  {
    name: 'dbmate in its own schema, with flyway elsewhere: flyway preferred',
    setup: `CREATE SCHEMA dbmate; ${DBMATE_DDL.replace('"public"', '"dbmate"')}
      INSERT INTO dbmate.schema_migrations VALUES ('1'); ${FLYWAY_DDL}`,
    expected: {
      tool: 'flyway',
      table: 'public.flyway_schema_history',
      version: '2',
      dirty: false,
      appliedVersions: ['1', '1.1', '2'],
    },
  },
];

describe('readPostgresRevision', () => {
  let db: TempDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTempPgDatabase('sdrev');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it.each(cases)('$name', async ({ setup, expected }) => {
    // Every case runs in a transaction that is rolled back, so the cases never see each other's tables.
    await client.query('BEGIN');
    try {
      await client.query(setup);
      expect(await readPostgresRevision(client)).toEqual(expected);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('maps a missing privilege to an error naming the table', async () => {
    await client.query('BEGIN');
    try {
      await client.query(`${DBMATE_DDL} CREATE ROLE sd_rev_reader_${process.pid}; SET LOCAL ROLE sd_rev_reader_${process.pid}`);
      await expect(readPostgresRevision(client, { target: 'prod' })).rejects.toMatchObject({
        name: 'AuthError',
        context: { target: 'prod' },
        message: expect.stringContaining('reading revision table public.schema_migrations'),
      });
    } finally {
      await client.query('ROLLBACK');
    }
  });
});

function file(version: string | null, path: string): MigrationFile {
  return {
    path,
    version,
    description: path,
    repeatable: version === null,
    sql: 'SELECT 1;',
    startLine: 1,
    transaction: true,
    sha256: '',
  };
}

const DIR: MigrationDirectory = {
  dir: 'migrations',
  format: 'flyway',
  files: [file('001', 'V001__a.sql'), file('002', 'V002__b.sql'), file('003', 'V003__c.sql'), file(null, 'R__views.sql')],
  hash: 'x',
};

function state(tool: RevisionState['tool'], version: string | null, appliedVersions: string[]): RevisionState {
  return { tool, table: 'public.t', version, dirty: false, appliedVersions };
}

describe('pendingMigrations', () => {
  const paths = (files: MigrationFile[] | undefined) => files?.map((f) => f.path);

  it.each([
    { name: 'no revision table: replay all, nothing pending', revision: null, upTo: undefined, pending: [] },
    {
      name: 'nothing deployed yet',
      revision: state('dbmate', null, []),
      upTo: null,
      pending: ['V001__a.sql', 'V002__b.sql', 'V003__c.sql'],
    },
    { name: 'middle version', revision: state('flyway', '002', ['001', '002']), upTo: '002', pending: ['V003__c.sql'] },
    { name: 'golang-migrate bigint matches 002', revision: state('golang-migrate', '2', ['2']), upTo: '2', pending: ['V003__c.sql'] },
    { name: 'latest version', revision: state('atlas', '003', ['001', '002', '003']), upTo: '003', pending: [] },
  ])('$name', ({ revision, upTo, pending }) => {
    const result = pendingMigrations(DIR, revision);
    expect(result.upToVersion).toBe(upTo);
    expect(paths(result.pending)).toEqual(pending);
    expect(result.unknownDeployed).toBeUndefined();
    expect(result.notApplied).toBeUndefined();
  });

  it('notes a deployed version the directory does not have', () => {
    const result = pendingMigrations(DIR, state('golang-migrate', '9', ['9']));
    expect(result).toMatchObject({ upToVersion: '9', pending: [], unknownDeployed: '9' });
  });

  it('lists out-of-order files the revision table does not record', () => {
    const result = pendingMigrations(DIR, state('dbmate', '003', ['001', '003']));
    expect(paths(result.notApplied)).toEqual(['V002__b.sql']);
    expect(result.pending).toEqual([]);
  });
});

describe('revisionExcludeFilter', () => {
  it('covers every table read and the Atlas schema', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toEqual(
      expect.arrayContaining(['*.atlas_schema_revisions', '*.flyway_schema_history', '*.schema_migrations']),
    );
    expect(filter.schema).toEqual(['atlas_schema_revisions']);
  });
});
