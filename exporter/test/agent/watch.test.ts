/**
 * The watch end to end on the real PostgreSQL server: an agent loaded from YAML with a one-day schedule and a 5 s
 * watch. Maintenance and writes change nothing; a hand-made `ALTER TABLE` reaches `schema_drift_detected` within 30 s
 * (the time measured is printed); a deploy in flight (golang-migrate's advisory lock held, its row dirty, half its
 * DDL applied) is `deploying`, not drift, and the retry after the lock is released finds the target in sync.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { golangMigrateLockId } from '../../src/revision/deploy-locks.ts';
import { VERSION } from '../../src/version.ts';
import { pgUrlFor, type TempDatabase, withPgClient } from '../support/servers.ts';
import { http, LogCapture, metric, MIGRATIONS, migratedDatabase, tempDir, untilMetrics } from './support.ts';

/** Once a day at 03:00: never during the test, so every check after the first comes from the watch or a retry. */
const DAILY = '0 3 * * *';

let hand: TempDatabase;
let deploy: TempDatabase;
let agent: RunningAgent;
let temp: Awaited<ReturnType<typeof tempDir>>;
const logs = new LogCapture();

async function metrics(): Promise<string> {
  return (await http(agent.url, '/metrics')).text;
}

const until = (ready: (text: string) => boolean, limitMs: number) => untilMetrics(agent.url, ready, limitMs);

beforeAll(async () => {
  hand = await migratedDatabase('sdwatch_hand', 4);
  deploy = await migratedDatabase('sdwatch_deploy', 3);
  temp = await tempDir('sd-watch-');
  const yaml = `listen: 127.0.0.1:9772
dataDir: ./data
concurrency: 2
logLevel: info
x-target: &target
  desired: { dir: ${JSON.stringify(MIGRATIONS)}, format: golang-migrate }
  schedule: "${DAILY}"
  watch: 5s
  deployingRetry: 2s
targets:
  - name: hand
    url: ${JSON.stringify(pgUrlFor(hand.name))}
    <<: *target
  - name: deploy
    url: ${JSON.stringify(pgUrlFor(deploy.name))}
    <<: *target
`;
  const config = await loadConfig(await temp.write('schema-drift.yaml', yaml));
  expect(config.targets.map((t) => [t.name, t.watchMs, t.schedule])).toEqual([
    ['hand', 5000, DAILY],
    ['deploy', 5000, DAILY],
  ]);
  agent = await startAgent({ ...config, listen: { host: '127.0.0.1', port: 0 } }, { logger: createLogger('info', logs), version: VERSION, stopGraceMs: 10_000 });
  await agent.firstChecks;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await hand?.drop();
  await deploy?.drop();
  await temp?.remove();
});

describe('the watch', () => {
  it('starts in sync and reads a baseline fingerprint', async () => {
    const { text } = await until((t) => metric(t, 'schema_drift_watch_queries_total', { target: 'hand' }) >= 1, 15_000);
    expect(metric(text, 'schema_drift_detected', { target: 'hand' })).toBe(0);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(1);
    expect(metric(text, 'schema_drift_watch_errors_total', { target: 'hand' })).toBe(0);
    expect(metric(text, 'schema_drift_schema_change_timestamp_seconds', { target: 'hand' })).toBe(0);
  });

  it('sees nothing in ANALYZE, VACUUM and 1,000 inserts', async () => {
    const before = await metrics();
    const queries = metric(before, 'schema_drift_watch_queries_total', { target: 'hand' });
    await withPgClient(hand, async (c) => {
      const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM accounts');
      expect(Number(rows[0]?.n)).toBe(0);
      await c.query(`INSERT INTO accounts (name) SELECT 'account ' || g FROM generate_series(1, 1000) g`);
      await c.query('ANALYZE');
      await c.query('VACUUM accounts');
    });
    // Two more fingerprint reads after the writes.
    const { text } = await until((t) => metric(t, 'schema_drift_watch_queries_total', { target: 'hand' }) >= queries + 2, 20_000);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(1);
    expect(metric(text, 'schema_drift_detected', { target: 'hand' })).toBe(0);
    expect(metric(text, 'schema_drift_schema_change_timestamp_seconds', { target: 'hand' })).toBe(0);
  }, 30_000);

  it('turns a hand-made ALTER TABLE into schema_drift_detected 1 within 30 s', async () => {
    const altered = Date.now();
    await hand.exec('ALTER TABLE accounts ADD COLUMN nickname text');
    const { text, ms } = await until((t) => metric(t, 'schema_drift_detected', { target: 'hand' }) === 1, 30_000);
    console.info(`watch: DDL to schema_drift_detected=1 in ${ms} ms (watch 5s, the metric polled every 250 ms)`);
    expect(ms).toBeLessThan(30_000);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(2);
    expect(metric(text, 'schema_drift_schema_change_timestamp_seconds', { target: 'hand' }) * 1000).toBeGreaterThanOrEqual(altered - 1000);
    const report = (await http(agent.url, '/api/v1/targets/hand/reports/latest')).json<{ status: string; changes: { action: string }[] }>();
    expect(report.status).toBe('drift');
  }, 40_000);

  it('reports a deploy in flight as deploying, then in sync once the tool releases its lock', async () => {
    const lock = new pg.Client({ connectionString: deploy.url });
    await lock.connect();
    try {
      // What golang-migrate's postgres driver does for `migrate up` from 3 to 4: lock, mark dirty, apply, clear.
      const key = golangMigrateLockId(deploy.name, 'public', 'schema_migrations');
      await lock.query('SELECT pg_advisory_lock($1::int8)', [key.toString()]);
      await lock.query('UPDATE schema_migrations SET version = 4, dirty = true');
      const up = await readFile(path.join(MIGRATIONS, '000004_invoices.up.sql'), 'utf8');
      await lock.query(up);
      const { text } = await until((t) => metric(t, 'schema_drift_deploying', { target: 'deploy' }) === 1, 30_000);
      expect(metric(text, 'schema_drift_detected', { target: 'deploy' })).toBe(0);
      expect(metric(text, 'schema_drift_migration_dirty', { target: 'deploy' })).toBe(0);
      const report = (await http(agent.url, '/api/v1/targets/deploy/reports/latest')).json<{ status: string; revision: { deploying?: string } }>();
      expect(report.status).toBe('deploying');
      expect(report.revision.deploying).toMatch(/golang-migrate holds its migration lock/);
      await lock.query('UPDATE schema_migrations SET dirty = false');
      await lock.query('SELECT pg_advisory_unlock($1::int8)', [key.toString()]);
    } finally {
      await lock.end();
    }
    // The retry (deployingRetry 2s) finds the deploy done and the schema as migration 4 defines it.
    const { text } = await until((t) => metric(t, 'schema_drift_deploying', { target: 'deploy' }) === 0, 30_000);
    expect(metric(text, 'schema_drift_detected', { target: 'deploy' })).toBe(0);
    const report = (await http(agent.url, '/api/v1/targets/deploy/reports/latest')).json<{ status: string }>();
    expect(report.status).toBe('in_sync');
  }, 70_000);
});
