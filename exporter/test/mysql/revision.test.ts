import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { readMysqlRevision } from '../../src/dialects/mysql/revision.ts';
import type { RevisionState } from '../../src/revision/revision-state.ts';
import { createTempMysqlDatabase, execMysql, type TempDatabase } from '../support/servers.ts';

// Each tool's table is created with the DDL the tool runs on MySQL: Atlas its Ent schema as rendered for MySQL
// (utf8mb4_bin, bigint unsigned type), Flyway mysql/createMetaDataTable.sql, golang-migrate's ensureVersionTable,
// dbmate's CreateMigrationsTable.
const ATLAS_DDL = `
CREATE TABLE \`atlas_schema_revisions\` (\`version\` varchar(255) NOT NULL, \`description\` varchar(255) NOT NULL,
  \`type\` bigint unsigned NOT NULL DEFAULT 2, \`applied\` bigint NOT NULL DEFAULT 0, \`total\` bigint NOT NULL DEFAULT 0,
  \`executed_at\` timestamp NOT NULL, \`execution_time\` bigint NOT NULL, \`error\` longtext NULL,
  \`error_stmt\` longtext NULL, \`hash\` varchar(255) NOT NULL, \`partial_hashes\` json NULL,
  \`operator_version\` varchar(255) NOT NULL, PRIMARY KEY (\`version\`)) CHARSET utf8mb4 COLLATE utf8mb4_bin;`;
const ATLAS_ROW = (version: string, applied: number, total: number, error: string | null, type = 2) =>
  `INSERT INTO atlas_schema_revisions (version, description, type, applied, total, executed_at, execution_time, error, hash, operator_version)
   VALUES ('${version}', 'x', ${type}, ${applied}, ${total}, NOW(), 1000, ${error === null ? 'NULL' : `'${error}'`}, 'h', 'Atlas CLI v0.30.0');`;

const FLYWAY_DDL = `
CREATE TABLE \`flyway_schema_history\` (
    \`installed_rank\` INT NOT NULL,
    \`version\` VARCHAR(50),
    \`description\` VARCHAR(200) NOT NULL,
    \`type\` VARCHAR(20) NOT NULL,
    \`script\` VARCHAR(1000) NOT NULL,
    \`checksum\` INT,
    \`installed_by\` VARCHAR(100) NOT NULL,
    \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    \`execution_time\` INT NOT NULL,
    \`success\` BOOL NOT NULL,
    CONSTRAINT \`flyway_schema_history_pk\` PRIMARY KEY (\`installed_rank\`)
) ENGINE=InnoDB;
CREATE INDEX \`flyway_schema_history_s_idx\` ON \`flyway_schema_history\` (\`success\`);`;
const FLYWAY_ROWS = (rows: [number, string | null, string, string, boolean][]) =>
  rows
    .map(
      ([rank, version, description, type, success]) =>
        `INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
         VALUES (${rank}, ${version === null ? 'NULL' : `'${version}'`}, '${description}', '${type}', 's.sql', 1, 'root', 5, ${success});`,
    )
    .join('\n');

const GOLANG_MIGRATE_DDL = 'CREATE TABLE IF NOT EXISTS `schema_migrations` (version bigint not null primary key, dirty boolean not null);';
const DBMATE_DDL = 'create table if not exists `schema_migrations` (version varchar(128) primary key);';

interface Case {
  readonly name: string;
  readonly setup: string;
  readonly expected: (db: string) => RevisionState | null;
}

const cases: Case[] = [
  { name: 'no revision table', setup: 'CREATE TABLE users (id int);', expected: () => null },
  {
    name: 'atlas, clean (identifier row skipped)',
    setup: ATLAS_DDL + ATLAS_ROW('.atlas_cloud_identifier', 0, 0, null) + ATLAS_ROW('20240101000000', 2, 2, null) + ATLAS_ROW('20240102000000', 3, 3, null),
    expected: (db) => ({
      tool: 'atlas',
      table: `${db}.atlas_schema_revisions`,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240101000000', '20240102000000'],
    }),
  },
  {
    name: 'atlas, failed part-way with an error',
    setup: ATLAS_DDL + ATLAS_ROW('20240101000000', 2, 2, null) + ATLAS_ROW('20240102000000', 1, 3, 'Duplicate column name'),
    expected: (db) => ({
      tool: 'atlas',
      table: `${db}.atlas_schema_revisions`,
      version: '20240102000000',
      dirty: true,
      failedVersion: '20240102000000',
      error: 'Duplicate column name',
      appliedVersions: ['20240101000000', '20240102000000'],
    }),
  },
  {
    name: 'atlas, failure resolved by hand (type 4 bit)',
    setup: ATLAS_DDL + ATLAS_ROW('20240102000000', 1, 3, 'boom', 6),
    expected: (db) => ({
      tool: 'atlas',
      table: `${db}.atlas_schema_revisions`,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240102000000'],
    }),
  },
  {
    name: 'flyway, clean with a repeatable script',
    setup:
      FLYWAY_DDL +
      FLYWAY_ROWS([
        [1, '1', 'init', 'SQL', true],
        [2, '1.1', 'users', 'SQL', true],
        [3, '2', 'orders', 'SQL', true],
        [4, null, 'views', 'SQL', true],
      ]),
    expected: (db) => ({
      tool: 'flyway',
      table: `${db}.flyway_schema_history`,
      version: '2',
      dirty: false,
      appliedVersions: ['1', '1.1', '2'],
    }),
  },
  {
    name: 'flyway, failed migration (MySQL cannot roll back DDL)',
    setup: FLYWAY_DDL + FLYWAY_ROWS([[1, '1', 'init', 'SQL', true], [2, '2', 'orders', 'SQL', false]]),
    expected: (db) => ({
      tool: 'flyway',
      table: `${db}.flyway_schema_history`,
      version: '2',
      dirty: true,
      failedVersion: '2',
      appliedVersions: ['1'],
    }),
  },
  {
    name: 'golang-migrate, clean',
    setup: `${GOLANG_MIGRATE_DDL} INSERT INTO schema_migrations VALUES (20240102000000, false);`,
    expected: (db) => ({
      tool: 'golang-migrate',
      table: `${db}.schema_migrations`,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20240102000000'],
    }),
  },
  {
    name: 'golang-migrate, dirty',
    setup: `${GOLANG_MIGRATE_DDL} INSERT INTO schema_migrations VALUES (3, true);`,
    expected: (db) => ({
      tool: 'golang-migrate',
      table: `${db}.schema_migrations`,
      version: '3',
      dirty: true,
      failedVersion: '3',
      appliedVersions: ['3'],
    }),
  },
  {
    name: 'golang-migrate, first migration failed (version -1)',
    setup: `${GOLANG_MIGRATE_DDL} INSERT INTO schema_migrations VALUES (-1, true);`,
    expected: (db) => ({
      tool: 'golang-migrate',
      table: `${db}.schema_migrations`,
      version: null,
      dirty: true,
      failedVersion: '-1',
      appliedVersions: [],
    }),
  },
  {
    name: 'golang-migrate, empty after a full down',
    setup: GOLANG_MIGRATE_DDL,
    expected: (db) => ({ tool: 'golang-migrate', table: `${db}.schema_migrations`, version: null, dirty: false, appliedVersions: [] }),
  },
  {
    name: 'dbmate',
    setup: `${DBMATE_DDL} INSERT INTO schema_migrations VALUES ('20240102000000'), ('20240101000000'), ('20231231000000');`,
    expected: (db) => ({
      tool: 'dbmate',
      table: `${db}.schema_migrations`,
      version: '20240102000000',
      dirty: false,
      appliedVersions: ['20231231000000', '20240101000000', '20240102000000'],
    }),
  },
  {
    name: 'atlas wins over flyway when both exist',
    setup: FLYWAY_DDL + FLYWAY_ROWS([[1, '1', 'init', 'SQL', true]]) + ATLAS_DDL + ATLAS_ROW('7', 1, 1, null),
    expected: (db) => ({ tool: 'atlas', table: `${db}.atlas_schema_revisions`, version: '7', dirty: false, appliedVersions: ['7'] }),
  },
];

describe('readMysqlRevision', () => {
  let temp: TempDatabase;
  beforeEach(async () => {
    temp = await createTempMysqlDatabase();
  });
  afterEach(async () => {
    await temp?.drop();
  });

  it.each(cases)('$name', async ({ setup, expected }) => {
    await temp.exec(setup);
    const session = await openMysqlSession(temp.url);
    try {
      expect(await readMysqlRevision(session.db, session.database)).toEqual(expected(temp.name));
      // Without a database name it uses the connection's current database.
      expect(await readMysqlRevision(session.db, null)).toEqual(expected(temp.name));
    } finally {
      await session.close();
    }
  });

  it('ignores another database\'s revision table', async () => {
    const other = await createTempMysqlDatabase();
    try {
      await other.exec(`${DBMATE_DDL} INSERT INTO schema_migrations VALUES ('1');`);
      const session = await openMysqlSession(temp.url);
      try {
        expect(await readMysqlRevision(session.db, temp.name)).toBeNull();
        expect(await readMysqlRevision(session.db, other.name)).toMatchObject({ tool: 'dbmate', version: '1' });
      } finally {
        await session.close();
      }
    } finally {
      await other.drop();
    }
  });

  it('reports a broken revision table as an InspectError naming it', async () => {
    await temp.exec('CREATE TABLE flyway_schema_history (installed_rank int);');
    const session = await openMysqlSession(temp.url, { target: 'prod' });
    try {
      const err = await readMysqlRevision(session.db, temp.name, { target: 'prod' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InspectError', context: { target: 'prod' } });
      expect((err as Error).message).toContain(`reading revision table ${temp.name}.flyway_schema_history`);
    } finally {
      await session.close();
    }
  });
});

// Atlas bound to a whole server keeps its table in a database of its own name: read when the target has none.
describe('readMysqlRevision with Atlas\' own database', () => {
  it('falls back to atlas_schema_revisions.atlas_schema_revisions', async () => {
    const temp = await createTempMysqlDatabase();
    const exists = await openMysqlSession(temp.url).then(async (s) => {
      const { rows } = await s.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'atlas_schema_revisions'",
      );
      await s.close();
      return Number(rows[0]?.n) > 0;
    });
    // Never touch a database of that name that this test did not create.
    expect(exists).toBe(false);
    try {
      await execMysql('CREATE DATABASE atlas_schema_revisions');
      await execMysql(ATLAS_DDL + ATLAS_ROW('42', 1, 1, null), 'atlas_schema_revisions');
      const session = await openMysqlSession(temp.url);
      try {
        expect(await readMysqlRevision(session.db, temp.name)).toMatchObject({
          tool: 'atlas',
          table: 'atlas_schema_revisions.atlas_schema_revisions',
          version: '42',
        });
      } finally {
        await session.close();
      }
    } finally {
      await execMysql('DROP DATABASE IF EXISTS atlas_schema_revisions');
      await temp.drop();
    }
  });
});
