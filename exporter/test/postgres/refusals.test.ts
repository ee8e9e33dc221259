/**
 * Changes the PostgreSQL planner refuses, on the real server: for each case of `fixtures/postgres/refused/`, load A
 * and B into two temporary databases, diff them from real inspections, and require that planning each direction
 * listed in `<case>/expected-error.json` is refused with that message (see test/support/refusals.ts).
 *
 * A change refused on its own leaves the rest planned: that plan is applied to A, and what is left to change must be
 * exactly the refused changes (nothing else was lost on the way, nothing of theirs half done). A direction of a case
 * with no pinned message is a plain convergence run: planned, applied, nothing left. Its shape is pinned in
 * `<case>/expected.json` like a convergence case's (`UPDATE_EXPECTED=1` writes it, see test/support/expected-plan.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { changeSubject, type Change } from '../../src/core/model/change.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres, renderPostgresPlanSql } from '../../src/dialects/postgres/plan.ts';
import { expectPlanMatchesPin, runKey } from '../support/expected-plan.ts';
import { planRefusal, refusalRuns } from '../support/refusals.ts';
import { createTempPgDatabase, type TempDatabase, withPgClient } from '../support/servers.ts';

const ROOT = fileURLToPath(new URL('../fixtures/postgres/refused/', import.meta.url));
const REFUSED = refusalRuns(ROOT);
// Both directions of every case: a direction with no pinned message must plan and converge (nothing left).
const RUNS: { name: string; from: string; to: string; message?: string }[] = [...new Set(REFUSED.map((r) => r.name))].flatMap((name) =>
  [['a.sql', 'b.sql'], ['b.sql', 'a.sql']].map(([from = '', to = '']) => ({
    name,
    from,
    to,
    message: REFUSED.find((r) => r.name === name && r.from === from && r.to === to)?.message,
  })),
);

const inspect = (db: TempDatabase): Promise<SchemaSnapshot> => withPgClient(db, (c) => inspectPostgres(c));
const subjects = (changes: readonly Change[]): string[] => changes.map((c) => `${c.action} ${changeSubject(c)}`).sort();

describe('PostgreSQL planner refusals', () => {
  it('has refusal cases, each run named by a real run key', () => {
    expect(REFUSED.length).toBeGreaterThan(0);
    for (const run of REFUSED) expect(runKey(run.from, run.to)).toMatch(/^(a-to-b|b-to-a)$/);
  });

  it.each(RUNS)('$name: $from → $to (refused: $message)', async ({ name, from, to, message }) => {
    const current = await createTempPgDatabase('sdrefuse');
    const desired = await createTempPgDatabase('sdrefuse');
    try {
      await current.exec(readFileSync(`${ROOT}${name}/${from}`, 'utf8'));
      await desired.exec(readFileSync(`${ROOT}${name}/${to}`, 'utf8'));
      const [before, after] = [await inspect(current), await inspect(desired)];
      const changes = diffSchemas({ current: before, desired: after, hooks: postgresHooks });
      expect(changes.length, 'the fixture pair must differ').toBeGreaterThan(0);
      const attempt = () => planPostgres(changes, { current: before, desired: after });
      const refusal = message === undefined ? undefined : planRefusal(attempt);
      if (refusal) expect(refusal.message).toBe(message);
      if (refusal && !refusal.plan) return;
      const plan = refusal?.plan ?? attempt();
      if (!refusal) expect(plan.refused, 'this direction is not pinned as refused').toBeUndefined();
      await withPgClient(current, async (client) => {
        for (const statement of plan.statements) {
          try {
            await client.query(statement.sql);
          } catch (err) {
            throw new Error(`statement failed: ${(err as Error).message}\n${statement.sql}\n\nplan:\n${renderPostgresPlanSql(plan)}`);
          }
        }
      });
      const left = diffSchemas({ current: await inspect(current), desired: after, hooks: postgresHooks });
      const refused = (plan.refused ?? []).flatMap((r) => (changes[r.change] ? [changes[r.change] as Change] : []));
      expect(subjects(left), `plan:\n${renderPostgresPlanSql(plan)}`).toEqual(subjects(refused));
      expectPlanMatchesPin({ caseDir: `${ROOT}${name}`, key: runKey(from, to), plan, dialect: 'postgres', renderSql: () => renderPostgresPlanSql(plan) });
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
