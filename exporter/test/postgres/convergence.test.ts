/**
 * Convergence: for each fixture case, load A and B into two real databases, plan A→B from a real inspection and
 * diff, apply the plan to A statement by statement, inspect again, and require that nothing is left to change. Both
 * directions are run, so every "create" path is also a "drop" path.
 *
 * A case may pin what its plans look like in `<case>/expected.json` (statement kinds and hazards per run, keyed
 * `a-to-b`, `b-to-a`, and `a-to-b-concurrently` for a run planned CONCURRENTLY; see test/support/expected-plan.ts);
 * a case without it is only checked for convergence.
 * `UPDATE_EXPECTED=1 npx vitest run exporter/test/postgres/convergence.test.ts -t ' <case>:'` writes (or refreshes)
 * the pins of the runs that execute, once they converge (mind the leading space in the pattern: it keeps
 * `constraints` from also matching `renamed-constraints`); review the diff before committing it. Once a case has the
 * file, every run of the case needs its entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/model/change.ts';
import { changeSubject } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres, renderPostgresPlanSql } from '../../src/dialects/postgres/plan.ts';
import { expectPlanMatchesPin, runKey, unknownPinnedRuns } from '../support/expected-plan.ts';
import { leavesOutNewerLines, pgServerMajor, readPgFixture } from '../support/pg-fixtures.ts';
import { createTempPgDatabase, type TempDatabase, withPgClient } from '../support/servers.ts';

const ROOT = fileURLToPath(new URL('../fixtures/postgres/convergence/', import.meta.url));
// The privileges* cases need roles created per run: convergence-privileges.test.ts runs them.
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('privileges'))
  .map((d) => d.name)
  .sort();
const RUNS = [
  ...CASES.flatMap((name) => [
    { name, from: 'a.sql', to: 'b.sql', concurrently: false },
    { name, from: 'b.sql', to: 'a.sql', concurrently: false },
  ]),
  // Index builds and drops CONCURRENTLY (outside a transaction) must converge too.
  { name: 'indexes', from: 'a.sql', to: 'b.sql', concurrently: true },
  { name: 'indexes', from: 'b.sql', to: 'a.sql', concurrently: true },
  // Partitioned tables cannot build indexes concurrently: the option must fall back to plain builds there.
  { name: 'partitions', from: 'a.sql', to: 'b.sql', concurrently: true },
];

const inspect = (db: TempDatabase): Promise<SchemaSnapshot> => withPgClient(db, (c) => inspectPostgres(c));

function describeChanges(changes: Change[]): string {
  return changes.map((c) => `${c.action} ${changeSubject(c)} ${JSON.stringify(c.attributes)}`).join('\n');
}

describe('planner convergence on PostgreSQL', () => {
  it('has at least 20 fixture cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it('pins plans only for runs that exist', () => {
    for (const name of CASES) {
      const keys = RUNS.filter((run) => run.name === name).map((run) => runKey(run.from, run.to, run.concurrently));
      expect(unknownPinnedRuns(`${ROOT}${name}`, keys), `${name}/expected.json`).toEqual([]);
    }
  });

  it.each(RUNS)('$name: $from → $to (concurrently: $concurrently)', async ({ name, from, to, concurrently }) => {
    const current = await createTempPgDatabase('sdconv');
    const desired = await createTempPgDatabase('sdconv');
    try {
      await current.exec(await readPgFixture(`${ROOT}${name}/${from}`));
      await desired.exec(await readPgFixture(`${ROOT}${name}/${to}`));
      const desiredSnap = await inspect(desired);
      const before = await inspect(current);
      const changes = diffSchemas({ current: before, desired: desiredSnap, hooks: postgresHooks });
      expect(changes.length, 'the fixture pair must differ').toBeGreaterThan(0);
      const plan = planPostgres(changes, { current: before, desired: desiredSnap, concurrently });
      if (concurrently) {
        const built = plan.statements.filter((st) => /^(CREATE|DROP) (UNIQUE )?INDEX/.test(st.sql));
        const onPartitioned = (st: { sql: string }) => /\bevents\b/.test(st.sql);
        for (const st of built) expect(st.sql.includes('CONCURRENTLY'), st.sql).toBe(!onPartitioned(st));
      }
      await withPgClient(current, async (client) => {
        for (const statement of plan.statements) {
          try {
            await client.query(statement.sql);
          } catch (err) {
            throw new Error(`statement failed: ${(err as Error).message}\n${statement.sql}\n\nplan:\n${renderPostgresPlanSql(plan)}`);
          }
        }
      });
      const after = await inspect(current);
      const left = diffSchemas({ current: after, desired: desiredSnap, hooks: postgresHooks });
      expect(left, `left after applying:\n${describeChanges(left)}\n\nplan:\n${renderPostgresPlanSql(plan)}`).toEqual([]);
      // A pin describes the fixture as written: a major that runs stand-ins for newer syntax plans those instead.
      const major = await pgServerMajor();
      const standIns = [from, to].some((side) => leavesOutNewerLines(readFileSync(`${ROOT}${name}/${side}`, 'utf8'), major));
      if (!standIns) expectPlanMatchesPin({
        caseDir: `${ROOT}${name}`,
        key: runKey(from, to, concurrently),
        plan,
        dialect: 'postgres',
        renderSql: () => renderPostgresPlanSql(plan),
      });
    } finally {
      await current.drop();
      await desired.drop();
    }
  });
});
