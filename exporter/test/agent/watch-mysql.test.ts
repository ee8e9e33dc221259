/**
 * The watch end to end on the real MariaDB server, through the fingerprint's gate (`dialects/mysql/fingerprint.ts`):
 * an agent loaded from YAML with a one-day schedule and a 2 s watch on a one-migration database. Inserts,
 * `ANALYZE TABLE` and `OPTIMIZE TABLE` start no check; a hand-made `ALTER TABLE` reaches `schema_drift_detected`
 * within 30 s (the time measured is printed). Other tests run DDL on the same server meanwhile, which moves the
 * server-wide counters: that costs the watch a query, never a check.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { createTempMysqlDatabase, MYSQL_URL, type TempDatabase } from '../support/servers.ts';
import { http, LogCapture, metric, tempDir, untilMetrics } from './support.ts';

/** Once a day at 03:00: never during the test, so every check after the first comes from the watch. */
const DAILY = '0 3 * * *';
const MIGRATION = 'CREATE TABLE accounts (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, KEY accounts_name (name))';

let db: TempDatabase;
let agent: RunningAgent;
let temp: Awaited<ReturnType<typeof tempDir>>;
const logs = new LogCapture();

async function metrics(): Promise<string> {
  return (await http(agent.url, '/metrics')).text;
}

const until = (ready: (text: string) => boolean, limitMs: number) => untilMetrics(agent.url, ready, limitMs);

beforeAll(async () => {
  db = await createTempMysqlDatabase('sdwatch');
  await db.exec(`${MIGRATION};
    CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
    INSERT INTO schema_migrations VALUES (1, 0)`);
  temp = await tempDir('sd-watch-mysql-');
  await mkdir(path.join(temp.dir, 'migrations'));
  await temp.write('migrations/000001_init.up.sql', `${MIGRATION};\n`);
  const yaml = `listen: 127.0.0.1:9772
dataDir: ./data
logLevel: info
targets:
  - name: hand
    url: ${JSON.stringify(db.url)}
    desired: { dir: ./migrations, format: golang-migrate, devUrl: ${JSON.stringify(MYSQL_URL)} }
    schedule: "${DAILY}"
    watch: 2s
`;
  const config = await loadConfig(await temp.write('schema-drift.yaml', yaml));
  expect(config.targets.map((t) => [t.name, t.watchMs, t.schedule])).toEqual([['hand', 2000, DAILY]]);
  agent = await startAgent({ ...config, listen: { host: '127.0.0.1', port: 0 } }, { logger: createLogger('info', logs), version: VERSION, stopGraceMs: 10_000 });
  await agent.firstChecks;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await db?.drop();
  await temp?.remove();
});

describe('the watch on MariaDB', () => {
  it('starts in sync and reads a baseline fingerprint', async () => {
    const { text } = await until((t) => metric(t, 'schema_drift_watch_queries_total', { target: 'hand' }) >= 1, 15_000);
    expect(metric(text, 'schema_drift_detected', { target: 'hand' })).toBe(0);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(1);
    expect(metric(text, 'schema_drift_watch_errors_total', { target: 'hand' })).toBe(0);
    // Within the gate's quiet time after start (max(2 × 2 s, 60 s)) every read runs the full query.
    expect(metric(text, 'schema_drift_watch_full_queries_total', { target: 'hand' })).toBe(
      metric(text, 'schema_drift_watch_queries_total', { target: 'hand' }),
    );
  });

  it('sees nothing in 1,000 inserts, ANALYZE TABLE and OPTIMIZE TABLE', async () => {
    const queries = metric(await metrics(), 'schema_drift_watch_queries_total', { target: 'hand' });
    await db.exec(`INSERT INTO accounts (name) SELECT CONCAT('account ', seq) FROM seq_1_to_1000;
      ANALYZE TABLE accounts; OPTIMIZE TABLE accounts`);
    // Three more reads after the statements, each running the full query (the gate's quiet time is 60 s).
    const { text } = await until((t) => metric(t, 'schema_drift_watch_queries_total', { target: 'hand' }) >= queries + 3, 30_000);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(1);
    expect(metric(text, 'schema_drift_detected', { target: 'hand' })).toBe(0);
    expect(metric(text, 'schema_drift_schema_change_timestamp_seconds', { target: 'hand' })).toBe(0);
  }, 40_000);

  it('turns a hand-made ALTER TABLE into schema_drift_detected 1 within 30 s', async () => {
    await db.exec('ALTER TABLE accounts ADD COLUMN nickname varchar(40) NULL');
    const { text, ms } = await until((t) => metric(t, 'schema_drift_detected', { target: 'hand' }) === 1, 30_000);
    console.info(`watch (MariaDB): DDL to schema_drift_detected=1 in ${ms} ms (watch 2s, the metric polled every 250 ms)`);
    expect(metric(text, 'schema_drift_checks_total', { target: 'hand' })).toBe(2);
    const report = (await http(agent.url, '/api/v1/targets/hand/reports/latest')).json<{ status: string }>();
    expect(report.status).toBe('drift');
  }, 40_000);
});
