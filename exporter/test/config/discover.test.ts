/**
 * `targets[].discover`: a valid entry parses into a `DiscoverConfig`; each mistake is named with file, line and field.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const F = 'schema-drift.yaml';

const entry = (url: string, discover: string, extra = '') => `targets:
  - name: tenants
    url: ${url}
    desired: { dir: ./migrations${url.startsWith('mysql') ? ', devUrl: "mysql://root@127.0.0.1:3306/"' : ''} }
${extra}    discover:
${discover}`;

describe('discover', () => {
  it('parses schemas with a pattern, the default interval and desired schema', async () => {
    const config = await fx.parse(entry('postgres://app@db/app', "      schemas: { pattern: 'tenant_%' }\n"));
    expect(config.targets[0]?.discover).toEqual({ kind: 'schemas', pattern: 'tenant_%', intervalMs: 300_000, desiredSchema: 'public', maxTargets: 1000 });
  });

  it('parses maxTargets', async () => {
    const config = await fx.parse(entry('postgres://app@db/app', "      schemas: { pattern: 'tenant\\_%' }\n      maxTargets: 50\n"));
    expect(config.targets[0]?.discover?.maxTargets).toBe(50);
  });

  it('parses databases with a query and an interval', async () => {
    const config = await fx.parse(entry('mysql://root@db:3306/app', "      databases: { query: 'SELECT name FROM registry.tenants' }\n      interval: 30s\n"));
    expect(config.targets[0]?.discover).toEqual({ kind: 'databases', query: 'SELECT name FROM registry.tenants', intervalMs: 30_000, desiredSchema: 'public', maxTargets: 1000 });
  });

  it.each([
    {
      name: 'neither databases nor schemas',
      discover: '      interval: 1m\n',
      problems: [`${F}:5: targets[0].discover: give either databases or schemas, not both or neither`],
    },
    {
      name: 'both pattern and query',
      discover: "      databases: { pattern: 'a%', query: 'SELECT 1' }\n",
      problems: [`${F}:6: targets[0].discover.databases: give either pattern (a LIKE pattern such as tenant\\_%, where _ alone matches any character) or query (a SELECT returning names), not both or neither`],
    },
    {
      name: 'desiredSchema without schemas',
      discover: "      databases: { pattern: 'a%' }\n      desiredSchema: app\n",
      problems: [`${F}:7: targets[0].discover.desiredSchema: only with schemas`],
    },
    {
      name: 'an interval below a second',
      discover: "      schemas: { pattern: 'a%' }\n      interval: 10ms\n",
      problems: [`${F}:7: targets[0].discover.interval: must be at least 1000ms`],
    },
    {
      name: 'a maxTargets of 0',
      discover: "      schemas: { pattern: 'a%' }\n      maxTargets: 0\n",
      problems: [`${F}:7: targets[0].discover.maxTargets: must be at least 1`],
    },
    {
      name: 'an unknown key',
      discover: "      schemas: { pattern: 'a%' }\n      every: 1m\n",
      problems: [`${F}:7: targets[0].discover.every: unknown option`],
    },
  ])('refuses $name', async ({ discover, problems }) => {
    expect(await fx.problems(entry('postgres://app@db/app', discover))).toEqual(problems);
  });

  it('refuses schemas discovery on MySQL: a schema is a database there', async () => {
    expect(await fx.problems(entry('mysql://root@db:3306/app', "      schemas: { pattern: 'a%' }\n"))).toEqual([
      `${F}:6: targets[0].discover.schemas: on MySQL/MariaDB a schema is a database: use discover.databases (target "tenants")`,
    ]);
  });

  it('refuses a schemas list beside schemas discovery', async () => {
    expect(await fx.problems(entry('postgres://app@db/app', "      schemas: { pattern: 'a%' }\n", '    schemas: [public]\n'))).toEqual([
      `${F}:5: targets[0].schemas: not with discover.schemas: each discovered target inspects its own schema (target "tenants")`,
    ]);
  });
});
