/**
 * A MariaDB target in the exporter, like a PostgreSQL one: runCheck statuses (in_sync, drift) with counts for every
 * metric kind, test-connection, and the agent started from a YAML file with a MariaDB target: /metrics
 * (promtool-clean) shows its drift, the API's reconcile.sql applied with the mariadb client brings it back in sync on
 * the next check. Pending, dirty and a broken migration read the same on every dialect: engine/check-scenarios.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { type DesiredSchema, runCheck } from '../../src/agent/run-check.ts';
import { formatConnectionTest, testConnection } from '../../src/agent/test-connection.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { METRIC_KINDS } from '../../src/core/model/change.ts';
import { VERSION } from '../../src/version.ts';
import { metric, promtoolCheck } from '../agent/support.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import { MYSQL_URL, createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const EXAMPLE = EXAMPLE_MIGRATIONS.mysql;

/** A target (see `testTarget`) whose desired schema is the bundled example migrations. */
function targetFor(name: string, url: string, fields: Partial<TargetConfig> = {}): TargetConfig {
  return testTarget(name, url, { desired: { dir: EXAMPLE, format: 'golang-migrate', devUrl: MYSQL_URL }, ...fields });
}

const databases: TempDatabase[] = [];

/** The example deployed by "golang-migrate" up to `version`, then SQL typed by hand. */
async function migrated(version: number, options: { extra?: string } = {}): Promise<TempDatabase> {
  const db = await createTempMysqlDatabase('sdcheck');
  databases.push(db);
  return deployExample('mysql', db, version, options);
}

const HAND_TYPED = `
  ALTER TABLE users ADD COLUMN nickname varchar(40) NULL;
  ALTER TABLE invoices MODIFY currency char(3) NOT NULL DEFAULT 'USD';
  CREATE INDEX projects_name_idx ON projects (name);
  DROP TRIGGER tasks_touch_updated_at;`;

async function applyWithClient(db: TempDatabase, script: string): Promise<void> {
  const url = new URL(MYSQL_URL);
  const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root'];
  if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
  await new Promise<void>((resolve, reject) => {
    const child = execFile('mariadb', [...args, db.name], (err, _stdout, stderr) =>
      err ? reject(new Error(`mariadb failed: ${stderr}\n--- script ---\n${script}`)) : resolve(),
    );
    child.stdin?.end(script);
  });
}

afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe('runCheck of a MariaDB target', () => {
  const cache = new DesiredCache<DesiredSchema>();

  it('in sync: status in_sync, zero counts for every kind, engine names the dev server', async () => {
    const db = await migrated(4);
    const report = await runCheck(targetFor('synced', db.url), { cache });
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.counts.total).toBe(0);
    expect(Object.keys(report.counts.byKind).sort()).toEqual([...METRIC_KINDS].sort());
    expect(report.engine).toMatchObject({ dialect: 'mysql', replay: 'server', cached: false });
    expect(report.engine.replayServerVersion).toMatch(/MariaDB/);
    expect(report.engine.targetServerVersion).toMatch(/MariaDB/);
    expect(report.revision).toMatchObject({ tool: 'golang-migrate', version: '4', dirty: false });
    expect(report.ddl.desired).toMatch(/CREATE TABLE `invoices`/);
    // The test server's root is the dev user: the one warning is about its SUPER and FILE (mysql/dev-user.test.ts).
    expect(report.warnings).toEqual([expect.stringMatching(/^dev server mysql:\/\/root@.*has the FILE and SUPER privileges/)]);
  }, 60_000);

  it('drift: counts by kind and action, MySQL reconcile SQL, both sides as MySQL DDL', async () => {
    const db = await migrated(4, { extra: HAND_TYPED });
    const report = await runCheck(targetFor('drifted', db.url), { cache });
    expect(report.status).toBe('drift');
    expect(report.counts.byKind.column).toEqual({ extra: 1, missing: 0, changed: 1 });
    expect(report.counts.byKind.index).toEqual({ extra: 1, missing: 0, changed: 0 });
    expect(report.counts.byKind.trigger).toEqual({ extra: 0, missing: 1, changed: 0 });
    expect(report.counts.total).toBe(4);
    expect(report.reconcile.error).toBeUndefined();
    expect(report.reconcile.sql).toMatch(/ALTER TABLE `users`/);
    expect(report.reconcile.sql).toMatch(/CREATE TRIGGER `tasks_touch_updated_at`/);
    expect(report.ddl.current).toMatch(/`nickname`/);
    expect(report.ddl.desired).not.toMatch(/`nickname`/);
    // The replay is named after the live database, so the cache serves the next check of the same database.
    expect(report.engine.cached).toBe(false);
    const again = await runCheck(targetFor('drifted', db.url), { cache });
    expect(again.engine.cached).toBe(true);
    expect(again.counts).toEqual(report.counts);
  }, 60_000);

  it('an unreachable dev server: error report, reason connect', async () => {
    const db = await migrated(4);
    const target = targetFor('nodev', db.url, { desired: { dir: EXAMPLE, format: 'golang-migrate', devUrl: 'mysql://root@127.0.0.1:1/x' } });
    const report = await runCheck(target, { cache });
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe('connect');
    expect(report.revision).toMatchObject({ version: '4' });
  }, 60_000);
});

describe('testConnection of a MariaDB target', () => {
  it('reports the flavour, version and revision table', async () => {
    const db = await migrated(4);
    const result = await testConnection(targetFor('shop', db.url));
    expect(result).toMatchObject({ ok: true, flavor: 'mariadb', warnings: [expect.stringMatching(/^dev server mysql:\/\/root@.*has the FILE and SUPER privileges/)] });
    expect(result.revision).toMatchObject({ tool: 'golang-migrate', version: '4', table: `${db.name}.schema_migrations` });
    expect(formatConnectionTest(result)).toMatch(
      new RegExp(`^ok   shop \\(.*\\): MariaDB 10\\.\\d+\\.\\d+-MariaDB\\S*; catalogs readable; revision table ${db.name}\\.schema_migrations \\(golang-migrate\\) at version 4; warning: dev server mysql://root@\\S+: account root@\\S+ has the FILE and SUPER privileges, .*$`),
    );
  });

  it('warns about an empty database and an unusable dev server', async () => {
    const db = await createTempMysqlDatabase('sdcheck');
    databases.push(db);
    const result = await testConnection(
      targetFor('empty', db.url, { desired: { dir: EXAMPLE, devUrl: 'mysql://root:hidden@127.0.0.1:1/x' } }),
    );
    expect(result.ok).toBe(true);
    expect(result.revision).toBeNull();
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/no tables visible/);
    expect(result.warnings[1]).toMatch(/^dev server \(desired\.devUrl\) not usable.*connect/);
    expect(result.warnings.join(' ')).not.toContain('hidden');
  });

  it('a missing database: ok=false, reason connect', async () => {
    const result = await testConnection(targetFor('gone', MYSQL_URL.replace(/\/[^/]*$/, '/sd_no_such_database')));
    expect(result.ok).toBe(false);
    expect(result.error?.reason).toBe('connect');
  });
});

describe('the agent with a MariaDB target', () => {
  let agent: RunningAgent;
  let work: string;
  let shop: TempDatabase;
  beforeAll(async () => {
    shop = await migrated(4, { extra: HAND_TYPED });
    work = await mkdtemp(path.join(tmpdir(), 'sd-mysql-agent-'));
    const file = path.join(work, 'schema-drift.yaml');
    await writeFile(
      file,
      `dataDir: ./data
targets:
  - name: shop
    url: ${shop.url}
    desired:
      dir: ${JSON.stringify(EXAMPLE)}
      format: golang-migrate
      devUrl: ${MYSQL_URL}
    schedule: "0 0 1 1 *"
    labels: { environment: production }
`,
    );
    const config = await loadConfig(file);
    expect(config.targets[0]?.dialect).toBe('mysql');
    agent = await startAgent({ ...config, listen: { host: '127.0.0.1', port: 0 } }, { logger: pino({ level: 'silent' }), version: VERSION });
    await agent.firstChecks;
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('publishes the drift on /metrics like a PostgreSQL target, and promtool accepts it', async () => {
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    expect(metric(text, 'schema_drift_target_up', { target: 'shop' })).toBe(1);
    expect(metric(text, 'schema_drift_detected', { target: 'shop' })).toBe(1);
    expect(metric(text, 'schema_drift_changes', { target: 'shop', kind: 'column', action: 'extra' })).toBe(1);
    expect(metric(text, 'schema_drift_changes', { target: 'shop', kind: 'column', action: 'changed' })).toBe(1);
    expect(metric(text, 'schema_drift_changes', { target: 'shop', kind: 'trigger', action: 'missing' })).toBe(1);
    expect(metric(text, 'schema_drift_changes', { target: 'shop', kind: 'view', action: 'extra' })).toBe(0);
    expect(metric(text, 'schema_drift_migration_dirty', { target: 'shop' })).toBe(0);
    expect(text).not.toContain(shop.name.replace('sdcheck_', ''));
    const lint = promtoolCheck(text);
    expect(lint.status, lint.output).toBe(0);
  });

  it('serves reconcile.sql that, applied with the mariadb client, brings the next check in sync', async () => {
    const res = await fetch(`${agent.url}/api/v1/targets/shop/reports/latest/reconcile.sql`);
    expect(res.status).toBe(200);
    const script = await res.text();
    expect(script).toMatch(/DROP INDEX `projects_name_idx`|DROP KEY `projects_name_idx`/);
    await applyWithClient(shop, script);
    const report = await agent.scheduler.runNow('shop');
    expect(report.status).toBe('in_sync');
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    expect(metric(text, 'schema_drift_detected', { target: 'shop' })).toBe(0);
    expect(metric(text, 'schema_drift_changes', { target: 'shop', kind: 'column', action: 'extra' })).toBe(0);
  }, 60_000);
});

describe('runCheck of a MariaDB target with events: true', () => {
  it('an event typed by hand is drift of kind other only when the target asks for events', async () => {
    const db = await migrated(4, { extra: 'CREATE EVENT hand_made ON SCHEDULE EVERY 1 HOUR DO DELETE FROM users WHERE id < 0;' });
    const cache = new DesiredCache<DesiredSchema>();
    const without = await runCheck(targetFor('no-events', db.url), { cache });
    expect(without.status).toBe('in_sync');
    const report = await runCheck(targetFor('events', db.url, { events: true }), { cache });
    // The replay inspected without events is cached apart: this check replays again.
    expect(report.engine.cached).toBe(false);
    expect(report.status).toBe('drift');
    expect(report.counts.total).toBe(1);
    expect(report.counts.byKind.other).toEqual({ extra: 1, missing: 0, changed: 0 });
    expect(report.reconcile.sql).toContain('DROP EVENT `hand_made`;');
    expect(report.ddl.current).toContain('CREATE EVENT `hand_made` ON SCHEDULE EVERY 1 HOUR ON COMPLETION NOT PRESERVE ENABLE');
  }, 60_000);
});
