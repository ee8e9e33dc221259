/**
 * Whole-schema DDL: for every convergence fixture's B side, the rendered DDL run on an empty database must give a
 * schema the differ finds identical, and rendering must be deterministic.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { changeSubject } from '../../src/core/model/change.ts';
import { emptySnapshot, type SchemaSnapshot } from '../../src/core/model/schema.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { renderPostgresDdl } from '../../src/dialects/postgres/ddl.ts';
import { readPgFixture } from '../support/pg-fixtures.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { column, table } from './plan-factories.ts';

const ROOT = fileURLToPath(new URL('../fixtures/postgres/convergence/', import.meta.url));
// The privileges* cases need roles created per run: convergence-privileges.test.ts runs them.
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('privileges'))
  .map((d) => d.name)
  .sort();

async function inspect(db: TempDatabase): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await inspectPostgres(client);
  } finally {
    await client.end();
  }
}

describe('renderPostgresDdl', () => {
  it('renders a hand-built snapshot in dependency order with quoting', () => {
    const snapshot: SchemaSnapshot = {
      ...emptySnapshot('postgres', { description: 'test' }),
      schemas: [{ name: 'app', comment: 'application', tables: [table('user', [column('id', 'integer', { nullable: false }), column('Name', 'text')], { schema: 'app' })], views: [], sequences: [], types: [], routines: [] }],
    };
    expect(renderPostgresDdl(snapshot)).toBe(
      [
        '-- create schema app\nCREATE SCHEMA app;',
        '-- create table app.user\nCREATE TABLE app."user" (\n    id integer NOT NULL,\n    "Name" text\n);',
        "-- comment on schema app\nCOMMENT ON SCHEMA app IS 'application';",
      ].join('\n\n') + '\n',
    );
  });

  it.each(CASES)('%s: the DDL of B recreates B', async (name) => {
    const source = await createTempPgDatabase('sdddl');
    const copy = await createTempPgDatabase('sdddl');
    try {
      await source.exec(await readPgFixture(`${ROOT}${name}/b.sql`));
      const snapshot = await inspect(source);
      const ddl = renderPostgresDdl(snapshot);
      expect(renderPostgresDdl(snapshot)).toBe(ddl);
      await copy.exec(ddl);
      const left = diffSchemas({ current: await inspect(copy), desired: snapshot, hooks: postgresHooks });
      expect(left.map((c) => `${c.action} ${changeSubject(c)} ${JSON.stringify(c.attributes)}`), ddl).toEqual([]);
    } finally {
      await source.drop();
      await copy.drop();
    }
  });
});
