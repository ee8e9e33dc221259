/**
 * A fleet end to end: an agent started from YAML with one schema-discovering entry on the real PostgreSQL, three
 * tenant schemas (two alike, one hot-fixed). The first round checks every tenant; `/api/v1/fleets` and the variants
 * say 2 + 1; `/metrics` carries each tenant as a `target` and the fleet series (promtool-clean); a schema dropped and
 * listed again takes its target and series with it, a new one is scheduled and checked.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { VERSION } from '../../src/version.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { eventually, http, LogCapture, metric, promtoolCheck, tempDir } from './support.ts';

const SQL = `CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), due date);
`;

let db: TempDatabase;
let agent: RunningAgent;
let dir: Awaited<ReturnType<typeof tempDir>>;
const logs = new LogCapture();
const fleet = `shop${randomBytes(2).toString('hex')}`;

async function json<T = Record<string, unknown>[]>(path: string): Promise<T> {
  const res = await http(agent.url, path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.json<T>();
}

beforeAll(async () => {
  db = await createTempPgDatabase('fleet_agent');
  for (const schema of ['t_a', 't_b', 't_c']) await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}; ${SQL}`);
  await db.exec('CREATE INDEX hotfix ON t_c.invoices (due)');
  dir = await tempDir('sd-fleet-agent-');
  await mkdir(join(dir.dir, 'migrations'));
  await dir.write('migrations/001_init.sql', SQL);
  const file = await dir.write('schema-drift.yaml', `listen: 127.0.0.1:9772
dataDir: ./data
targets:
  - name: ${fleet}
    url: ${db.url}
    desired: { dir: ./migrations }
    schedule: '0 0 1 1 *'
    discover:
      schemas: { pattern: 't\\_%' }
      interval: 1h
`);
  const config = await parseConfig(await readFile(file, 'utf8'), file, {});
  // Port 0 (any free one): the file's address is only there to be valid.
  agent = await startAgent({ ...config, listen: { host: '127.0.0.1', port: 0 } }, { logger: createLogger('info', logs), version: VERSION, stopGraceMs: 10_000 });
  await agent.firstChecks;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await db?.drop();
  await dir?.remove();
});

describe('a schema-per-tenant fleet', () => {
  it('checks every tenant in the first round under <fleet>.<schema>', async () => {
    const rows = await json('/api/v1/targets');
    expect(rows.map((r) => [r.target, r.status]).sort()).toEqual([
      [`${fleet}.t_a`, 'in_sync'],
      [`${fleet}.t_b`, 'in_sync'],
      [`${fleet}.t_c`, 'drift'],
    ]);
    const report = await json<{ reconcile: { sql: string }; fingerprint: string }>(`/api/v1/targets/${fleet}.t_c/reports/latest`);
    expect(report.reconcile.sql).toMatch(/DROP INDEX t_c\.hotfix/);
    expect(report.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('groups the tenants into variants', async () => {
    expect(await json('/api/v1/fleets')).toEqual([
      { fleet, targets: 3, variants: 2, error: 0, deploying: 0, dirty: 0, drift: 1, pending: 0, in_sync: 2, unchecked: 0 },
    ]);
    const variants = await json(`/api/v1/fleets/${fleet}/variants`);
    expect(variants.map((v) => [v.rank, v.targets, v.status, v.sample])).toEqual([
      [1, 2, 'in_sync', [`${fleet}.t_a`, `${fleet}.t_b`]],
      [2, 1, 'drift', [`${fleet}.t_c`]],
    ]);
    expect((await http(agent.url, '/api/v1/fleets/nope/variants')).status).toBe(404);
    // The entry is a template: not a target of its own.
    expect((await http(agent.url, `/api/v1/targets/${fleet}/reports`)).status).toBe(404);
  });

  it('lists the tenants, not the entry, on the landing page, and links the fleets', async () => {
    const page = (await http(agent.url, '/')).text;
    expect(page).toContain('href="/api/v1/fleets"');
    expect(page).toContain(`<strong>${fleet}.t_a</strong>`);
    expect(page).not.toContain(`<strong>${fleet}</strong>`);
  });

  it('exports the tenants and the fleet on /metrics, promtool-clean', async () => {
    const text = (await http(agent.url, '/metrics')).text;
    expect(promtoolCheck(text).output).toBe('');
    expect(metric(text, 'schema_drift_detected', { target: `${fleet}.t_c` })).toBe(1);
    expect(metric(text, 'schema_drift_discovered_targets', { fleet })).toBe(3);
    expect(metric(text, 'schema_drift_fleet_variants', { fleet })).toBe(2);
    expect(metric(text, 'schema_drift_fleet_targets', { fleet, variant_rank: '1', status: 'in_sync' })).toBe(2);
    expect(metric(text, 'schema_drift_fleet_targets', { fleet, variant_rank: '2', status: 'drift' })).toBe(1);
  });

  it('drops a tenant whose schema is gone and schedules a new one', async () => {
    await db.exec(`DROP SCHEMA t_b CASCADE; CREATE SCHEMA t_d; SET search_path TO t_d; ${SQL}`);
    await agent.discovery.refresh(fleet);
    const text = (await http(agent.url, '/metrics')).text;
    expect(text).not.toContain(`target="${fleet}.t_b"`);
    expect((await http(agent.url, `/api/v1/targets/${fleet}.t_b/reports`)).status).toBe(404);
    await eventually(async () => {
      const rows = await json('/api/v1/targets');
      return rows.some((r) => r.target === `${fleet}.t_d` && r.status === 'in_sync') ? true : undefined;
    }, 60_000, 'the new tenant checked');
    const variants = await json(`/api/v1/fleets/${fleet}/variants`);
    expect(variants.map((v) => [v.targets, v.sample])).toEqual([
      [2, [`${fleet}.t_a`, `${fleet}.t_d`]],
      [1, [`${fleet}.t_c`]],
    ]);
    expect(logs.records('discovery: targets changed').at(-1)).toMatchObject({ target: fleet, added: 1, removed: 1, targets: 3 });
  }, 90_000);
});
