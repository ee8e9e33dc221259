/**
 * Adversarial edge cases of the PostgreSQL engine (`fixtures/postgres/edge/edge-schema.sql`): quoted, dotted,
 * reserved, unicode and 63-byte identifiers; defaults with casts, negative numbers and sequences in other schemas;
 * extension types (citext, hstore, ltree) kept as raw text; NOT VALID and deferrable constraints, `SET NULL (col)`
 * foreign keys; indexes with opclasses, collations, storage parameters, INCLUDE and NULLS NOT DISTINCT; views on
 * views on materialized views; overloads, OUT parameters, aggregates, SQL-standard bodies; every trigger form;
 * multi-level partitions and a detached one; RLS policies for roles; cycling and descending sequences.
 *
 * (a) The same SQL on two PostgreSQL 15 databases and in PGlite (PostgreSQL 18) diffs to nothing in every direction.
 * (b) Hand-made changes, one per object, are each reported with the attribute that changed, and nothing else is.
 * One set of databases (and one PGlite) serves every test of the file.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { hstore } from '@electric-sql/pglite/contrib/hstore';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { asReplayOf } from '../support/replayed-extensions.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';

/** Roles are cluster-wide: one unique role per run, dropped at the end. */
const ROLE = `sd_edge_${randomBytes(4).toString('hex')}`;
const FIXTURE = readFileSync(new URL('../fixtures/postgres/edge/edge-schema.sql', import.meta.url), 'utf8').replaceAll(
  ':role',
  ROLE,
);

async function inspectUrl(url: string): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await inspectPostgres(client);
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function diff(current: SchemaSnapshot, desired: SchemaSnapshot): Change[] {
  return diffSchemas({ current, desired, hooks: postgresHooks });
}

/** `changed column public.defaults.h default`: what changed and which attributes, without the values. */
function summary(changes: Change[]): string[] {
  return changes.map((c) => {
    const owner = 'table' in c ? `${c.schema}.${c.table}.` : `${c.schema}.`;
    const args = c.type === 'routine' ? `(${c.identityArgs})` : '';
    return `${c.action} ${c.type} ${owner}${c.name}${args} ${c.attributes.map((a) => a.name).join(',')}`.trim();
  });
}

/**
 * Hand-made drift, each on its own object, with the changes it must produce. Several are things the inspector used
 * to miss: index storage parameters, the column list of `ON DELETE SET NULL (...)`, an aggregate's options, COST and
 * ROWS of a function, a NOT VALID constraint validated later.
 */
const DRIFT: { readonly sql: string; readonly expected: string[] }[] = [
  { sql: 'ALTER INDEX other.kid_fill SET (fillfactor = 50);', expected: ['changed index other.kid.kid_fill attrs.options'] },
  { sql: 'ALTER INDEX other.kid_brin RESET (pages_per_range);', expected: ['changed index other.kid.kid_brin attrs.options'] },
  {
    sql: `ALTER TABLE other.kid DROP CONSTRAINT kid_parent_fk, ADD CONSTRAINT kid_parent_fk FOREIGN KEY (code, region)
            REFERENCES other.parent (code, region) MATCH FULL ON UPDATE SET NULL ON DELETE SET NULL
            DEFERRABLE INITIALLY DEFERRED;`,
    expected: ['changed foreign_key other.kid.kid_parent_fk attrs.onDeleteColumns'],
  },
  {
    sql: `CREATE OR REPLACE AGGREGATE other.my_sum(int) (SFUNC = other.sum_state, STYPE = int, INITCOND = '10');`,
    expected: ['changed routine other.my_sum(integer) attrs.aggregate'],
  },
  { sql: 'ALTER FUNCTION other.over(int) COST 5;', expected: ['changed routine other.over(a integer) attrs.cost'] },
  { sql: 'ALTER FUNCTION other.tab(int) ROWS 10;', expected: ['changed routine other.tab(n integer) attrs.rows'] },
  { sql: 'ALTER TABLE other.kid VALIDATE CONSTRAINT kid_amount_check;', expected: ['changed constraint other.kid.kid_amount_check definition,validated'] },
  { sql: 'ALTER TABLE other.kid VALIDATE CONSTRAINT kid_id_fk;', expected: ['changed foreign_key other.kid.kid_id_fk validated'] },
  {
    sql: `ALTER TYPE "My Schema"."Mood Type" RENAME VALUE 'it''s' TO 'its';`,
    // The column default names the renamed label, so it changes too.
    expected: ['changed type My Schema.Mood Type values', 'changed column My Schema.UserAccounts.mood default'],
  },
  { sql: 'ALTER TABLE public.defaults ALTER COLUMN h SET DEFAULT 42;', expected: ['changed column public.defaults.h default'] },
  { sql: `ALTER TABLE public.defaults ALTER COLUMN b SET DEFAULT '-1 day'::interval;`, expected: ['changed column public.defaults.b default'] },
  { sql: `ALTER TABLE public.defaults ALTER COLUMN d SET DEFAULT '{}'::text[];`, expected: ['changed column public.defaults.d default'] },
  { sql: `ALTER TABLE public.defaults ALTER COLUMN s SET DEFAULT E'line1\\r\\nline2';`, expected: ['changed column public.defaults.s default'] },
  {
    sql: 'ALTER TABLE public.defaults DROP COLUMN gen_sum, ADD COLUMN gen_sum integer GENERATED ALWAYS AS (h - x) STORED;',
    expected: ['changed column public.defaults.gen_sum generated.expression'],
  },
  { sql: `ALTER TABLE "dot.schema"."table.with.dots" ALTER COLUMN ref SET DEFAULT 1;`, expected: ['changed column dot.schema.table.with.dots.ref default'] },
  { sql: 'ALTER TABLE other.audited ENABLE TRIGGER "Quoted Trigger";', expected: ['changed trigger other.audited.Quoted Trigger enabled'] },
  {
    sql: `DROP TRIGGER t_update_of ON other.audited;
          CREATE TRIGGER t_update_of BEFORE UPDATE OF val ON other.audited FOR EACH ROW EXECUTE FUNCTION other.trg();`,
    expected: ['changed trigger other.audited.t_update_of definition'],
  },
  { sql: 'ALTER POLICY p_role ON other.secure TO PUBLIC;', expected: ['changed policy other.secure.p_role roles'] },
  { sql: 'ALTER TABLE other.secure NO FORCE ROW LEVEL SECURITY;', expected: ['changed table other.secure attrs.forceRowSecurity'] },
  { sql: 'ALTER SEQUENCE other."Counter Seq" NO CYCLE;', expected: ['changed sequence other.Counter Seq cycle'] },
  { sql: 'ALTER VIEW other.v_invoker SET (security_invoker = false);', expected: ['changed view other.v_invoker attrs.securityInvoker'] },
  {
    sql: 'DROP INDEX other.kid_collate_ops; CREATE INDEX kid_collate_ops ON other.kid (note text_pattern_ops);',
    expected: ['changed index other.kid.kid_collate_ops parts'],
  },
  { sql: 'DROP INDEX other.kid_nnd_idx; CREATE UNIQUE INDEX kid_nnd_idx ON other.kid (code);', expected: ['changed index other.kid.kid_nnd_idx nullsNotDistinct'] },
  {
    sql: 'DROP INDEX other.kid_include; CREATE UNIQUE INDEX kid_include ON other.kid (id) INCLUDE (note);',
    expected: ['changed index other.kid.kid_include include'],
  },
  {
    sql: `ALTER TABLE other.typed ALTER COLUMN i TYPE text, ALTER COLUMN f TYPE interval, ALTER COLUMN e TYPE bit varying(6),
            ALTER COLUMN d TYPE timestamp with time zone, ALTER COLUMN k TYPE text;`,
    expected: ['d', 'e', 'f', 'i', 'k'].map((c) => `changed column other.typed.${c} type`),
  },
  { sql: `COMMENT ON SCHEMA "My Schema" IS 'It''s a "schema"\nwith a newline.';`, expected: ['changed schema My Schema.My Schema comment'] },
  {
    sql: 'ALTER TABLE other.kid ALTER CONSTRAINT kid_id_fk2 DEFERRABLE INITIALLY DEFERRED;',
    expected: ['changed foreign_key other.kid.kid_id_fk2 initiallyDeferred'],
  },
  {
    sql: `ALTER TABLE other.kid DROP CONSTRAINT kid_excl,
            ADD CONSTRAINT kid_excl EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (room > 1);`,
    expected: ['changed constraint other.kid.kid_excl expression,definition'],
  },
  {
    sql: 'ALTER TABLE other.kid DROP CONSTRAINT kid_uniq_nnd, ADD CONSTRAINT kid_uniq_nnd UNIQUE (note);',
    expected: ['changed constraint other.kid.kid_uniq_nnd definition,nullsNotDistinct'],
  },
  { sql: 'ALTER FUNCTION other.secdef() SET search_path = public;', expected: ['changed routine other.secdef() config'] },
  { sql: 'ALTER FUNCTION other.over(text, int) STABLE;', expected: ['changed routine other.over(a text, b integer) volatility'] },
  {
    sql: `ALTER TABLE other.events DETACH PARTITION other.events_a;
          ALTER TABLE other.events ATTACH PARTITION other.events_a FOR VALUES IN ('a');`,
    expected: ['changed table other.events_a attrs.partitionBound'],
  },
  {
    sql: `CREATE OR REPLACE VIEW other.v_cte AS
            WITH totals AS (SELECT region, sum(amount) AS total FROM other.sales GROUP BY region)
            SELECT region, total, dense_rank() OVER (ORDER BY total DESC) AS rnk FROM totals;`,
    expected: ['changed view other.v_cte definition'],
  },
  {
    sql: `ALTER DOMAIN other.int_list DROP CONSTRAINT int_list_check;
          ALTER DOMAIN other.int_list ADD CONSTRAINT int_list_check CHECK (cardinality(VALUE) < 11);`,
    expected: ['changed type other.int_list checks'],
  },
];

describe('edge cases: no false drift between PostgreSQL 15 and PGlite (PostgreSQL 18), no missed drift', () => {
  const databases: TempDatabase[] = [];
  let lite: PGlite | undefined;
  let serverA: SchemaSnapshot;
  let serverB: SchemaSnapshot;
  let pglite: SchemaSnapshot;

  beforeAll(async () => {
    await admin(`CREATE ROLE ${ROLE}`);
    for (let i = 0; i < 2; i += 1) {
      const db = await createTempPgDatabase('sdedge');
      databases.push(db);
      await db.exec(FIXTURE);
    }
    lite = await PGlite.create({ extensions: { btree_gist, citext, hstore, ltree } });
    await lite.exec(`CREATE ROLE ${ROLE};`);
    await lite.exec(FIXTURE);
    const [a, b] = databases as [TempDatabase, TempDatabase];
    [serverA, serverB] = await Promise.all([inspectUrl(a.url), inspectUrl(b.url)]);
    pglite = asReplayOf(await inspectPostgres(lite), FIXTURE);
  }, 60_000);

  afterAll(async () => {
    await lite?.close();
    await Promise.all(databases.map((db) => db.drop()));
    await admin(`DROP ROLE IF EXISTS ${ROLE}`);
  });

  it('inspects the edge objects: extension types keep their raw text, every trigger and routine form is there', () => {
    const other = serverA.schemas.find((s) => s.name === 'other');
    const typed = other?.tables.find((t) => t.name === 'typed');
    const types = Object.fromEntries((typed?.columns ?? []).map((c) => [c.name, c.type.raw]));
    expect(types).toMatchObject({
      i: 'public.citext',
      j: 'public.hstore',
      k: 'public.ltree',
      w: 'public.citext[]',
      a: '"My Schema"."Mood Type"[]',
      f: 'interval day to second',
      e: 'bit varying(5)',
    });
    expect(serverA.schemas.map((s) => s.name)).toEqual(['My Schema', 'dot.schema', 'expr', 'other', 'public']);
    expect(other?.routines.map((r) => r.kind)).toEqual(expect.arrayContaining(['aggregate', 'procedure', 'function']));
    expect(other?.routines.filter((r) => r.name === 'over')).toHaveLength(2);
    expect(other?.tables.find((t) => t.name === 'audited')?.triggers).toHaveLength(7);
    expect(other?.tables.find((t) => t.name === 'secure')?.policies.find((p) => p.name === 'p_role')?.roles).toEqual([ROLE]);
    const kid = other?.tables.find((t) => t.name === 'kid');
    expect(kid?.foreignKeys.find((f) => f.name === 'kid_parent_fk')?.attrs).toEqual({ onDeleteColumns: ['region'] });
    expect(kid?.constraints.find((c) => c.name === 'kid_amount_check')?.validated).toBe(false);
    expect(kid?.indexes.find((i) => i.name === 'kid_fill')?.attrs).toEqual({ options: ['fillfactor=70'] });
    expect(other?.tables.find((t) => t.name === 'events_old')?.attrs.partitionOf).toBeUndefined();
  });

  it('PostgreSQL 15 vs PostgreSQL 15: no changes', () => {
    expect(summary(diff(serverA, serverB))).toEqual([]);
  });

  it.each([
    ['server is current, PGlite desired', () => diff(serverA, pglite)],
    ['PGlite is current, server desired', () => diff(pglite, serverA)],
  ])('PGlite vs PostgreSQL 15 (%s): no changes', (_label, run) => {
    expect(summary(run())).toEqual([]);
  });

  it(`reports each of ${DRIFT.length} hand-made changes with the attribute that changed, and nothing else`, async () => {
    const b = databases[1] as TempDatabase;
    await b.exec(DRIFT.map((d) => d.sql).join('\n'));
    const drifted = await inspectUrl(b.url);
    const expected = DRIFT.flatMap((d) => d.expected).sort();
    expect(summary(diff(drifted, serverA)).sort()).toEqual(expected);
    // The same drift against the PGlite-replayed side: identical report.
    expect(summary(diff(drifted, pglite)).sort()).toEqual(expected);
  });
});
