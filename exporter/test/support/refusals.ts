/**
 * Pinned planner refusals, shared by the dialects: a refusal case is a folder `<case>/` beside the dialect's other
 * fixtures holding `a.sql`, `b.sql` and `expected-error.json`, which maps each refused run (a {@link runKey},
 * `a-to-b` or `b-to-a`) to the whole refusal message. A planner refuses either the whole plan (it throws a
 * `PlanError`) or single changes (the plan lists them in `refused` and plans the rest); the message of a run is the
 * thrown error's, or the refused changes' messages one a line in change order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { PlanError } from '../../src/core/errors.ts';
import type { Plan } from '../../src/core/model/plan.ts';

/** File name of a case's pinned refusal messages. */
export const EXPECTED_ERROR_FILE = 'expected-error.json';

/** One refused run of a case. */
export interface RefusalRun {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

/** Every refused run of the cases under `root` (a folder ending in `/`), by case name then run key. */
export function refusalRuns(root: string): RefusalRun[] {
  const cases = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return cases.flatMap((name) => {
    const pinned = JSON.parse(readFileSync(`${root}${name}/${EXPECTED_ERROR_FILE}`, 'utf8')) as Record<string, string>;
    return Object.entries(pinned).map(([key, message]) => {
      const [from, to] = key.split('-to-') as [string, string];
      return { name, from: `${from}.sql`, to: `${to}.sql`, message };
    });
  });
}

/**
 * Plans, and returns the refusal message (see the module comment) with the plan when the planner refused only single
 * changes. Fails the test when the planner refused nothing, or threw something other than a `PlanError`.
 */
export function planRefusal(plan: () => Plan): { message: string; plan?: Plan } {
  let planned: Plan;
  try {
    planned = plan();
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return { message: (err as PlanError).message };
  }
  expect(planned.refused ?? [], 'the planner refused nothing').not.toEqual([]);
  return { message: (planned.refused ?? []).map((r) => r.message).join('\n'), plan: planned };
}
