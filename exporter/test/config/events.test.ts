/**
 * The `events` target option: MySQL/MariaDB targets only, on unless `events: false`, a type error and a PostgreSQL target named
 * at their line like every other configuration problem.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const F = 'schema-drift.yaml';

const mysqlTarget = (extra = '') => `targets:
  - name: shop
    url: mysql://app@db:3306/shop
    desired: { dir: ./migrations, devUrl: mysql://root@dev:3306/scratch }
${extra}`;

describe('target option events', () => {
  it.each([
    { name: 'events: true', yaml: mysqlTarget('    events: true\n'), events: true },
    { name: 'events: false (the opt-out)', yaml: mysqlTarget('    events: false\n'), events: undefined },
    { name: 'absent (on by default)', yaml: mysqlTarget(), events: true },
  ])('a MySQL target, $name: $events', async ({ yaml, events }) => {
    const config = await fx.parse(yaml);
    expect(config.targets[0]?.dialect).toBe('mysql');
    expect(config.targets[0]?.events).toBe(events);
  });

  it('is off for a PostgreSQL target that does not set it', async () => {
    const config = await fx.parse(`targets:
  - name: prod
    url: postgres://app@db:5432/prod
    desired: { dir: ./migrations }
`);
    expect(config.targets[0]?.events).toBeUndefined();
  });

  it.each([
    {
      name: 'on a PostgreSQL target',
      yaml: `targets:
  - name: prod
    url: postgres://app@db:5432/prod
    desired: { dir: ./migrations }
    events: true
`,
      problems: [`${F}:5: targets[0].events: only MySQL/MariaDB targets have scheduled events (target "prod")`],
    },
    {
      name: 'not a boolean',
      yaml: mysqlTarget('    events: yes please\n'),
      problems: [`${F}:5: targets[0].events: expected a boolean, got a string`],
    },
  ])('is refused $name', async ({ yaml, problems }) => {
    expect(await fx.problems(yaml)).toEqual(problems);
  });
});
