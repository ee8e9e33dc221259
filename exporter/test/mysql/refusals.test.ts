/**
 * Changes the MySQL planner refuses, on the real MariaDB server: for each case of `fixtures/mysql/refused/`, load A
 * and B into two temporary databases, diff them from real inspections, and require that planning each direction
 * listed in `<case>/expected-error.json` (run key → the whole message, see test/support/refusals.ts) is refused with
 * that message, which names the object and says why. A refusal is the planner's answer where no safe plan exists; the convergence suite
 * holds the cases that plan.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql } from '../../src/dialects/mysql/plan.ts';
import { runKey } from '../support/expected-plan.ts';
import { planRefusal, refusalRuns } from '../support/refusals.ts';
import { createTempMysqlDatabase } from '../support/servers.ts';
import { FIXTURE_INSPECT, inspectTemp, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/refused/', import.meta.url));
const RUNS = refusalRuns(ROOT);

describe('MySQL planner refusals on MariaDB', () => {
  it('has refusal cases, each run named by a real run key', () => {
    expect(RUNS.length).toBeGreaterThan(0);
    for (const run of RUNS) expect(runKey(run.from, run.to)).toMatch(/^[ab]-to-[ab]$/);
  });

  it.each(RUNS)('$name: $from → $to is refused', async ({ name, from, to, message }) => {
    const current = await createTempMysqlDatabase('sdrefuse');
    const desired = await createTempMysqlDatabase('sdrefuse');
    try {
      await runClientScript(current, readFileSync(`${ROOT}${name}/${from}`, 'utf8'));
      await runClientScript(desired, readFileSync(`${ROOT}${name}/${to}`, 'utf8'));
      const [before, after] = [await inspectTemp(current, FIXTURE_INSPECT), await inspectTemp(desired, FIXTURE_INSPECT)];
      const changes = diffSchemas({ current: before, desired: after, hooks: mysqlHooks });
      expect(changes.length, 'the fixture pair must differ').toBeGreaterThan(0);
      expect(planRefusal(() => planMysql(changes, { current: before, desired: after })).message).toBe(message);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
