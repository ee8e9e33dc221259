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

const ALL_HARNESSES: readonly DialectHarness[] = [
  { name: 'postgres', dialect: dialectNamed('postgres'), server: 'PostgreSQL', createDatabase: createTempPgDatabase },
  { name: 'mysql', dialect: dialectNamed('mysql'), server: 'MariaDB', createDatabase: createTempMysqlDatabase, devUrl: MYSQL_URL },
];

/**
 * Every dialect, on the servers `.ci/run` provides; `SCHEMA_DRIFT_TEST_DIALECTS` (comma-separated names) narrows it,
 * as the PostgreSQL version matrix does (`postgres`). A name that is no dialect is an error.
 */
export const DIALECT_HARNESSES: readonly DialectHarness[] = selectHarnesses(process.env.SCHEMA_DRIFT_TEST_DIALECTS);

function selectHarnesses(list: string | undefined): readonly DialectHarness[] {
  if (!list) return ALL_HARNESSES;
  const names = list.split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!ALL_HARNESSES.some((h) => h.name === name)) {
      throw new Error(`SCHEMA_DRIFT_TEST_DIALECTS: "${name}" is not a dialect (${ALL_HARNESSES.map((h) => h.name).join(', ')})`);
    }
  }
  return ALL_HARNESSES.filter((h) => names.includes(h.name));
}
