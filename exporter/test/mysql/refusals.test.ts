/**
 * Changes the MySQL planner refuses, on the real MariaDB server: for each case of `fixtures/mysql/refused/`, load A
 * and B into two temporary databases, diff them from real inspections, and require that planning each direction
 * listed in `<case>/expected-error.json` (run key → the whole message) throws a `PlanError` with that message, which
 * names the object and says why. A refusal is the planner's answer where no safe plan exists; the convergence suite
 * holds the cases that plan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { PlanError } from '../../src/core/errors.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { planMysql } from '../../src/dialects/mysql/plan.ts';
import { runKey } from '../support/expected-plan.ts';
import { createTempMysqlDatabase } from '../support/servers.ts';
import { FIXTURE_INSPECT, inspectTemp, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/refused/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** The expected messages of a case, by run key. */
function expectedErrors(name: string): Record<string, string> {
  return JSON.parse(readFileSync(`${ROOT}${name}/expected-error.json`, 'utf8')) as Record<string, string>;
}

const RUNS = CASES.flatMap((name) =>
  Object.entries(expectedErrors(name)).map(([key, message]) => {
    const [from, to] = key.split('-to-') as [string, string];
    return { name, from: `${from}.sql`, to: `${to}.sql`, message };
  }),
);

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
      let thrown: unknown;
      try {
        planMysql(changes, { current: before, desired: after });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(PlanError);
      expect((thrown as PlanError).message).toBe(message);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
