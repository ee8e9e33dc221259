/**
 * The report API end to end: the real express app on 127.0.0.1, a real ReportStore on a temp dir, the real metrics,
 * the real Scheduler whose check function returns a prepared report (no database needed here; check.test.ts runs
 * real checks against PostgreSQL), and `fetch`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/agent/scheduler.ts';
import type { Report } from '../../src/core/model/report.ts';
import { reconcileFile } from '../../src/core/report/reconcile-file.ts';
import { createApp } from '../../src/http/app.ts';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.ts';
import { ReportStore } from '../../src/store/report-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { agentConfig, makeReport, SECRETS, targetConfig } from './fixtures.ts';
import { serve, type TestServer } from './serve.ts';

const targets = [targetConfig('prod'), targetConfig('staging'), targetConfig('fresh')];
const config = agentConfig(targets);

let dir: string;
let store: ReportStore;
let scheduler: Scheduler;
let metrics: Metrics;
let server: TestServer;
/** Names the check function was called with: proves which requests reached the scheduler. */
const checked: string[] = [];
const ids = { prodOld: 0, prodNew: 0, staging: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sd-http-'));
  store = ReportStore.open(dir);
  metrics = createMetrics({ targets, labelNames: config.labelNames, version: '0.1.0-test' });
  ids.prodOld = store.save(makeReport('prod', 'in_sync', '2025-01-01T06:00:00.000Z'));
  ids.staging = store.save(makeReport('staging', 'in_sync', '2025-01-01T18:00:00.000Z'));
  ids.prodNew = store.save(makeReport('prod', 'drift', '2025-01-02T06:00:00.000Z'));
  scheduler = new Scheduler({
    targets,
    concurrency: 1,
    retry: { attempts: 0, initialDelayMs: 10, maxDelayMs: 10 },
    runCheck: async (target) => {
      checked.push(target.name);
      return makeReport(target.name, 'drift', new Date().toISOString());
    },
    onReport: (report: Report) => {
      const stored = { ...report, id: store.save(report) };
      metrics.observe(stored);
      return stored;
    },
  });
  const app = createApp({
    config,
    store: new SqliteStore(store),
    scheduler,
    metricsHandler: metrics.handler,
    ready: () => ({ ready: true }),
    version: '0.1.0-test',
  });
  server = await serve(app);
});

afterAll(async () => {
  await server?.close();
  await scheduler?.stop(0);
  await metrics?.shutdown();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('probes and metrics', () => {
  it('GET /healthz is 200 ok', async () => {
    const res = await server.request('/healthz');
    expect([res.status, res.text]).toEqual([200, 'ok\n']);
  });

  it('GET /readyz is 200 when ready', async () => {
    const res = await server.request('/readyz');
    expect(res.status).toBe(200);
  });

  it('GET /metrics is the metrics exposition', async () => {
    const res = await server.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('schema_drift_build_info{version="0.1.0-test"} 1');
    expect(res.text).toMatch(/schema_drift_target_up\{[^}]*target="prod"[^}]*\} /);
  });
});

describe('GET /api/v1/targets', () => {
  it('is an array with one flat row per configured target, including one never checked', async () => {
    const res = await server.request('/api/v1/targets');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const rows = res.json<Record<string, unknown>[]>();
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((r) => r.target)).toEqual(['prod', 'staging', 'fresh']);
    for (const row of rows) {
      for (const value of Object.values(row)) expect(typeof value === 'object' && value !== null).toBe(false);
    }
    expect(rows[0]).toMatchObject({ target: 'prod', status: 'drift' });
    expect(rows[1]).toMatchObject({ target: 'staging', status: 'in_sync' });
  });
});

describe('history', () => {
  it('lists summaries newest first, with limit and before', async () => {
    const all = (await server.request('/api/v1/targets/prod/reports')).json<Record<string, unknown>[]>();
    expect(all.map((r) => r.report_id)).toEqual([ids.prodNew, ids.prodOld]);
    expect(all[0]).toEqual({
      report_id: ids.prodNew,
      target: 'prod',
      status: 'drift',
      started_at: '2025-01-02T06:00:00.000Z',
      checked_at: '2025-01-02T06:00:02.500Z',
      duration_ms: 2500,
      changes_total: 3,
      extra: 1,
      missing: 1,
      changed: 1,
      pending: 0,
      error_reason: null,
      error_message: null,
      report_url: `/api/v1/targets/prod/reports/${ids.prodNew}`,
    });
    const one = await server.request('/api/v1/targets/prod/reports?limit=1');
    expect(one.json<unknown[]>().length).toBe(1);
    const before = await server.request(`/api/v1/targets/prod/reports?before=${ids.prodNew}`);
    expect(before.json<{ report_id: number }[]>().map((r) => r.report_id)).toEqual([ids.prodOld]);
  });

  it('lists transitions as an array', async () => {
    const res = await server.request('/api/v1/targets/prod/transitions');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json())).toBe(true);
    expect(res.json<unknown[]>().length).toBeGreaterThanOrEqual(2);
  });

  it('an unchecked target has an empty history and no latest report', async () => {
    expect((await server.request('/api/v1/targets/fresh/reports')).json()).toEqual([]);
    const latest = await server.request('/api/v1/targets/fresh/reports/latest');
    expect(latest.status).toBe(404);
    expect(latest.json()).toEqual({ error: 'no report yet for target "fresh"' });
  });
});

describe('full reports', () => {
  it('latest is the newest report of the target', async () => {
    const report = (await server.request('/api/v1/targets/staging/reports/latest')).json<Report>();
    expect(report).toMatchObject({ formatVersion: 1, id: ids.staging, target: 'staging', status: 'in_sync' });
  });

  it('by id returns that report', async () => {
    const report = (await server.request(`/api/v1/targets/prod/reports/${ids.prodOld}`)).json<Report>();
    expect(report).toMatchObject({ id: ids.prodOld, target: 'prod', status: 'in_sync' });
  });

  it("another target's report id is a 404 under this name", async () => {
    const res = await server.request(`/api/v1/targets/prod/reports/${ids.staging}`);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: `no report ${ids.staging} for target "prod"` });
  });
});

describe('flat views for Infinity', () => {
  const views = ['changes', 'erd/tables', 'erd/columns', 'erd/relations', 'sql', 'statements'];
  it.each(views.flatMap((view) => [['latest', view] as const, ['id', view] as const]))('%s/%s is an array of flat rows', async (ref, view) => {
    const id = ref === 'latest' ? 'latest' : String(ids.prodNew);
    const res = await server.request(`/api/v1/targets/prod/reports/${id}/${view}`);
    expect(res.status).toBe(200);
    const rows = res.json<Record<string, unknown>[]>();
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const value of Object.values(row)) expect(typeof value === 'object' && value !== null, JSON.stringify(row)).toBe(false);
    }
  });

  it('changes has one row per change of the report', async () => {
    const rows = (await server.request(`/api/v1/targets/prod/reports/${ids.prodNew}/changes`)).json<unknown[]>();
    expect(rows.length).toBe(3);
  });

  it('a view of an unknown report is a 404', async () => {
    const res = await server.request('/api/v1/targets/prod/reports/999999/erd/tables');
    expect(res.status).toBe(404);
  });
});

describe('.sql downloads', () => {
  it.each([
    ['desired', (r: Report) => r.ddl.desired],
    ['current', (r: Report) => r.ddl.current],
    ['reconcile', (r: Report) => reconcileFile(r)],
  ] as const)('%s.sql is the stored text (reconcile: behind its header) with attachment headers', async (file, pick) => {
    const stored = store.get('prod', ids.prodNew) as Report;
    for (const ref of ['latest', String(ids.prodNew)]) {
      const res = await server.request(`/api/v1/targets/prod/reports/${ref}/${file}.sql`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/sql; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="prod-${ids.prodNew}-${file}.sql"`);
      expect(res.text).toBe(pick(stored));
      expect(res.text.length).toBeGreaterThan(0);
    }
  });

  it('reconcile.sql starts with a header naming the target, the report, the status, the statements and their hazards', async () => {
    const stored = store.get('prod', ids.prodNew) as Report;
    const res = await server.request(`/api/v1/targets/prod/reports/${ids.prodNew}/reconcile.sql`);
    const header = res.text.split('\n').filter((line) => line.startsWith('-- ')).slice(0, 4);
    expect(header[0]).toBe(`-- schema-drift reconcile script for target prod (${stored.engine.dialect})`);
    expect(header[1]).toBe(`-- report ${ids.prodNew}, check finished ${stored.finishedAt}, status ${stored.status}`);
    expect(res.text).toContain(stored.reconcile.sql);
    if (stored.reconcile.statements.length > 0) {
      expect(res.text).toMatch(new RegExp(`^-- ${stored.reconcile.statements.length} statements? that bring the database back`, 'm'));
    }
  });
});

describe('reconcileFile', () => {
  const stored = (): Report => store.get('prod', ids.prodNew) as Report;

  it('an in-sync report gives a file that says there is nothing to reconcile, not an empty one', () => {
    const text = reconcileFile({ ...stored(), status: 'in_sync', changes: [], reconcile: { sql: '', statements: [] } });
    expect(text).toMatch(/^-- schema-drift reconcile script for target prod/);
    expect(text).toMatch(/^-- nothing to reconcile: the database matches its migrations$/m);
  });

  it('counts hazards by label, and says why there is no script when the planner failed', () => {
    const statement = (hazards: Report['reconcile']['statements'][number]['hazards']) => ({ sql: 'SELECT 1;', comment: '', hazards, change: 0 });
    const planned = reconcileFile({
      ...stored(),
      reconcile: { sql: 'SELECT 1;\n', statements: [statement(['data_loss', 'heavy_lock']), statement(['heavy_lock'])] },
    });
    expect(planned).toMatch(/^-- 2 statements that bring the database back to its migrations; hazards: data_loss ×1, heavy_lock ×2$/m);
    const failed = reconcileFile({ ...stored(), reconcile: { sql: '', statements: [], error: 'cannot recreate\nenum x' } });
    expect(failed).toMatch(/^-- no script: the planner could not render a change: cannot recreate enum x$/m);
  });
});

describe('errors', () => {
  it.each([
    '/api/v1/targets/nope/reports',
    '/api/v1/targets/nope/transitions',
    '/api/v1/targets/nope/reports/latest',
    '/api/v1/targets/nope/reports/1',
    '/api/v1/targets/nope/reports/latest/changes',
    '/api/v1/targets/nope/reports/latest/reconcile.sql',
  ])('GET %s: unknown target is a 404 naming it', async (path) => {
    const res = await server.request(path);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown target "nope"' });
  });

  it('POST check of an unknown target is a 404 and never reaches the scheduler', async () => {
    const before = checked.length;
    const res = await server.request('/api/v1/targets/nope/check', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown target "nope"' });
    expect(checked.length).toBe(before);
  });

  it.each([
    ['/api/v1/targets/prod/reports?limit=0', 'limit'],
    ['/api/v1/targets/prod/reports?limit=abc', 'limit'],
    ['/api/v1/targets/prod/reports?limit=1001', 'limit'],
    ['/api/v1/targets/prod/reports?limit=1&limit=2', 'limit'],
    ['/api/v1/targets/prod/reports?before=-1', 'before'],
    ['/api/v1/targets/prod/reports?before=1.5', 'before'],
    ['/api/v1/targets/prod/transitions?limit=x', 'limit'],
    ['/api/v1/targets/prod/reports/abc', 'id'],
    ['/api/v1/targets/prod/reports/0', 'id'],
    ['/api/v1/targets/prod/reports/1e3/changes', 'id'],
    ['/api/v1/targets/prod/reports/99999999999999999999/desired.sql', 'id'],
  ])('GET %s is a 400 naming "%s"', async (path, param) => {
    const res = await server.request(path);
    expect(res.status).toBe(400);
    expect(res.json<{ error: string }>().error).toContain(`"${param}"`);
  });

  it('POST check with a bad wait is a 400', async () => {
    const res = await server.request('/api/v1/targets/prod/check?wait=maybe', { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid "wait": expected true or false' });
  });

  it.each(['/nothing', '/api/v1', '/api/v1/targets/prod/reports/latest/other.sql'])('GET %s is a JSON 404', async (path) => {
    const res = await server.request(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json<{ error: string }>().error).toMatch(/^not found: GET /);
  });

  it('a malformed percent-escape is a JSON 400 without a stack trace', async () => {
    const res = await server.request('/api/v1/targets/%E0%A4%A/reports');
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'malformed percent-encoding in the URL path' });
  });

  it('every response has nosniff and no X-Powered-By', async () => {
    for (const path of ['/', '/healthz', '/metrics', '/api/v1/targets', '/nothing']) {
      const res = await server.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});

describe('POST /api/v1/targets/:name/check', () => {
  it('waits for the check and answers with its summary; the report is then the latest', async () => {
    const res = await server.request('/api/v1/targets/staging/check', { method: 'POST' });
    expect(res.status).toBe(200);
    const summary = res.json<{ report_id: number; report_url: string }>();
    expect(summary).toMatchObject({ target: 'staging', status: 'drift', changes_total: 3 });
    expect(summary.report_id).toBeGreaterThan(ids.prodNew);
    expect(summary.report_url).toBe(`/api/v1/targets/staging/reports/${summary.report_id}`);
    const latest = (await server.request('/api/v1/targets/staging/reports/latest')).json<Report>();
    expect(latest.id).toBe(summary.report_id);
    // The check's history row is the same row the history endpoint lists.
    const history = (await server.request('/api/v1/targets/staging/reports?limit=1')).json<unknown[]>();
    expect(history[0]).toEqual(summary);
  });

  it('?wait=false answers 202 with a Location, and the check still runs', async () => {
    const before = checked.filter((n) => n === 'fresh').length;
    const res = await server.request('/api/v1/targets/fresh/check?wait=false', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('/api/v1/targets/fresh/reports/latest');
    expect(res.json()).toEqual({ target: 'fresh', accepted: true, report_url: '/api/v1/targets/fresh/reports/latest' });
    await expect.poll(async () => (await server.request('/api/v1/targets/fresh/reports/latest')).status).toBe(200);
    expect(checked.filter((n) => n === 'fresh').length).toBe(before + 1);
  });

  it('GET on the check route is not a way to trigger a check', async () => {
    const before = checked.length;
    const res = await server.request('/api/v1/targets/prod/check');
    expect(res.status).toBe(404);
    expect(checked.length).toBe(before);
  });
});

describe('secrets', () => {
  it('no response so far contained a password, the dev URL password or the full URL', () => {
    expect(server.transcript.length).toBeGreaterThan(40);
    for (const text of server.transcript) {
      expect(text).not.toContain(SECRETS.password);
      expect(text).not.toContain(SECRETS.devPassword);
    }
  });
});
