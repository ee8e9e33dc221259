/**
 * Bad configuration files: each gives the exact problems a person sees, `file:line: path: message`, all at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { ConfigFileError, loadConfig } from '../../src/config/load.ts';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

const F = 'schema-drift.yaml';

/** One valid target, to be followed by the lines under test (indented as target keys). */
const target = (extra = '', name = 'prod') => `  - name: ${name}
    url: postgres://app@db:5432/prod
    desired: { dir: ./migrations }
${extra}`;

const cases: { name: string; yaml: string; problems: string[] }[] = [
  {
    name: 'missing desired directory (the brief example)',
    yaml: `targets:
${target()}${target('', 'staging')}  - name: qa
    url: postgres://app@db:5432/qa
    desired:
      dir: ./missing
`,
    problems: [`${F}:11: targets[2].desired.dir: directory does not exist: missing`],
  },
  {
    name: 'desired.dir is a file',
    yaml: `targets:
  - name: prod
    url: postgres://app@db/prod
    desired: { dir: secrets/token }
`,
    problems: [`${F}:4: targets[0].desired.dir: not a directory (nor a .sql schema file): secrets/token`],
  },
  {
    name: 'empty file',
    yaml: `# nothing yet\n`,
    problems: [`${F}: the file is empty: configure at least one target`],
  },
  {
    name: 'top level is a list',
    yaml: `- name: prod\n`,
    problems: [`${F}:1: expected a mapping of options at the top level`],
  },
  {
    name: 'YAML syntax: duplicate key',
    yaml: `targets: []\ntargets: []\n`,
    problems: [`${F}:2: YAML: Map keys must be unique`],
  },
  {
    name: 'YAML alias bomb: named at its first alias, not an internal error',
    yaml: `x-a: &a [x, x, x, x, x, x, x, x, x, x]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
targets: []
`,
    problems: [`${F}:2: YAML: aliases expand to more than 1000 values (nested aliases, an "alias bomb"?); expand them by hand`],
  },
  {
    name: 'a duration longer than a timer can wait',
    yaml: `targets:
${target('    checkTimeout: 30d\n')}`,
    problems: [`${F}:5: targets[0].checkTimeout: must be at most 24d (30d is longer than a timer can wait)`],
  },
  {
    name: 'no targets',
    yaml: `targets: []\n`,
    problems: [`${F}:1: targets: configure at least one target`],
  },
  {
    name: 'required fields, pointing at the parent',
    yaml: `targets:
  - name: prod
    desired: {}
`,
    problems: [`${F}:2: targets[0].url: required`, `${F}:3: targets[0].desired.dir: required`],
  },
  {
    name: 'unknown options at every level',
    yaml: `listen: ":9772"
verbose: true
targets:
${target('    shedule: "0 * * * *"\n')}`,
    problems: [`${F}:2: verbose: unknown option`, `${F}:7: targets[0].shedule: unknown option`],
  },
  {
    name: 'bad target names and duplicates',
    yaml: `targets:
${target('', '"prod db"')}${target('', 'ok')}${target('', 'ok')}`,
    problems: [
      `${F}:2: targets[0].name: must match [A-Za-z0-9_.-]+ (it becomes the target label)`,
      `${F}:8: targets[2].name: duplicate target name "ok" (also targets[1])`,
    ],
  },
  {
    name: 'URL schemes',
    yaml: `targets:
  - name: a
    url: http://db/prod
    desired: { dir: ./migrations }
  - name: b
    url: "not a url"
    desired: { dir: ./migrations }
`,
    problems: [
      `${F}:3: targets[0].url: unsupported URL scheme "http" (expected postgres, postgresql, mysql or mariadb)`,
      `${F}:6: targets[1].url: not a valid URL (expected postgres://user@host:5432/db or mysql://user@host:3306/db)`,
    ],
  },
  {
    name: 'mysql target without devUrl, and a devUrl of the wrong dialect',
    yaml: `targets:
  - name: orders
    url: mysql://app@db:3306/orders
    desired: { dir: ./migrations }
  - name: shop
    url: mariadb://app@db:3306/shop
    desired:
      dir: ./migrations
      devUrl: postgres://dev@scratch/dev
`,
    problems: [
      `${F}:4: targets[0].desired.devUrl: required for MySQL/MariaDB targets (target "orders"): there is no embedded MySQL/MariaDB to replay migrations on`,
      `${F}:9: targets[1].desired.devUrl: must be a MySQL/MariaDB server like the target's url (target "shop")`,
    ],
  },
  {
    name: 'format, schedule, time zone, durations',
    yaml: `targets:
${target(`    schedule: "61 * * * *"
    timezone: Mars/Olympus
    connectTimeout: 10
    checkTimeout: 10 minutes
    statementTimeout: 0s
    watch: 500ms
    deployingLimit: soon
`)}  - name: b
    url: postgres://app@db/b
    schedule: "* * *"
    desired: { dir: ./migrations, format: rails }
`,
    problems: [
      `${F}:5: targets[0].schedule: invalid cron expression "61 * * * *": bad minute field "61" (node-cron syntax, 5 or 6 fields)`,
      `${F}:6: targets[0].timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin or UTC)`,
      `${F}:7: targets[0].connectTimeout: expected a duration with a unit, e.g. 10s or 5m`,
      `${F}:8: targets[0].checkTimeout: "10 minutes" is not a duration (write e.g. 500ms, 10s, 5m, 1h30m)`,
      `${F}:9: targets[0].statementTimeout: must be at least 1ms`,
      `${F}:10: targets[0].watch: must be at least 1000ms (or 0 to turn it off)`,
      `${F}:11: targets[0].deployingLimit: "soon" is not a duration (write e.g. 500ms, 10s, 5m, 1h30m)`,
      `${F}:14: targets[1].schedule: invalid cron expression "* * *": expected 5 or 6 fields but got 3 (node-cron syntax, 5 or 6 fields)`,
      `${F}:15: targets[1].desired.format: expected one of plain, golang-migrate, flyway, atlas, dbmate, prisma, drizzle, drizzle-folders, goose, node-pg-migrate, sqitch, liquibase, schema`,
    ],
  },
  {
    name: 'exclude kinds and schemas',
    yaml: `targets:
${target(`    schemas: []
    exclude:
      table: [public.tmp_*]
      tables: [x]
      view: public.v
`)}`,
    problems: [
      `${F}:5: targets[0].schemas: list at least one schema, or leave schemas out for all`,
      `${F}:8: targets[0].exclude.tables: unknown option`,
      `${F}:9: targets[0].exclude.view: expected a list, got a string`,
    ],
  },
  {
    name: 'label names: invalid, reserved, too many',
    yaml: `targets:
${target(`    labels:
      team-a: x
      __meta: x
      job: x
      instance: x
      a1: x
      a2: x
      a3: x
      a4: x
      a5: x
      a6: x
      a7: x
`)}`,
    problems: [
      `${F}:5: targets[0].labels: at most 10 labels (got 11): they ride on every series`,
      `${F}:6: targets[0].labels["team-a"]: not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      `${F}:7: targets[0].labels.__meta: label names starting with "__" are reserved by Prometheus`,
      `${F}:8: targets[0].labels.job: "job" is reserved (target, kind, action, reason, version, le, quantile, job, instance, type, env)`,
      `${F}:9: targets[0].labels.instance: "instance" is reserved (target, kind, action, reason, version, le, quantile, job, instance, type, env)`,
    ],
  },
  {
    name: 'label sets differ between targets (a typo, a missing label)',
    yaml: `targets:
${target('    labels: { environment: production, region: eu }\n')}${target('    labels: { enviroment: staging, region: eu }\n', 'staging')}${target('', 'qa')}`,
    problems: [
      `${F}:9: targets[1].labels: every target needs the same label names as targets[0] (environment, region): missing environment; unexpected enviroment (use "" for no value)`,
      `${F}:10: targets[2].labels: every target needs the same label names as targets[0] (environment, region): missing environment, region (use "" for no value)`,
    ],
  },
  {
    name: 'label values must be scalars',
    yaml: `targets:
${target('    labels: { environment: [a, b] }\n')}`,
    problems: [`${F}:5: targets[0].labels.environment: expected a string, number or boolean, got a list`],
  },
  {
    name: 'top-level options',
    yaml: `listen: "db:99999"
dataDir: secrets/token
concurrency: 0
retention: { maxAgeDays: 1.5 }
retry: { attempts: -1, initialDelay: 1m }
logLevel: verbose
bearerToken: abc
bearerTokenFile: secrets/token
targets:
${target()}`,
    problems: [
      `${F}:1: listen: "db:99999" is not an address (write host:port, e.g. 0.0.0.0:9772 or :9772)`,
      `${F}:2: dataDir: not a directory: secrets/token`,
      `${F}:3: concurrency: must be at least 1`,
      `${F}:4: retention.maxAgeDays: must be a whole number`,
      `${F}:5: retry.attempts: must be 0 (no retry) or more`,
      `${F}:5: retry.initialDelay: must not be longer than retry.maxDelay (30s by default)`,
      `${F}:6: logLevel: expected one of debug, info, warn, error`,
      `${F}:8: bearerTokenFile: give either bearerToken or bearerTokenFile, not both`,
    ],
  },
  {
    name: 'secret files that cannot be read',
    yaml: `bearerTokenFile: secrets/empty
targets:
${target('    passwordFile: secrets/nope\n')}${target('    passwordFile: secrets\n', 'b')}`,
    problems: [
      `${F}:1: bearerTokenFile: file is empty: secrets/empty`,
      `${F}:6: targets[0].passwordFile: cannot read secrets/nope (ENOENT)`,
      `${F}:10: targets[1].passwordFile: not a regular file: secrets`,
    ],
  },
  {
    name: 'password given twice',
    yaml: `targets:
  - name: a
    url: postgres://app:pw@db/a
    password: pw
    passwordFile: secrets/db-password
    desired: { dir: ./migrations }
`,
    problems: [
      `${F}:4: targets[0].password: the url already contains a password; give it in one place`,
      `${F}:5: targets[0].passwordFile: a password is already given (in the url or as password); give it in one place`,
    ],
  },
  {
    name: 'a ?password= url parameter and a password file',
    yaml: `targets:
  - name: a
    url: postgres://app@db/a?password=pw
    passwordFile: secrets/db-password
    desired: { dir: ./migrations }
`,
    problems: [`${F}:4: targets[0].passwordFile: a password is already given (in the url or as password); give it in one place`],
  },
  {
    name: 'watchCounters: not a boolean, and on a PostgreSQL target',
    yaml: `targets:
  - name: a
    url: mysql://app@db:3306/a
    desired: { dir: ./migrations, devUrl: "mysql://root@dev:3306/" }
    watchCounters: "no"
${target('    watchCounters: false\n')}`,
    problems: [
      `${F}:5: targets[0].watchCounters: expected a boolean, got a string`,
      `${F}:9: targets[1].watchCounters: only MySQL/MariaDB targets have the DDL-counter gate (target "prod")`,
    ],
  },
];

describe('bad configurations', () => {
  it.each(cases)('$name', async ({ yaml, problems }) => {
    expect(await fx.problems(yaml)).toEqual(problems);
  });

  it('message is one line: the first problem in file order and how many more; context names file and line', async () => {
    const err = await fx.parse(cases.find((c) => c.name === 'top-level options')!.yaml).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err).toBeInstanceOf(ConfigError);
    const error = err as ConfigFileError;
    expect(error.message).toBe(
      'listen: "db:99999" is not an address (write host:port, e.g. 0.0.0.0:9772 or :9772) (and 7 more problems)',
    );
    expect(error.reason).toBe('config');
    expect(error.context).toEqual({ file: fx.file, line: 1 });
    expect(error.issues).toHaveLength(8);
    expect(error.issues[1]).toEqual({ path: ['dataDir'], message: `not a directory: ${fx.dir}/secrets/token`, line: 2 });
  });

  it('a single problem has no count', async () => {
    const err = (await fx.parse('targets: []\n').catch((e: unknown) => e)) as ConfigFileError;
    expect(err.message).toBe('targets: configure at least one target');
  });

  it('an unreadable file is a ConfigError naming the file', async () => {
    const missing = `${fx.dir}/nope.yaml`;
    const err = await loadConfig(missing, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).describe()).toBe(`${missing}: cannot read the configuration file (ENOENT)`);
  });
});
