/**
 * `POST /api/v1/targets/:name/check` with nothing faked: the real Scheduler runs the real runCheck against a real
 * PostgreSQL database (the bundled example migrations, then the demo's hand-made drift), reports go to a real
 * ReportStore, and the API serves them. The reconcile SQL downloaded over HTTP is applied, and the next check over
 * HTTP finds the database in sync. A target whose server is down gives an `error` report, not an HTTP failure.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model/report.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';
import { targetConfig } from './fixtures.ts';
import { serveCheckingAgent, type CheckingAgent } from './checking-agent.ts';
import type { TestServer } from './serve.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/migrations', import.meta.url));
const DRIFT = fileURLToPath(new URL('../../examples/drift/production.sql', import.meta.url));
// The test server trusts local connections, so a password in the URL is accepted and ignored: a secret to grep for.
const PASSWORD = 'pw-in-url-7c1e';

let dir: string;
let db: TempDatabase;
let store: ReportStore;
let agent: CheckingAgent | undefined;
let server: TestServer;

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

beforeAll(async () => {
  db = await createTempPgDatabase('sdhttp');
  const ups = (await readdir(EXAMPLES)).filter((n) => n.endsWith('.up.sql')).sort();
  for (const name of ups) await db.exec(await readFile(path.join(EXAMPLES, name), 'utf8'));
  await db.exec(`CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
                 INSERT INTO schema_migrations VALUES (${ups.length}, false);`);
  await db.exec(await readFile(DRIFT, 'utf8'));

  const displayUrl = db.url;
  const desired = { dir: EXAMPLES, format: 'golang-migrate' as const };
  const targets = [
    targetConfig('production', { url: withPassword(db.url), displayUrl, desired, checkTimeoutMs: 60_000 }),
    // Nothing listens on port 1: the connection is refused at once.
    targetConfig('down', { url: `postgres://app:${PASSWORD}@127.0.0.1:1/x`, displayUrl: 'postgres://app@127.0.0.1:1/x', desired, connectTimeoutMs: 2_000 }),
  ];
  dir = await mkdtemp(path.join(tmpdir(), 'sd-http-check-'));
  store = ReportStore.open(dir);
  agent = await serveCheckingAgent(targets, store, 2);
  server = agent.server;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  store?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('checks over HTTP against PostgreSQL', () => {
  let driftId = 0;

  it('finds the hand-made drift and serves it in every view', async () => {
    const res = await server.request('/api/v1/targets/production/check', { method: 'POST' });
    expect(res.status).toBe(200);
    const row = res.json<{ report_id: number; status: string; changes_total: number }>();
    expect(row).toMatchObject({ status: 'drift', changes_total: 3, extra: 1, missing: 1, changed: 1 });
    driftId = row.report_id;

    const changes = (await server.request(`/api/v1/targets/production/reports/${driftId}/changes`)).json<unknown[]>();
    expect(changes.length).toBe(3);
    const tables = (await server.request('/api/v1/targets/production/reports/latest/erd/tables')).json<{ id: string }[]>();
    expect(tables.map((t) => t.id)).toContain('public.invoices');
    const current = await server.request('/api/v1/targets/production/reports/latest/current.sql');
    expect(current.text).toContain('invoices_issued_at_idx');
    const targets = (await server.request('/api/v1/targets')).json<{ target: string; status: string }[]>();
    expect(targets.find((t) => t.target === 'production')?.status).toBe('drift');
  }, 120_000);

  it('the downloaded reconcile.sql brings the database back: the next check is in_sync', async () => {
    const reconcile = await server.request(`/api/v1/targets/production/reports/${driftId}/reconcile.sql`);
    expect(reconcile.headers.get('content-disposition')).toBe(`attachment; filename="production-${driftId}-reconcile.sql"`);
    expect(reconcile.text).toContain('invoices_amount_positive');
    await db.exec(reconcile.text);

    const res = await server.request('/api/v1/targets/production/check', { method: 'POST' });
    expect(res.json()).toMatchObject({ status: 'in_sync', changes_total: 0 });
    const transitions = (await server.request('/api/v1/targets/production/transitions')).json<{ from: string | null; to: string }[]>();
    expect(transitions.slice(0, 2)).toMatchObject([
      { from: 'drift', to: 'in_sync' },
      { from: null, to: 'drift' },
    ]);
  }, 120_000);

  it('a target whose server is down gives a 200 with an error report (reason connect), never a 5xx', async () => {
    const res = await server.request('/api/v1/targets/down/check', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ target: 'down', status: 'error', error_reason: 'connect' });
    const latest = (await server.request('/api/v1/targets/down/reports/latest')).json<Report>();
    expect(latest.error?.message).toContain('127.0.0.1:1');
  }, 60_000);

  it('no response carried the password of either URL', () => {
    expect(server.transcript.length).toBeGreaterThan(8);
    for (const text of server.transcript) expect(text).not.toContain(PASSWORD);
  });
});
