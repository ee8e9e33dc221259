/**
 * Privileges end to end on PostgreSQL: the `privileges*` convergence cases inspected with ACLs and diffed with
 * `checkPrivileges`, planned, applied and diffed again, in both directions; and a live database owned by another
 * role than the replay's (PGlite, owner `postgres`) shows no privilege drift when the grants are the same.
 *
 * The `privileges-kept-*` cases and `privileges-rebuilt` have the same grants on both sides and changes that rebuild
 * some objects (or none):
 * they also run planned WITHOUT privileges (the default), and the database the plan was applied to is then diffed
 * WITH privileges: a rebuild that forgot a grant, an owner or a trigger shows there. Their plans are pinned in their
 * `expected.json` (keys `a-to-b`, and `a-to-b-without-privileges` for the default mode; see
 * test/support/expected-plan.ts and `UPDATE_EXPECTED=1`).
 *
 * Roles are cluster-wide: each run creates its own (`sd_priv_<random>_*`, `sd_owner_<random>`), substitutes them for
 * the fixtures' `{{reader}}`/`{{writer}}`/`{{owner}}` placeholders, and drops them once the test databases are gone.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model/change.ts';
import { changeSubject } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres, renderPostgresPlanSql } from '../../src/dialects/postgres/plan.ts';
import { quoteIdent } from '../../src/dialects/postgres/quote.ts';
import { expectPlanMatchesPin, runKey, unknownPinnedRuns } from '../support/expected-plan.ts';
import { createTempPgDatabase, PG_URL, type TempDatabase } from '../support/servers.ts';

const ROOT = fileURLToPath(new URL('../fixtures/postgres/convergence/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('privileges'))
  .map((d) => d.name)
  .sort();
/** Cases with the same grants on both sides, also run planned without privileges. */
const kept = (name: string) => name.startsWith('privileges-kept-') || name === 'privileges-rebuilt';
/**
 * Both directions of each case. `grants` says whether the plan must hold a GRANT or REVOKE (dropping needs none; the
 * kept cases pin their plans instead); `privileges: false` plans a kept case without reading or comparing ACLs.
 */
const RUNS = CASES.flatMap((name) =>
  [
    { name, from: 'a.sql', to: 'b.sql', grants: name.startsWith('privileges-kept-') ? null : true },
    { name, from: 'b.sql', to: 'a.sql', grants: name.startsWith('privileges-kept-') ? null : name !== 'privileges-created' },
  ].flatMap((r) => [{ ...r, privileges: true }, ...(kept(name) ? [{ ...r, privileges: false }] : [])]),
);
const pinKey = (from: string, to: string, privileges: boolean) => `${runKey(from, to)}${privileges ? '' : '-without-privileges'}`;
const OPTIONS = { checkPrivileges: true };

const run = randomBytes(4).toString('hex');
const ROLES = { reader: `sd_priv_${run}_reader`, writer: `sd_priv_${run}_writer`, owner: `sd_owner_${run}` };

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Fixture SQL with the run's role names in place of `{{reader}}` and `{{writer}}`. */
function fixture(name: string, file: string): string {
  return readFileSync(`${ROOT}${name}/${file}`, 'utf8')
    .replaceAll('{{reader}}', quoteIdent(ROLES.reader))
    .replaceAll('{{writer}}', quoteIdent(ROLES.writer))
    .replaceAll('{{owner}}', quoteIdent(ROLES.owner));
}

async function inspect(db: TempDatabase, schemas?: string[], privileges = true): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await inspectPostgres(client, { privileges, ...(schemas ? { schemas } : {}) });
  } finally {
    await client.end();
  }
}

async function apply(db: TempDatabase, statements: readonly { sql: string }[], script: string): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    for (const statement of statements) {
      await client.query(statement.sql).catch((err: Error) => {
        throw new Error(`statement failed: ${err.message}\n${statement.sql}\n\nplan:\n${script}`);
      });
    }
  } finally {
    await client.end();
  }
}

function describeChanges(changes: Change[]): string {
  return changes.map((c) => `${c.action} ${changeSubject(c)} ${JSON.stringify(c.attributes)}`).join('\n');
}

beforeAll(async () => {
  await admin(Object.values(ROLES).map((r) => `CREATE ROLE ${quoteIdent(r)} NOLOGIN;`).join('\n'));
});

afterAll(async () => {
  // Every test database is dropped in its own `finally`, which removes the grants; the roles can go then.
  await admin(Object.values(ROLES).map((r) => `DROP ROLE IF EXISTS ${quoteIdent(r)};`).join('\n'));
});

/** Owner and triggers of every view, by name: what a rebuild must give back that no ACL comparison shows. */
function viewAttachments(snapshot: SchemaSnapshot): Record<string, { owner?: string; triggers: string[] }> {
  const out: Record<string, { owner?: string; triggers: string[] }> = {};
  for (const view of snapshot.schemas.flatMap((s) => s.views)) {
    out[`${view.schema}.${view.name}`] = { owner: view.owner ?? view.kept?.owner, triggers: (view.kept?.triggers ?? []).map((t) => t.definition) };
  }
  return out;
}

describe('privileges converge on PostgreSQL', () => {
  it('has the privilege fixture cases', () => {
    expect(CASES).toEqual([
      'privileges-created',
      'privileges-grants',
      'privileges-kept-enum',
      'privileges-kept-read-column',
      'privileges-kept-unread-column',
      'privileges-rebuilt',
    ]);
  });

  it('pins plans only for runs that exist', () => {
    for (const name of CASES) {
      const keys = RUNS.filter((r) => r.name === name).map((r) => pinKey(r.from, r.to, r.privileges));
      expect(unknownPinnedRuns(`${ROOT}${name}`, keys), `${name}/expected.json`).toEqual([]);
    }
  });

  it.each(RUNS)('$name: $from → $to (privileges: $privileges)', async ({ name, from, to, grants, privileges }) => {
    const current = await createTempPgDatabase('sdpriv');
    const desired = await createTempPgDatabase('sdpriv');
    try {
      await current.exec(fixture(name, from));
      await desired.exec(fixture(name, to));
      const desiredSnap = await inspect(desired, undefined, privileges);
      const before = await inspect(current, undefined, privileges);
      const attachedBefore = viewAttachments(await inspect(current));
      const changes = diffSchemas({ current: before, desired: desiredSnap, hooks: postgresHooks, options: { checkPrivileges: privileges } });
      expect(changes.length, 'the fixture pair must differ').toBeGreaterThan(0);
      const plan = planPostgres(changes, { current: before, desired: desiredSnap });
      const script = renderPostgresPlanSql(plan);
      if (grants !== null) expect(plan.statements.some((s) => /^(GRANT|REVOKE) /.test(s.sql)), script).toBe(grants);
      await apply(current, plan.statements, script);
      // Whatever the plan was made with, the result is compared with privileges.
      const after = await inspect(current);
      const desiredWithAcl = privileges ? desiredSnap : await inspect(desired);
      const left = diffSchemas({ current: after, desired: desiredWithAcl, hooks: postgresHooks, options: OPTIONS });
      expect(left, `left after applying:\n${describeChanges(left)}\n\nplan:\n${script}`).toEqual([]);
      if (kept(name)) {
        // Views that were there before keep their owner and triggers (neither is compared by the differ).
        const attachedAfter = viewAttachments(after);
        for (const [view, attached] of Object.entries(attachedBefore)) {
          if (attachedAfter[view]) expect(attachedAfter[view], `${view} after:\n${script}`).toEqual(attached);
        }
      }
      expectPlanMatchesPin({ caseDir: `${ROOT}${name}`, key: pinKey(from, to, privileges), plan, dialect: 'postgres', renderSql: () => script });
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});

describe('privileges of a database owned by another role than the replay', () => {
  /** The same objects and grants; `owner` makes the live side's objects belong to another role. */
  const schemaSql = (reader: string) => `
    CREATE SCHEMA app;
    CREATE TABLE app.accounts (id integer PRIMARY KEY, email text);
    CREATE SEQUENCE app.ticket_seq;
    CREATE VIEW app.emails AS SELECT id, email FROM app.accounts;
    CREATE FUNCTION app.add_one(i integer) RETURNS integer LANGUAGE sql AS 'SELECT i + 1';
    GRANT USAGE ON SCHEMA app TO ${reader};
    GRANT SELECT ON app.accounts TO ${reader};
    GRANT UPDATE (email) ON app.accounts TO ${reader};
    GRANT SELECT ON app.emails TO ${reader};
    GRANT USAGE ON SEQUENCE app.ticket_seq TO ${reader};
    REVOKE EXECUTE ON FUNCTION app.add_one(integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION app.add_one(integer) TO ${reader};`;
  let live: TempDatabase | undefined;
  let lite: PGlite | undefined;
  let desired: SchemaSnapshot;

  beforeAll(async () => {
    const reader = quoteIdent(ROLES.reader);
    lite = await PGlite.create();
    await lite.exec(`CREATE ROLE ${reader};${schemaSql(reader)}`);
    desired = await inspectPostgres(lite, { privileges: true, schemas: ['app'] });
    live = await createTempPgDatabase('sdowner');
    const owner = quoteIdent(ROLES.owner);
    await live.exec(`GRANT CREATE ON DATABASE ${quoteIdent(live.name)} TO ${owner};
      SET ROLE ${owner};${schemaSql(reader)}
      RESET ROLE;`);
  }, 60_000);

  afterAll(async () => {
    await lite?.close();
    await live?.drop();
  });

  it('reads different owners and raw ACLs naming them, yet reports no drift', async () => {
    const current = await inspect(live as TempDatabase, ['app']);
    const table = (s: SchemaSnapshot) => s.schemas[0]?.tables[0];
    expect(table(current)?.owner).toBe(ROLES.owner);
    expect(table(desired)?.owner).toBe('postgres');
    expect(table(current)?.acl).not.toEqual(table(desired)?.acl);
    expect(current.schemas[0]?.owner).toBe(ROLES.owner);
    const changes = diffSchemas({ current, desired, hooks: postgresHooks, options: OPTIONS });
    expect(describeChanges(changes)).toBe('');
  });

  it('reports a revoked grant, and the plan restores it', async () => {
    const db = live as TempDatabase;
    await db.exec(`REVOKE SELECT ON app.accounts FROM ${quoteIdent(ROLES.reader)};
      REVOKE UPDATE (email) ON app.accounts FROM ${quoteIdent(ROLES.reader)};`);
    const current = await inspect(db, ['app']);
    const changes = diffSchemas({ current, desired, hooks: postgresHooks, options: OPTIONS });
    expect(changes.map((c) => `${c.action} ${changeSubject(c)} ${c.attributes.map((a) => a.name).join()}`)).toEqual([
      'changed table app.accounts acl',
      'changed column app.accounts.email attrs.acl',
    ]);
    const plan = planPostgres(changes, { current, desired });
    const reader = quoteIdent(ROLES.reader);
    expect(plan.statements.map((s) => s.sql)).toEqual([
      `GRANT SELECT ON TABLE app.accounts TO ${reader};`,
      `GRANT UPDATE (email) ON TABLE app.accounts TO ${reader};`,
    ]);
    await apply(db, plan.statements, renderPostgresPlanSql(plan));
    const after = await inspect(db, ['app']);
    expect(describeChanges(diffSchemas({ current: after, desired, hooks: postgresHooks, options: OPTIONS }))).toBe('');
  });
});
