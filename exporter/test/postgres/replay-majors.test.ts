/**
 * The default replay engine, PGlite (PostgreSQL 18), against a live database of whatever major the test server runs
 * (only the version matrix runs this file, on each of 13 to 18: see vitest.config.ts): every schema the suite knows —
 * the full schema and both sides of every convergence case — is loaded into the server and replayed into PGlite as a
 * migration file, and the two inspections must diff to nothing in both directions. So each normalisation of a
 * deparsing difference between majors is proven on the major that needs it. The warning about a replay on another
 * major is given exactly when the majors differ, and never for a dev server of the target's major.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import { changeSubject } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import type { ReplayResult } from '../../src/dialects/dialect.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { postgresDialect } from '../../src/dialects/postgres/index.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { replayPostgres } from '../../src/dialects/postgres/replay.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { pgServerMajor, readPgFixture } from '../support/pg-fixtures.ts';
import { createTempPgDatabase, PG_URL } from '../support/servers.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/postgres/', import.meta.url));
const CONVERGENCE = path.join(FIXTURES, 'convergence');

/** The full schema, then both sides of every convergence case (the privileges* ones need per-run roles). */
const SCHEMAS = [
  { name: 'full-schema.sql', file: path.join(FIXTURES, 'full-schema.sql') },
  ...readdirSync(CONVERGENCE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('privileges'))
    .map((d) => d.name)
    .sort()
    .flatMap((name) => ['a.sql', 'b.sql'].map((side) => ({ name: `${name}/${side}`, file: path.join(CONVERGENCE, name, side) }))),
];

const work = await mkdtemp(path.join(tmpdir(), 'sd-replay-majors-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const serverMajor = await pgServerMajor();

async function inspectUrl(url: string): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await inspectPostgres(client);
  } finally {
    await client.end();
  }
}

/** `sql` as the one file of a migration directory, replayed where `devUrl` says (default PGlite). */
async function replay(name: string, sql: string, devUrl?: string): Promise<ReplayResult> {
  const dir = await mkdtemp(path.join(work, `${name.replace(/[^a-z0-9]+/gi, '-')}-`));
  await writeFile(path.join(dir, '001_schema.sql'), sql);
  return replayPostgres(await readMigrationDirectory(dir), { target: name, ...(devUrl ? { devUrl } : {}) });
}

function describeChanges(changes: Change[]): string[] {
  return changes.map((c) => `${c.action} ${changeSubject(c)} ${JSON.stringify(c.attributes)}`);
}

describe('PGlite replay against the test server', () => {
  it(`covers the full schema and both sides of every convergence case (${SCHEMAS.length} schemas)`, () => {
    expect(SCHEMAS.length).toBeGreaterThanOrEqual(80);
  });

  it.each(SCHEMAS)('$name: no drift in either direction', async ({ name, file }) => {
    // Both sides load the lines for the server's major (support/pg-fixtures.ts): PGlite runs them all.
    const sql = await readPgFixture(file);
    const db = await createTempPgDatabase('sdmajor');
    try {
      await db.exec(sql);
      const [live, replayed] = await Promise.all([inspectUrl(db.url), replay(name, sql)]);
      expect(replayed.engine).toBe('pglite');
      expect(live.source.serverMajor).toBe(serverMajor);
      expect(describeChanges(diffSchemas({ current: live, desired: replayed.snapshot, hooks: postgresHooks })), 'live current, PGlite desired').toEqual([]);
      expect(describeChanges(diffSchemas({ current: replayed.snapshot, desired: live, hooks: postgresHooks })), 'PGlite current, live desired').toEqual([]);
    } finally {
      await db.drop();
    }
  }, 180_000); // a replay starts PGlite in a worker: on a loaded 2-core machine that alone has taken 60 s

  it('warns about the replay on PGlite exactly when the target runs another major, never for a dev server of its major', async () => {
    const sql = await readPgFixture(path.join(FIXTURES, 'full-schema.sql'));
    const live = { serverMajor };
    const [embedded, dev] = [await replay('warn-pglite', sql), await replay('warn-dev', sql, PG_URL)];
    const embeddedWarnings = postgresDialect.versionWarnings({ engine: embedded.engine, source: embedded.snapshot.source }, live);
    expect(embeddedWarnings).toHaveLength(serverMajor === 18 ? 0 : 1);
    if (serverMajor !== 18) expect(embeddedWarnings[0]).toContain(`the target runs PostgreSQL ${serverMajor}`);
    expect(dev.engine).toBe('server');
    expect(dev.snapshot.source.serverMajor).toBe(serverMajor);
    expect(postgresDialect.versionWarnings({ engine: dev.engine, source: dev.snapshot.source }, live)).toEqual([]);
    // The dev server's replay is the same major as the target: it too must leave nothing to report.
    expect(describeChanges(diffSchemas({ current: dev.snapshot, desired: embedded.snapshot, hooks: postgresHooks }))).toEqual([]);
  }, 180_000);
});
