/**
 * The differ's strongest guard against noise: the same schema loaded into two databases of the test server and into
 * PGlite (PostgreSQL 18), inspected by the real inspector, must diff to nothing in every direction. A hand-made
 * change must still be reported. The PGlite side stands for a replay of the file (as the agent's desired side): its
 * extensions, created without a version, are marked unpinned as a replay marks them (PGlite's PostgreSQL 18 ships
 * other extension versions than the server). `npm test` runs it on the machine's server (15), the version matrix
 * (`npm run test:versions`) on each major from 13 to 18, with the fixture's lines for that major (both sides load the
 * same SQL: see support/pg-fixtures.ts).
 */
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { readPgFixture } from '../support/pg-fixtures.ts';
import { asReplayOf } from '../support/replayed-extensions.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

const FIXTURE = await readPgFixture(new URL('../fixtures/postgres/full-schema.sql', import.meta.url));

/** PGlite's snapshot as a replay of {@link FIXTURE} reports it. */
async function inspectReplayed(lite: PGlite, privileges = false): Promise<SchemaSnapshot> {
  return asReplayOf(await inspectPostgres(lite, { privileges }), FIXTURE);
}

async function inspectUrl(url: string, privileges = false): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await inspectPostgres(client, { privileges });
  } finally {
    await client.end();
  }
}

function diff(current: SchemaSnapshot, desired: SchemaSnapshot): Change[] {
  return diffSchemas({ current, desired, hooks: postgresHooks });
}

/** Compact rendering so a failure shows what drifted, not a wall of JSON. */
function describeChanges(changes: Change[]): string[] {
  return changes.map((c) => {
    const owner = 'table' in c ? `${c.schema}.${c.table}.` : `${c.schema}.`;
    const attrs = c.attributes.map((a) => `${a.name}: ${JSON.stringify(a.expected)} != ${JSON.stringify(a.actual)}`);
    return `${c.action} ${c.type} ${owner}${c.name} ${attrs.join('; ')}`;
  });
}

describe('no false drift: the full schema on the test server and in PGlite (PostgreSQL 18)', () => {
  const databases: TempDatabase[] = [];
  let lite: PGlite | undefined;
  let serverA: SchemaSnapshot;
  let serverB: SchemaSnapshot;
  let pglite: SchemaSnapshot;

  beforeAll(async () => {
    for (let i = 0; i < 2; i += 1) {
      const db = await createTempPgDatabase('sdnodrift');
      databases.push(db);
      await db.exec(FIXTURE);
    }
    lite = await PGlite.create({ extensions: { pgcrypto } });
    await lite.exec(FIXTURE);
    const [a, b] = databases as [TempDatabase, TempDatabase];
    [serverA, serverB, pglite] = await Promise.all([inspectUrl(a.url), inspectUrl(b.url), inspectReplayed(lite)]);
  });

  afterAll(async () => {
    await lite?.close();
    await Promise.all(databases.map((db) => db.drop()));
  });

  it('covers every object kind of the model', () => {
    const app = serverA.schemas.find((s) => s.name === 'app');
    const tables = serverA.schemas.flatMap((s) => s.tables);
    expect(app).toBeDefined();
    expect(serverA.extensions.map((e) => e.name)).toContain('pgcrypto');
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'events', 'events_2024', 'sessions']));
    expect(tables.flatMap((t) => t.constraints.map((c) => c.kind))).toEqual(
      expect.arrayContaining(['primary_key', 'unique', 'check', 'exclusion']),
    );
    expect(tables.flatMap((t) => t.foreignKeys)).toHaveLength(4);
    expect(tables.flatMap((t) => t.triggers).length).toBeGreaterThanOrEqual(4);
    expect(tables.flatMap((t) => t.policies)).toHaveLength(4);
    expect(app?.views.some((v) => v.materialized && v.indexes.length > 0)).toBe(true);
    expect(app?.types.map((t) => t.kind).sort()).toEqual(['composite', 'domain', 'domain', 'enum', 'range', 'range']);
    expect(app?.collations?.map((c) => c.name)).toEqual(['bytewise']);
    expect(app?.sequences.map((s) => s.name)).toEqual(expect.arrayContaining(['invoice_number_seq', 'ticket_seq']));
    expect(app?.routines.map((r) => r.kind)).toEqual(expect.arrayContaining(['function', 'procedure']));
  });

  it('server vs server: no changes', () => {
    expect(describeChanges(diff(serverA, serverB))).toEqual([]);
  });

  it.each([
    ['server is current, PGlite desired', () => diff(serverA, pglite)],
    ['PGlite is current, server desired', () => diff(pglite, serverA)],
  ])('PGlite vs the server (%s): no changes', (_label, run) => {
    expect(describeChanges(run())).toEqual([]);
  });

  it('with privileges inspected and compared: no changes, and a REVOKE is reported', async () => {
    const a = databases[0] as TempDatabase;
    const withAcl = await inspectUrl(a.url, true);
    const liteAcl = await inspectReplayed(lite as PGlite, true);
    const options = { checkPrivileges: true };
    expect(describeChanges(diffSchemas({ current: withAcl, desired: liteAcl, hooks: postgresHooks, options }))).toEqual([]);
    await a.exec('GRANT SELECT ON app.orders TO PUBLIC;');
    const granted = await inspectUrl(a.url, true);
    const changes = diffSchemas({ current: granted, desired: liteAcl, hooks: postgresHooks, options });
    expect(changes.map((c) => `${c.action} ${c.type} ${c.name} ${c.attributes.map((x) => x.name).join()}`)).toEqual([
      'changed table orders acl',
    ]);
  });

  it('still reports a hand-made change: an altered default and a dropped index', async () => {
    const b = databases[1] as TempDatabase;
    await b.exec(`ALTER TABLE app.users ALTER COLUMN display_name SET DEFAULT 'nobody';
                  DROP INDEX app.users_tags_gin;
                  ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_quantity_check,
                    ADD CONSTRAINT order_lines_quantity_check CHECK (quantity >= 0);`);
    const drifted = await inspectUrl(b.url);
    expect(describeChanges(diff(drifted, pglite))).toEqual([
      `changed column app.users.display_name default: "'anonymous'::character varying" != "'nobody'::character varying"`,
      'changed constraint app.order_lines.order_lines_quantity_check ' +
        'expression: "(quantity > 0)" != "(quantity >= 0)"; definition: "CHECK ((quantity > 0))" != "CHECK ((quantity >= 0))"',
      'missing index app.users.users_tags_gin ',
    ]);
  });
});
