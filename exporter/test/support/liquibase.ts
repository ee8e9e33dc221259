/**
 * Deploying a Liquibase fixture changelog as `liquibase update` does, leaving Liquibase's own rows (Liquibase is a
 * Java program the test machines do not have). What it does, as Liquibase 4.29's `update-sql` output shows it:
 * - `DATABASECHANGELOGLOCK` created with Liquibase's DDL for the dialect, initialised with row 1 unlocked, then
 *   locked for the update (LOCKED, LOCKEDBY, LOCKGRANTED) and released at the end;
 * - `DATABASECHANGELOG` created with Liquibase's DDL (lower case on PostgreSQL, upper case on MySQL);
 * - each changeset's statements run one by one (PostgreSQL: in one transaction with its row), then its row:
 *   ID, AUTHOR, FILENAME (the path as the deploy gave it), DATEEXECUTED, ORDEREXECUTED, MD5SUM (`9:`), DESCRIPTION
 *   `sql`, COMMENTS, EXECTYPE `EXECUTED`, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID.
 * A failing changeset is rolled back (MySQL: what its DDL did stays) and leaves no row — Liquibase's
 * `MarkChangeSetRanGenerator` writes nothing for EXECTYPE `FAILED` or `SKIPPED` — and the update stops there with the
 * lock released. `recordFailedRow` writes a `FAILED` row instead, as a tool other than Liquibase OSS (or a hand) may.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DialectName } from '../../src/core/model/schema.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { liquibaseChecksum } from '../../src/migrations/liquibase-checksum.ts';
import { splitLiquibaseSql } from '../../src/migrations/liquibase-split.ts';
import { parseFormattedSql } from '../../src/migrations/liquibase-sql.ts';
import type { TempDatabase } from './servers.ts';

/** Liquibase's DDL for its two tables, per dialect (its `update-sql` output, Liquibase 4.28/4.29). */
export const LIQUIBASE_TABLES: Record<DialectName, { lock: string; changelog: string }> = {
  postgres: {
    lock: `CREATE TABLE databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL,
      LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT databasechangeloglock_pkey PRIMARY KEY (ID))`,
    changelog: `CREATE TABLE databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,
      FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL,
      EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255),
      LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))`,
  },
  mysql: {
    lock: 'CREATE TABLE DATABASECHANGELOGLOCK (ID INT NOT NULL, `LOCKED` TINYINT NOT NULL, LOCKGRANTED datetime NULL, ' +
      'LOCKEDBY VARCHAR(255) NULL, CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))',
    changelog: 'CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, ' +
      'FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED datetime NOT NULL, ORDEREXECUTED INT NOT NULL, ' +
      'EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35) NULL, `DESCRIPTION` VARCHAR(255) NULL, COMMENTS VARCHAR(255) NULL, ' +
      'TAG VARCHAR(255) NULL, LIQUIBASE VARCHAR(20) NULL, CONTEXTS VARCHAR(255) NULL, LABELS VARCHAR(255) NULL, ' +
      'DEPLOYMENT_ID VARCHAR(10) NULL)',
  },
};

/** How to deploy. */
export interface LiquibaseDeploy {
  /** How many changesets of the changelog to apply (`update-count`); default all. */
  readonly count?: number;
  /** Prefix of FILENAME, as the deploy's search path gives it (`db/changelog/`). */
  readonly filenamePrefix?: string;
  /** SQL a changeset had when it was deployed, by `id::author` (a runOnChange changeset edited since). */
  readonly deployedSql?: Readonly<Record<string, string>>;
  /** Record a failing changeset with EXECTYPE FAILED and go on (Liquibase OSS itself writes no such row). */
  readonly recordFailedRow?: boolean;
  /** Leave the lock held, as a killed update does. */
  readonly leaveLocked?: boolean;
}

interface Client {
  query(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function connect(dialect: DialectName, url: string): Promise<Client> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return { query: async (sql, params) => void (await client.query(sql, params)), close: () => client.end() };
  }
  const conn = await mysql.createConnection({ uri: url });
  return { query: async (sql, params) => void (await conn.query(sql, params)), close: () => conn.end() };
}

/** `liquibase update` of `dir` on `db`; returns the error a changeset met, if one failed. */
export async function deployWithLiquibase(dialect: DialectName, db: TempDatabase, dir: string, options: LiquibaseDeploy = {}): Promise<Error | undefined> {
  const directory = await readMigrationDirectory(dir, { format: 'liquibase' });
  const client = await connect(dialect, db.url);
  const p = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
  const [lockTable, changelogTable] = dialect === 'postgres' ? ['databasechangeloglock', 'databasechangelog'] : ['DATABASECHANGELOGLOCK', 'DATABASECHANGELOG'];
  const locked = dialect === 'postgres' ? 'LOCKED' : '`LOCKED`';
  const [yes, no] = dialect === 'postgres' ? ['TRUE', 'FALSE'] : ['1', '0'];
  const insert = `INSERT INTO ${changelogTable} (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM,
    ${dialect === 'postgres' ? 'DESCRIPTION' : '`DESCRIPTION`'}, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID)
    VALUES (${p(1)}, ${p(2)}, ${p(3)}, NOW(), ${p(4)}, ${p(5)}, 'sql', ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, '4.29.2', '1447312276')`;
  try {
    await client.query(LIQUIBASE_TABLES[dialect].lock);
    await client.query(`DELETE FROM ${lockTable}`);
    await client.query(`INSERT INTO ${lockTable} (ID, ${locked}) VALUES (1, ${no})`);
    await client.query(`UPDATE ${lockTable} SET ${locked} = ${yes}, LOCKEDBY = 'deploy (10.0.0.1)', LOCKGRANTED = NOW() WHERE ID = 1 AND ${locked} = ${no}`);
    await client.query(LIQUIBASE_TABLES[dialect].changelog);
    let order = 0;
    let failure: Error | undefined;
    for (const file of directory.files.slice(0, options.count ?? directory.files.length)) {
      const changeset = changesetAt(dir, file.path, file.startLine);
      const name = `${changeset.id}::${changeset.author}`;
      const sql = options.deployedSql?.[name] ?? changeset.liquibaseSql;
      const statements = options.deployedSql?.[name]
        ? splitLiquibaseSql(sql, { ...(changeset.endDelimiter !== undefined ? { endDelimiter: changeset.endDelimiter } : {}) }).statements
        : (file.statements ?? []);
      const row = (execType: string): unknown[] => [
        changeset.id,
        changeset.author,
        `${options.filenamePrefix ?? ''}${file.path}`,
        ++order,
        liquibaseChecksum(sql),
        changeset.comment ?? '',
        execType,
        changeset.context ?? null,
        changeset.labels ?? null,
      ];
      try {
        if (dialect === 'postgres') await client.query('BEGIN');
        for (const statement of statements) await client.query(statement.sql);
        await client.query(insert, row('EXECUTED'));
        if (dialect === 'postgres') await client.query('COMMIT');
      } catch (err) {
        if (dialect === 'postgres') await client.query('ROLLBACK');
        failure = err as Error;
        if (!options.recordFailedRow) break;
        await client.query(insert, row('FAILED'));
      }
    }
    if (!options.leaveLocked) await client.query(`UPDATE ${lockTable} SET ${locked} = ${no}, LOCKEDBY = NULL, LOCKGRANTED = NULL WHERE ID = 1`);
    return failure;
  } finally {
    await client.close();
  }
}

/** The parsed changeset starting at `line` of a changelog file of `dir`. */
function changesetAt(dir: string, file: string, line: number) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const found = parseFormattedSql(text, (message) => new Error(message)).changesets.find((c) => c.line === line);
  if (!found) throw new Error(`no changeset at ${file}:${line}`);
  return found;
}
