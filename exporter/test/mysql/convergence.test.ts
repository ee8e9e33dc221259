/**
 * Convergence on the real MariaDB server: for each fixture case, load A and B into two temporary databases with the
 * `mariadb` client, plan A→B from real inspections, apply the rendered script with the `mariadb` client (DELIMITER
 * lines and all, as a user would), inspect again and require that nothing is left to change. Both directions run, so
 * every create path is also a drop path. Every case is inspected with events, as a MySQL/MariaDB target is by default.
 *
 * A case may pin what its plans look like in `<case>/expected.json` (statement kinds and hazards per run, keyed
 * `a-to-b` and `b-to-a`; see test/support/expected-plan.ts); a case without it is only checked for convergence.
 * `UPDATE_EXPECTED=1 npx vitest run exporter/test/mysql/convergence.test.ts -t ' <case>:'` writes (or refreshes) the
 * pins of the runs that execute, once they converge (mind the leading space in the pattern: it keeps `columns` from
 * also matching `generated-columns`); review the diff before committing it. Once a case has the file, every run of the
 * case needs its entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql, renderMysqlPlanSql } from '../../src/dialects/mysql/plan.ts';
import { expectPlanMatchesPin, runKey, unknownPinnedRuns } from '../support/expected-plan.ts';
import { createTempMysqlDatabase } from '../support/servers.ts';
import { FIXTURE_INSPECT, describeChanges, inspectTemp, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/convergence/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const RUNS = CASES.flatMap((name) => [
  { name, from: 'a.sql', to: 'b.sql' },
  { name, from: 'b.sql', to: 'a.sql' },
]);

describe('MySQL planner convergence on MariaDB', () => {
  it('has at least 15 fixture cases, events among them', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
    expect(CASES.filter((name) => name.startsWith('events-')).length).toBeGreaterThanOrEqual(2);
  });

  it('pins plans only for runs that exist', () => {
    for (const name of CASES) {
      const keys = RUNS.filter((run) => run.name === name).map((run) => runKey(run.from, run.to));
      expect(unknownPinnedRuns(`${ROOT}${name}`, keys), `${name}/expected.json`).toEqual([]);
    }
  });

  it.each(RUNS)('$name: $from → $to', async ({ name, from, to }) => {
    const current = await createTempMysqlDatabase('sdconv');
    const desired = await createTempMysqlDatabase('sdconv');
    const inspect = FIXTURE_INSPECT;
    try {
      await runClientScript(current, readFileSync(`${ROOT}${name}/${from}`, 'utf8'));
      await runClientScript(desired, readFileSync(`${ROOT}${name}/${to}`, 'utf8'));
      const desiredSnap = await inspectTemp(desired, inspect);
      const before = await inspectTemp(current, inspect);
      const changes = diffSchemas({ current: before, desired: desiredSnap, hooks: mysqlHooks });
      expect(changes.length, 'the fixture pair must differ').toBeGreaterThan(0);
      const plan = planMysql(changes, { current: before, desired: desiredSnap });
      for (const statement of plan.statements) expect(statement.sql).not.toMatch(/^DELIMITER/m);
      const script = renderMysqlPlanSql(plan);
      await runClientScript(current, script).catch((err: Error) => {
        throw new Error(`${err.message}\n--- changes ---\n${describeChanges(changes)}\n--- script ---\n${script}`);
      });
      const after = await inspectTemp(current, inspect);
      const left = diffSchemas({ current: after, desired: desiredSnap, hooks: mysqlHooks });
      expect(left, `left after applying:\n${describeChanges(left)}\n\nscript:\n${script}`).toEqual([]);
      expectPlanMatchesPin({ caseDir: `${ROOT}${name}`, key: runKey(from, to), plan, dialect: 'mysql', renderSql: () => script });
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
