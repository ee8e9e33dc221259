/**
 * The agent on the PostgreSQL store (`store:` in the YAML), in process against the real server: the first checks are
 * stored there (not in `<dataDir>/reports.sqlite`), the replayed desired schema goes to the store's cache table (not
 * to `<dataDir>/desired-cache`), the API and `/metrics` read them, a restart keeps the history and does not check
 * again a round already claimed, and no log line holds the store's password.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVE_FAILURE_REASONS } from '../../src/store/save-failure.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { createAgentEnvironment, type AgentEnvironment } from './environment.ts';
import { eventually, http, metric, TcpProxy } from './support.ts';

const STORE_PASSWORD = 'Store-pw-s3cret-5521';
let store: TempDatabase;
let env: AgentEnvironment;

async function storeRows<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  store = await createTempPgDatabase('sdagentstore');
  // The password goes through `${VAR}` into the URL: the server trusts it anyway, the logs must never show it.
  const url = new URL(store.url);
  url.password = STORE_PASSWORD;
  process.env.SD_AGENT_STORE_URL = url.toString();
  env = await createAgentEnvironment({ extraYaml: 'store:\n  url: ${SD_AGENT_STORE_URL}\n  schema: agent_store\n' });
  await env.agent.firstChecks;
});

afterAll(async () => {
  await env?.close();
  await store?.drop();
  delete process.env.SD_AGENT_STORE_URL;
});

describe('the agent with store: postgres://…', () => {
  it('stores the first checks and the replayed desired schema in the store, nothing in the data directory', async () => {
    const reports = await storeRows<{ target: string; status: string }>('SELECT target, status FROM agent_store.reports ORDER BY target');
    expect(reports).toEqual([
      { target: 'production', status: 'drift' },
      { target: 'staging', status: 'in_sync' },
    ]);
    // Both targets share one migration directory: one cached replay.
    expect(await storeRows('SELECT key_hash FROM agent_store.desired_cache')).toHaveLength(1);
    expect(existsSync(join(env.dataDir, 'reports.sqlite'))).toBe(false);
    expect(existsSync(join(env.dataDir, 'desired-cache'))).toBe(false);
    const claimed = await storeRows<{ target: string }>('SELECT target FROM agent_store.schedule WHERE claimed_by IS NOT NULL ORDER BY target');
    expect(claimed.map((r) => r.target)).toEqual(['production', 'staging']);
  });

  it('serves them over the API and /metrics, and names the store without its password in the log', async () => {
    const rows = (await http(env.agent.url, '/api/v1/targets')).json<{ target: string; status: string }[]>();
    expect(rows.map((r) => [r.target, r.status])).toEqual([
      ['production', 'drift'],
      ['staging', 'in_sync'],
    ]);
    const text = (await http(env.agent.url, '/metrics')).text;
    expect(metric(text, 'schema_drift_detected', { target: 'production' })).toBe(1);
    const [listening] = env.logs.records('listening');
    expect(listening?.store).toBe(store.url);
    expect(JSON.stringify(env.logs.records(/.*/))).not.toContain(STORE_PASSWORD);
  });

  it('keeps the history across a restart, checks at start only what is due, and a manual check adds to it', async () => {
    await env.restart();
    await env.agent.firstChecks;
    // The round the first agent claimed at start lasts until the next tick of the schedule: nothing is due.
    expect((await http(env.agent.url, '/api/v1/targets/staging/reports')).json<unknown[]>()).toHaveLength(1);
    const check = await http(env.agent.url, '/api/v1/targets/staging/check', { method: 'POST' });
    expect(check.status, check.text).toBe(200);
    const history = (await http(env.agent.url, '/api/v1/targets/staging/reports')).json<{ report_id: number }[]>();
    expect(history).toHaveLength(2);
    expect(history[0]?.report_id).toBe((check.json() as { report_id: number }).report_id);
    expect(JSON.stringify(env.logs.records(/.*/))).not.toContain(STORE_PASSWORD);
  });

  it('prunes at start the history of a target no longer configured (a save prunes only its own target)', async () => {
    const copy = (finishedAt: string) =>
      `INSERT INTO agent_store.reports SELECT nextval('agent_store.reports_id_seq'), 'gone', status, prev_status, status_since,
         drift_since, started_at, '${finishedAt}', duration_ms, changes_total, extra, missing, changed, pending, error_reason,
         error_message, report_encoding, report_text, report_bytes FROM agent_store.reports WHERE target = 'staging' ORDER BY id LIMIT 1`;
    // Two reports older than the 30 days of the default retention: the newest of a target is always kept.
    await storeRows(copy('2020-01-01T00:00:00.000Z'));
    await storeRows(copy('2020-01-02T00:00:00.000Z'));
    expect(await storeRows("SELECT id FROM agent_store.reports WHERE target = 'gone'")).toHaveLength(2);
    await env.restart();
    await eventually(
      async () => ((await storeRows("SELECT id FROM agent_store.reports WHERE target = 'gone'")).length === 1 ? true : undefined),
      15_000,
      "the old report of 'gone' pruned",
    );
  });
});

describe('the agent whose store goes away', () => {
  it('is not ready while a check cannot be claimed, counts it, and is ready again once a claim succeeds', async () => {
    const proxy = new TcpProxy();
    await proxy.start();
    const url = new URL(store.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    process.env.SD_AGENT_STORE_PROXY_URL = url.toString();
    const down = await createAgentEnvironment({ extraYaml: 'store:\n  url: ${SD_AGENT_STORE_PROXY_URL}\n  schema: agent_store_down\n' });
    try {
      await down.agent.firstChecks;
      expect((await http(down.agent.url, '/readyz')).status).toBe(200);
      await proxy.stop();
      const check = await http(down.agent.url, '/api/v1/targets/staging/check', { method: 'POST' });
      expect(check.status).not.toBe(200);
      const ready = await http(down.agent.url, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.text).toMatch(/report store is unreachable: checks cannot be claimed/);
      const text = (await http(down.agent.url, '/metrics')).text;
      const claimFailures = SAVE_FAILURE_REASONS.reduce((sum, reason) => sum + metric(text, 'schema_drift_store_claim_failures_total', { reason }), 0);
      expect(claimFailures).toBeGreaterThanOrEqual(1);
      await proxy.start();
      // Another target: staging's next manual check would wait out manualCheckInterval.
      const again = await http(down.agent.url, '/api/v1/targets/production/check', { method: 'POST' });
      expect(again.status, again.text).toBe(200);
      expect((await http(down.agent.url, '/readyz')).status).toBe(200);
    } finally {
      await down.close();
      await proxy.stop();
      delete process.env.SD_AGENT_STORE_PROXY_URL;
    }
  }, 60_000);
});
