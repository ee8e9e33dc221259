/**
 * The agent as a user runs it, against the real PostgreSQL server: a YAML file with a drifted `production` and an
 * in-sync `staging` sharing one migration directory, `startAgent`, the first checks, then `/metrics` (linted by
 * promtool) and every API endpoint read over HTTP, contents asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_KINDS, CHANGE_ACTIONS } from '../../src/core/model/change.ts';
import type { Report } from '../../src/core/model/report.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createAgentEnvironment, PASSWORD_ENV, TARGET_PASSWORD, type AgentEnvironment } from './environment.ts';
import { http, metric, parseExposition, promtoolCheck } from './support.ts';

type Row = Record<string, unknown>;

let env: AgentEnvironment;
let base: string;
/** Every response body read in this file: none may contain the target's password. */
const bodies: string[] = [];

async function get(path: string) {
  const res = await http(base, path);
  bodies.push(res.text);
  return res;
}

async function getJson<T = Row[]>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return res.json<T>();
}

beforeAll(async () => {
  env = await createAgentEnvironment();
  base = env.agent.url;
  await env.agent.firstChecks;
});

afterAll(async () => {
  await env?.close();
});

describe('agent started from a YAML file with a drifted and an in-sync target', () => {
  it('listens on 127.0.0.1, logs where, and logs each connection test with the server version', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [listening] = env.logs.records('listening');
    expect(listening).toMatchObject({ level: 'info', address: base, targets: 2, demo: false });
    const tests = env.logs.records(/^ok {3}(production|staging) /);
    expect(tests.map((r) => r.target).sort()).toEqual(['production', 'staging']);
    for (const record of tests) {
      expect(record.msg).toMatch(/PostgreSQL 15\.\d+.*; catalogs readable; revision table public\.schema_migrations \(golang-migrate\) at version 4$/);
    }
  });

  it('logs each check once, with its report id', () => {
    const finished = env.logs.records(/^check (finished|failed)$/);
    expect(finished.map((r) => r.target).sort()).toEqual(['production', 'staging']);
    expect(env.logs.records('report stored').map((r) => [r.target, r.status])).toEqual(
      expect.arrayContaining([
        ['production', 'drift'],
        ['staging', 'in_sync'],
      ]),
    );
  });

  it('serves the probes and a landing page linking to everything', async () => {
    expect((await get('/healthz')).text).toBe('ok\n');
    expect((await get('/readyz')).status).toBe(200);
    const landing = await get('/');
    expect(landing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(landing.text).not.toContain('DEMO');
    for (const href of ['/metrics', '/api/v1/targets', '/api/v1/targets/production/reports/latest/reconcile.sql']) {
      expect(landing.text).toContain(`href="${href}"`);
    }
    expect(landing.text).toMatch(/<strong>production<\/strong>.*— drift, checked /);
  });
});

describe('/metrics after the first checks', () => {
  let text: string;
  beforeAll(async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    text = res.text;
  });

  it('passes promtool check metrics', () => {
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  });

  it.each([
    ['production', 'production', { up: 1, detected: 1 }],
    ['staging', 'staging', { up: 1, detected: 0 }],
  ])('%s: up, detected, pending, dirty, timestamps, checks', (target, environment, expected) => {
    const labels = { target, environment };
    expect(metric(text, 'schema_drift_target_up', labels)).toBe(expected.up);
    expect(metric(text, 'schema_drift_detected', labels)).toBe(expected.detected);
    expect(metric(text, 'schema_drift_pending_migrations', labels)).toBe(0);
    expect(metric(text, 'schema_drift_migration_dirty', labels)).toBe(0);
    const lastCheck = metric(text, 'schema_drift_last_check_timestamp_seconds', labels);
    expect(lastCheck).toBeGreaterThan(Date.parse('2024-01-01') / 1000);
    expect(lastCheck).toBeLessThanOrEqual(Date.now() / 1000);
    expect(metric(text, 'schema_drift_last_success_timestamp_seconds', labels)).toBe(lastCheck);
    const driftSince = metric(text, 'schema_drift_drift_since_timestamp_seconds', labels);
    expect(driftSince).toBe(expected.detected ? lastCheck : 0);
    expect(metric(text, 'schema_drift_checks_total', labels)).toBe(1);
    expect(metric(text, 'schema_drift_check_duration_seconds_count', labels)).toBe(1);
    for (const reason of ['connect', 'auth', 'timeout', 'replay', 'inspect', 'internal']) {
      expect(metric(text, 'schema_drift_check_failures_total', { ...labels, reason })).toBe(0);
    }
  });

  it('production: exactly the three hand-typed drifts, every other kind/action exported as 0', () => {
    const drifts = { 'column/changed': 1, 'index/extra': 1, 'constraint/missing': 1 } as Record<string, number>;
    for (const kind of METRIC_KINDS) {
      for (const action of CHANGE_ACTIONS) {
        const labels = { target: 'production', kind, action, environment: 'production' };
        expect(metric(text, 'schema_drift_changes', labels), `${kind}/${action}`).toBe(drifts[`${kind}/${action}`] ?? 0);
        expect(metric(text, 'schema_drift_changes', { ...labels, target: 'staging', environment: 'staging' })).toBe(0);
      }
    }
  });

  it('has build_info and carries the static label on every per-target series', () => {
    expect(metric(text, 'schema_drift_build_info')).toBe(1);
    for (const sample of parseExposition(text).filter((s) => s.labels.target)) {
      expect(sample.labels.environment, sample.name).toBe(sample.labels.target);
    }
  });
});

describe('the API', () => {
  let targets: Row[];
  let report: Report;
  const reportPath = () => `/api/v1/targets/production/reports/${report.id}`;

  beforeAll(async () => {
    targets = await getJson('/api/v1/targets');
    report = await getJson<Report>('/api/v1/targets/production/reports/latest');
  });

  it('targets: one row per configured target with its latest status and labels', () => {
    expect(targets.map((t) => [t.target, t.status, t.changes_total, t.extra, t.missing, t.changed, t.environment])).toEqual([
      ['production', 'drift', 3, 1, 1, 1, 'production'],
      ['staging', 'in_sync', 0, 0, 0, 0, 'staging'],
    ]);
    for (const row of targets) {
      expect(row).toMatchObject({ schedule: '0 0 1 1 *', pending: 0, dirty: false, deployed_version: '4', migration_tool: 'golang-migrate', error_reason: null });
      expect(row.display_url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/sdagent_/);
      expect(typeof row.report_id).toBe('number');
    }
    expect(targets[0]!.report_id).toBe(report.id);
  });

  it('history and transitions: the first check, drift from nothing', async () => {
    const history = await getJson(`/api/v1/targets/production/reports`);
    expect(history).toEqual([
      expect.objectContaining({ report_id: report.id, status: 'drift', changes_total: 3, report_url: reportPath() }),
    ]);
    expect(await getJson('/api/v1/targets/production/transitions')).toEqual([
      { id: report.id, at: report.finishedAt, from: null, to: 'drift' },
    ]);
    expect(await getJson('/api/v1/targets/staging/transitions')).toEqual([expect.objectContaining({ from: null, to: 'in_sync' })]);
  });

  it('latest report: revision, counts, the three changes, DDL of both sides, reconcile SQL with hazards, engine', () => {
    expect(report).toMatchObject({
      formatVersion: 1,
      target: 'production',
      labels: { environment: 'production' },
      status: 'drift',
      error: null,
      revision: { tool: 'golang-migrate', table: 'public.schema_migrations', version: '4', dirty: false },
      pending: [],
      counts: { total: 3, extra: 1, missing: 1, changed: 1 },
      engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: expect.stringMatching(/^15\./) },
    });
    expect(report.changes.map((c) => `${c.action} ${c.type} ${c.schema}.${'table' in c ? c.table : ''}.${c.name}`).sort()).toEqual([
      'changed column public.users.email',
      'extra index public.invoices.invoices_issued_at_idx',
      'missing constraint public.invoices.invoices_amount_positive',
    ]);
    expect(report.ddl.desired).toMatch(/email character varying\(320\) NOT NULL/);
    expect(report.ddl.current).toMatch(/email text NOT NULL/);
    expect(report.ddl.current).not.toContain('schema_migrations');
    expect(report.reconcile.statements.map((s) => s.sql)).toEqual([
      'DROP INDEX public.invoices_issued_at_idx;',
      'ALTER TABLE public.users ALTER COLUMN email TYPE character varying(320) USING email::character varying(320);',
      'ALTER TABLE public.invoices ADD CONSTRAINT invoices_amount_positive CHECK ((amount > (0)::numeric));',
    ]);
    expect(report.reconcile.statements[1]!.hazards).toContain('data_loss');
    expect(report.erd.tables.find((t) => t.id === 'public.users')?.status).toBe('changed');
  });

  it('by id: the same report as latest', async () => {
    expect(await getJson<Report>(reportPath())).toEqual(report);
  });

  it('changes view: one flat row per change', async () => {
    const rows = await getJson(`${reportPath()}/changes`);
    expect(rows.map((r) => [r.kind, r.action, r.subject, r.table_id])).toEqual(
      expect.arrayContaining([
        ['column', 'changed', 'column public.users.email', 'public.users'],
        ['constraint', 'missing', 'constraint public.invoices.invoices_amount_positive', 'public.invoices'],
        ['index', 'extra', 'index public.invoices.invoices_issued_at_idx', 'public.invoices'],
      ]),
    );
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.kind === 'column')?.details).toBe('type: expected character varying(320), actual text');
  });

  it('ERD views: tables with their drift status, columns, relations', async () => {
    const tables = await getJson(`${reportPath()}/erd/tables`);
    expect(Object.fromEntries(tables.map((t) => [t.id, t.status]))).toEqual({
      'public.accounts': 'ok',
      'public.invoices': 'changed',
      'public.open_tasks_by_project': 'ok',
      'public.projects': 'ok',
      'public.tasks': 'ok',
      'public.users': 'changed',
    });
    const columns = await getJson(`${reportPath()}/erd/columns`);
    expect(columns.find((c) => c.id === 'public.users.email')).toMatchObject({
      table_id: 'public.users',
      type: 'character varying(320)',
      status: 'changed',
      changed_attributes: 'type',
    });
    expect(columns.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['public.users.email']);
    const relations = await getJson(`${reportPath()}/erd/relations`);
    expect(relations.find((r) => r.id === 'public.users.users_account_id_fkey')).toEqual({
      id: 'public.users.users_account_id_fkey',
      name: 'users_account_id_fkey',
      source: 'public.users',
      target: 'public.accounts',
      source_columns: 'account_id',
      target_columns: 'id',
      status: 'ok',
    });
    expect(relations).toHaveLength(5);
  });

  it('sql and statements views', async () => {
    const [sql, ...more] = await getJson(`${reportPath()}/sql`);
    expect(more).toEqual([]);
    expect(sql).toMatchObject({ target: 'production', report_id: report.id, status: 'drift', statement_count: 3, reconcile_error: null });
    expect(sql!.reconcile_sql).toBe(report.reconcile.sql);
    expect(sql!.desired_ddl).toBe(report.ddl.desired);
    const statements = await getJson(`${reportPath()}/statements`);
    expect(statements.map((s) => [s.index, s.change_subject])).toEqual([
      [0, 'index public.invoices.invoices_issued_at_idx'],
      [1, 'column public.users.email'],
      [2, 'constraint public.invoices.invoices_amount_positive'],
    ]);
  });

  it.each([
    ['desired', /email character varying\(320\) NOT NULL/, /invoices_issued_at_idx/],
    ['current', /CREATE INDEX invoices_issued_at_idx ON public\.invoices/, /invoices_amount_positive/],
    // The header names the revision table (`-- migrations: golang-migrate (public.schema_migrations)`); no statement touches it.
    ['reconcile', /-- hazards: data_loss, heavy_lock, may_fail, table_rewrite\nALTER TABLE public\.users ALTER COLUMN email TYPE/, /^(?!--).*schema_migrations/m],
  ])('%s.sql: a plain SQL download', async (file, contains, lacks) => {
    const res = await get(`${reportPath()}/${file}.sql`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/sql; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="production-${report.id}-${file}.sql"`);
    expect(res.text).toMatch(contains);
    expect(res.text).not.toMatch(lacks);
  });

  it('staging: latest report in sync, a reconcile script that says there is nothing to do', async () => {
    const staging = await getJson<Report>('/api/v1/targets/staging/reports/latest');
    expect(staging).toMatchObject({ status: 'in_sync', changes: [], counts: { total: 0 }, reconcile: { sql: '', statements: [] } });
    expect(staging.ddl.current).toBe(staging.ddl.desired);
    const script = (await get('/api/v1/targets/staging/reports/latest/reconcile.sql')).text;
    expect(script).toMatch(/^-- schema-drift reconcile script for target staging \(postgres\)\n/);
    expect(script).toMatch(/^-- nothing to reconcile: the database matches its migrations\n$/m);
    expect(script.split('\n').filter((line) => line !== '' && !line.startsWith('--'))).toEqual([]);
  });

  it.each([
    ['/api/v1/targets/nope/reports/latest', 404, 'unknown target "nope"'],
    ['/api/v1/targets/staging/reports/999999', 404, 'no report 999999 for target "staging"'],
    ['/api/v1/nothing', 404, 'not found: GET /api/v1/nothing'],
  ])('%s → %d', async (path, status, message) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.json()).toEqual({ error: message });
  });

  it('a report of one target is not served under another', async () => {
    const staging = targets[1]!.report_id as number;
    expect((await get(`/api/v1/targets/production/reports/${staging}`)).status).toBe(404);
  });

  it('never shows the password given by ${ENV} in a response or a log line', async () => {
    // The password did reach the connection URL (so its absence below means something).
    const config = await loadConfig(env.configFile, { ...process.env, ...PASSWORD_ENV });
    expect(config.targets[0]!.url).toContain(`:${TARGET_PASSWORD}@`);
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies) expect(body).not.toContain(TARGET_PASSWORD);
    for (const line of env.logs.lines) expect(line).not.toContain(TARGET_PASSWORD);
  });
});
