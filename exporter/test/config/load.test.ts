/**
 * Valid configurations: defaults, relative paths, YAML anchors shared by targets, and the exact `AgentConfig`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { DEFAULT_PORT, DEFAULT_SCHEDULE } from '../../src/config/types.ts';
import { createConfigFixture } from './config-fixture.ts';

const fx = createConfigFixture();
afterAll(() => fx.remove());

describe('parseConfig', () => {
  it('fills every default of a minimal file', async () => {
    const config = await fx.parse(`targets:
  - name: prod
    url: postgres://app@db:5432/prod
    desired: { dir: migrations }
`);
    expect(config).toEqual({
      file: fx.file,
      listen: { host: '0.0.0.0', port: DEFAULT_PORT },
      dataDir: join(fx.dir, 'data'),
      concurrency: 2,
      manualCheckIntervalMs: 30_000,
      retention: { maxAgeDays: 30, maxReportsPerTarget: 500 },
      retry: { attempts: 3, initialDelayMs: 1000, maxDelayMs: 30_000 },
      logLevel: 'info',
      labelNames: [],
      targets: [
        {
          name: 'prod',
          dialect: 'postgres',
          url: 'postgres://app@db:5432/prod',
          displayUrl: 'postgres://app@db:5432/prod',
          desired: { dir: join(fx.dir, 'migrations') },
          exclude: {},
          schedule: DEFAULT_SCHEDULE,
          labels: {},
          connectTimeoutMs: 10_000,
          statementTimeoutMs: 30_000,
          checkTimeoutMs: 600_000,
          watchMs: 60_000,
          deployingRetryMs: 15_000,
          deployingLimitMs: 1_800_000,
          checkColumnOrder: false,
          ignoreExtensionVersions: false,
          privileges: false,
        },
      ],
    });
  });

  it('takes every option', async () => {
    const config = await fx.parse(`listen: 127.0.0.1:9800
dataDir: /var/lib/schema-drift
bearerToken: tok
concurrency: 4
retention: { maxAgeDays: 7, maxReportsPerTarget: 50 }
retry: { attempts: 0, initialDelay: 500ms, maxDelay: 1m30s }
logLevel: debug
targets:
  - name: orders.eu-1
    url: mysql://app@db:3306/orders
    desired: { dir: ./other, format: golang-migrate, devUrl: "mariadb://root@scratch:3306/dev" }
    schemas: [orders]
    exclude: { table: ["*.tmp_*"], index: [orders.audit.*] }
    schedule: "*/15 * * * *"
    timezone: Europe/Berlin
    labels: { environment: production, shard: 3, canary: false }
    connectTimeout: 5s
    statementTimeout: 1m
    checkTimeout: 1h
    watch: 30s
    deployingRetry: 5s
    deployingLimit: 10m
    checkColumnOrder: true
    ignoreExtensionVersions: true
    privileges: true
`);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 9800 });
    expect(config.dataDir).toBe('/var/lib/schema-drift');
    expect(config.bearerToken).toBe('tok');
    expect(config.concurrency).toBe(4);
    expect(config.retention).toEqual({ maxAgeDays: 7, maxReportsPerTarget: 50 });
    expect(config.retry).toEqual({ attempts: 0, initialDelayMs: 500, maxDelayMs: 90_000 });
    expect(config.logLevel).toBe('debug');
    expect(config.labelNames).toEqual(['canary', 'environment', 'shard']);
    expect(config.targets[0]).toEqual({
      name: 'orders.eu-1',
      dialect: 'mysql',
      url: 'mysql://app@db:3306/orders',
      displayUrl: 'mysql://app@db:3306/orders',
      desired: { dir: join(fx.dir, 'other'), format: 'golang-migrate', devUrl: 'mariadb://root@scratch:3306/dev' },
      schemas: ['orders'],
      exclude: { table: ['*.tmp_*'], index: ['orders.audit.*'] },
      schedule: '*/15 * * * *',
      timezone: 'Europe/Berlin',
      labels: { environment: 'production', shard: '3', canary: 'false' },
      connectTimeoutMs: 5000,
      statementTimeoutMs: 60_000,
      checkTimeoutMs: 3_600_000,
      watchMs: 30_000,
      deployingRetryMs: 5_000,
      deployingLimitMs: 600_000,
      checkColumnOrder: true,
      ignoreExtensionVersions: true,
      privileges: true,
      // On by default for a MySQL/MariaDB target.
      events: true,
    });
  });

  it.each([
    ['0', 0],
    ['"0"', 0],
    ['5s', 5_000],
  ])('watch: %s', async (watch, expected) => {
    const config = await fx.parse(`targets: [{ name: a, url: "postgres://db/a", desired: { dir: migrations }, watch: ${watch} }]
`);
    expect(config.targets[0]?.watchMs).toBe(expected);
  });

  it('watchCounters: false on a MySQL/MariaDB target turns the gate off; absent leaves it on', async () => {
    const config = await fx.parse(`targets:
  - { name: a, url: "mysql://app@db:3306/a", desired: { dir: migrations, devUrl: "mysql://root@dev:3306/" }, watchCounters: false }
  - { name: b, url: "mysql://app@db:3306/b", desired: { dir: migrations, devUrl: "mysql://root@dev:3306/" } }
`);
    expect(config.targets.map((t) => t.watchCounters)).toEqual([false, undefined]);
  });

  it.each([
    ['":9800"', { host: '0.0.0.0', port: 9800 }],
    ['9800', { host: '0.0.0.0', port: 9800 }],
    ['"[::1]:9800"', { host: '::1', port: 9800 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('listen %s', async (listen, expected) => {
    const config = await fx.parse(`listen: ${listen}
targets: [{ name: a, url: "postgres://db/a", desired: { dir: migrations } }]
`);
    expect(config.listen).toEqual(expected);
  });

  it('shares one migration directory through an x- anchor and a << merge', async () => {
    const config = await fx.parse(`x-migrations: &migrations
  dir: ./migrations
  format: plain
x-common: &common
  schedule: "0 * * * *"
  connectTimeout: 3s
targets:
  - name: production
    url: postgres://app@prod-db/app
    desired: *migrations
    labels: { environment: production }
    <<: *common
  - name: staging
    url: postgres://app@staging-db/app
    desired: *migrations
    labels: { environment: staging }
    <<: *common
    schedule: "30 * * * *"
`);
    const [production, staging] = config.targets;
    expect(production?.desired).toEqual({ dir: join(fx.dir, 'migrations'), format: 'plain' });
    expect(staging?.desired).toEqual(production?.desired);
    expect([production?.schedule, staging?.schedule]).toEqual(['0 * * * *', '30 * * * *']);
    expect([production?.connectTimeoutMs, staging?.connectTimeoutMs]).toEqual([3000, 3000]);
    expect(config.labelNames).toEqual(['environment']);
  });

  it('a problem inside an anchor points at the anchor text', async () => {
    const problems = await fx.problems(`x-migrations: &migrations
  dir: ./gone
targets:
  - name: production
    url: postgres://app@prod-db/app
    desired: *migrations
`);
    expect(problems).toEqual(['schema-drift.yaml:2: targets[0].desired.dir: directory does not exist: gone']);
    const merged = await fx.problems(`x-common: &common
  connectTimeout: soon
targets:
  - name: production
    url: postgres://app@prod-db/app
    desired: { dir: migrations }
    <<: *common
`);
    expect(merged).toEqual([
      'schema-drift.yaml:2: targets[0].connectTimeout: "soon" is not a duration (write e.g. 500ms, 10s, 5m, 1h30m)',
    ]);
  });

  it('an explicit "" label value satisfies the same-label-names rule', async () => {
    const config = await fx.parse(`targets:
  - { name: a, url: "postgres://db/a", desired: { dir: migrations }, labels: { environment: production, team: core } }
  - { name: b, url: "postgres://db/b", desired: { dir: migrations }, labels: { environment: staging, team: "" } }
`);
    expect(config.targets.map((t) => t.labels)).toEqual([
      { environment: 'production', team: 'core' },
      { environment: 'staging', team: '' },
    ]);
  });
});

describe('loadConfig', () => {
  it('resolves relative paths against the config file directory, not the working directory', async () => {
    const nested = join(fx.dir, 'etc', 'schema-drift');
    mkdirSync(join(nested, 'db', 'migrations'), { recursive: true });
    writeFileSync(join(nested, 'pw'), 'x');
    const file = join(nested, 'schema-drift.yaml');
    writeFileSync(
      file,
      `dataDir: ../state
targets:
  - name: a
    url: postgres://app@db/a
    passwordFile: pw
    desired: { dir: db/migrations }
`,
    );
    const config = await loadConfig(file, {});
    expect(config.file).toBe(file);
    expect(config.dataDir).toBe(join(fx.dir, 'etc', 'state'));
    expect(config.targets[0]?.desired.dir).toBe(join(nested, 'db', 'migrations'));
    expect(config.targets[0]?.passwordFile).toBe(join(nested, 'pw'));
  });
});

describe('exporter/examples/schema-drift.yaml', () => {
  const example = new URL('../../examples/schema-drift.yaml', import.meta.url).pathname;
  const examples = join(example, '..');

  it('loads: production and staging share one migration directory and the environment label', async () => {
    const passwordFile = join(fx.dir, 'secrets', 'db-password');
    const text = (await readFile(example, 'utf8')).replace('/run/secrets/staging-db-password', passwordFile);
    const config = await parseConfig(text, example, { PROD_DB_PASSWORD: 'pw' });
    expect(config.labelNames).toEqual(['environment']);
    expect(config.dataDir).toBe(join(examples, 'data'));
    const [production, staging] = config.targets;
    expect(production).toMatchObject({
      name: 'production',
      displayUrl: 'postgres://schema_drift@prod-db.internal:5432/app?sslmode=require',
      desired: { dir: join(examples, 'migrations'), format: 'golang-migrate' },
      labels: { environment: 'production' },
      schemas: ['public'],
      exclude: { table: ['public.tmp_*'] },
      schedule: '0 6,18 * * *',
      timezone: 'Europe/Berlin',
    });
    expect(production?.url).toBe('postgres://schema_drift:pw@prod-db.internal:5432/app?sslmode=require');
    expect(staging).toMatchObject({ name: 'staging', passwordFile, labels: { environment: 'staging' }, schedule: '0 * * * *' });
    expect(staging?.desired).toEqual(production?.desired);
  });

  it('without its secrets, names exactly the unset variable and the missing password file', async () => {
    const lines = (await readFile(example, 'utf8')).split('\n');
    const lineOf = (start: string) => lines.findIndex((l) => l.trimStart().startsWith(start)) + 1;
    const err = await loadConfig(example, {}).catch((e: unknown) => e);
    expect((err as Error & { describe(): string }).describe().split('\n')).toEqual([
      `${example}:${lineOf('password:')}: targets[0].password: environment variable PROD_DB_PASSWORD is not set`,
      `${example}:${lineOf('passwordFile:')}: targets[1].passwordFile: cannot read /run/secrets/staging-db-password (ENOENT)`,
    ]);
  });
});
