/**
 * The dialects a cross-dialect test runs on, each with what it needs from the real servers: a fresh database to
 * play the live one, and where migrations replay. A test written once loops over {@link DIALECT_HARNESSES}, filtered by
 * capability where it must be (`DIALECT_HARNESSES.filter((h) => h.dialect.capabilities.events)`), as kysely's tests
 * loop over their dialects; a new dialect adds one entry here.
 */
import type { DialectName } from '../../src/core/model/schema.ts';
import type { Dialect } from '../../src/dialects/dialect.ts';
import { dialectNamed } from '../../src/dialects/registry.ts';
import { createTempMysqlDatabase, createTempPgDatabase, MYSQL_URL, type TempDatabase } from './servers.ts';

/** One dialect under test. */
export interface DialectHarness {
  readonly name: DialectName;
  readonly dialect: Dialect;
  /** For test titles: the server the suite runs it on. */
  readonly server: string;
  /** A fresh, empty database on the real server (drop it when done). */
  createDatabase(prefix?: string): Promise<TempDatabase>;
  /** Where migrations replay: `undefined` is the embedded engine. */
  readonly devUrl?: string;
}

/** Every dialect, on the servers `.ci/run` provides. */
export const DIALECT_HARNESSES: readonly DialectHarness[] = [
  { name: 'postgres', dialect: dialectNamed('postgres'), server: 'PostgreSQL', createDatabase: createTempPgDatabase },
  { name: 'mysql', dialect: dialectNamed('mysql'), server: 'MariaDB', createDatabase: createTempMysqlDatabase, devUrl: MYSQL_URL },
];
