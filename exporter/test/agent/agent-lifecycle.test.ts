/**
 * The agent over time, against the real PostgreSQL server: checks triggered over the API, a drift typed by hand into
 * the in-sync target, a database that goes down and comes back (a TCP proxy in front of PostgreSQL, stopped and
 * started), and a restart of the agent on the same data directory. The steps build on each other, in order.
 *
 * `flaky` is the production database reached through the proxy: it has drift, so "detected stays 1 while the
 * database is down" and "restored after a restart" are both observable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model/report.ts';
import { createAgentEnvironment, TARGET_PASSWORD, type AgentEnvironment } from './environment.ts';
import { http, metric, promtoolCheck } from './support.ts';

type Row = Record<string, unknown>;

let env: AgentEnvironment;

async function getJson<T = Row[]>(path: string): Promise<T> {
  const res = await http(env.agent.url, path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.json<T>();
}

async function check(target: string): Promise<Row> {
  const res = await http(env.agent.url, `/api/v1/targets/${target}/check`, { method: 'POST' });
  expect(res.status, res.text).toBe(200);
  return res.json<Row>();
}

async function scrape(): Promise<string> {
  const res = await http(env.agent.url, '/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

const labelsOf = (target: string) => ({ target, environment: target === 'staging' ? 'staging' : 'production' });
const value = (text: string, name: string, target: string, extra: Record<string, string> = {}) =>
  metric(text, name, { ...labelsOf(target), ...extra });

/** The drift-related series of a target, to compare before and after a restart. */
function driftSeries(text: string, target: string): Record<string, number> {
  return {
    detected: value(text, 'schema_drift_detected', target),
    columnChanged: value(text, 'schema_drift_changes', target, { kind: 'column', action: 'changed' }),
    indexExtra: value(text, 'schema_drift_changes', target, { kind: 'index', action: 'extra' }),
    constraintMissing: value(text, 'schema_drift_changes', target, { kind: 'constraint', action: 'missing' }),
    driftSince: value(text, 'schema_drift_drift_since_timestamp_seconds', target),
    lastSuccess: value(text, 'schema_drift_last_success_timestamp_seconds', target),
  };
}

beforeAll(async () => {
  env = await createAgentEnvironment({ proxy: true });
  await env.agent.firstChecks;
});

afterAll(async () => {
  await env?.close();
});

describe('a manual check, then a drift typed by hand into staging', () => {
  it('POST /check runs a check now and answers its history row', async () => {
    const before = (await getJson('/api/v1/targets/staging/reports'))[0]!;
    const row = await check('staging');
    expect(row).toMatchObject({ target: 'staging', status: 'in_sync', changes_total: 0, error_reason: null });
    expect(row.report_id).toBeGreaterThan(before.report_id as number);
    expect(row.report_url).toBe(`/api/v1/targets/staging/reports/${row.report_id}`);
    expect(value(await scrape(), 'schema_drift_checks_total', 'staging')).toBe(2);
  });

  it('an index created by hand shows in the next report, the metrics and the transitions', async () => {
    await env.staging.exec('CREATE INDEX tasks_title_idx ON tasks (title)');
    const row = await check('staging');
    expect(row).toMatchObject({ status: 'drift', changes_total: 1, extra: 1, missing: 0, changed: 0 });

    const changes = await getJson(`/api/v1/targets/staging/reports/${row.report_id}/changes`);
    expect(changes.map((c) => [c.kind, c.action, c.subject])).toEqual([['index', 'extra', 'index public.tasks.tasks_title_idx']]);
    const reconcile = await http(env.agent.url, `/api/v1/targets/staging/reports/${row.report_id}/reconcile.sql`);
    expect(reconcile.text).toContain('DROP INDEX public.tasks_title_idx;');

    const text = await scrape();
    expect(value(text, 'schema_drift_detected', 'staging')).toBe(1);
    expect(value(text, 'schema_drift_changes', 'staging', { kind: 'index', action: 'extra' })).toBe(1);
    expect(value(text, 'schema_drift_checks_total', 'staging')).toBe(3);
    const checkedAt = Date.parse(row.checked_at as string) / 1000;
    expect(value(text, 'schema_drift_drift_since_timestamp_seconds', 'staging')).toBe(checkedAt);

    const transitions = await getJson('/api/v1/targets/staging/transitions');
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['in_sync', 'drift'],
      [null, 'in_sync'],
    ]);
    expect(transitions[0]!.id).toBe(row.report_id);
  });
});

describe('the database goes down and comes back', () => {
  let before: string;

  it('stopped proxy: up 0, a connect failure, an error report; detected and changes kept', async () => {
    before = await scrape();
    expect(value(before, 'schema_drift_target_up', 'flaky')).toBe(1);
    expect(value(before, 'schema_drift_detected', 'flaky')).toBe(1);

    await env.proxy!.stop();
    const row = await check('flaky');
    expect(row).toMatchObject({ target: 'flaky', status: 'error', error_reason: 'connect', changes_total: 0 });
    expect(row.error_message).toBe(
      `postgres: connecting to postgres://postgres@127.0.0.1:${env.proxy!.port}/${env.production.name}: connect ECONNREFUSED 127.0.0.1:${env.proxy!.port} (ECONNREFUSED)`,
    );

    const report = await getJson<Report>('/api/v1/targets/flaky/reports/latest');
    expect(report).toMatchObject({ status: 'error', error: { reason: 'connect' }, changes: [], ddl: { desired: '', current: '' } });
    expect(report.error!.message).not.toContain('\n');

    const text = await scrape();
    expect(value(text, 'schema_drift_target_up', 'flaky')).toBe(0);
    expect(value(text, 'schema_drift_check_failures_total', 'flaky', { reason: 'connect' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'schema_drift_check_failures_total', 'flaky', { reason: 'auth' })).toBe(0);
    expect(value(text, 'schema_drift_checks_total', 'flaky')).toBe(2);
    expect(value(text, 'schema_drift_last_check_timestamp_seconds', 'flaky')).toBe(Date.parse(report.finishedAt) / 1000);
    // A failed check says nothing about the schema: the last successful check's drift stands.
    expect(driftSeries(text, 'flaky')).toEqual(driftSeries(before, 'flaky'));
    // The other targets are untouched.
    expect(value(text, 'schema_drift_target_up', 'production')).toBe(1);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(env.logs.records('check failed').filter((r) => r.target === 'flaky')).toEqual([
      expect.objectContaining({ level: 'warn', reason: 'connect' }),
    ]);
  });

  it('the target list shows the failure with its reason', async () => {
    const flaky = (await getJson('/api/v1/targets')).find((t) => t.target === 'flaky');
    expect(flaky).toMatchObject({ status: 'error', error_reason: 'connect', changes_total: 0 });
  });

  it('proxy back: the next check is up again, with the same drift', async () => {
    await env.proxy!.start();
    const row = await check('flaky');
    expect(row).toMatchObject({ status: 'drift', changes_total: 3 });
    const text = await scrape();
    expect(value(text, 'schema_drift_target_up', 'flaky')).toBe(1);
    expect(value(text, 'schema_drift_detected', 'flaky')).toBe(1);
    // The drift never ended: failed checks in between do not reset drift_since.
    expect(value(text, 'schema_drift_drift_since_timestamp_seconds', 'flaky')).toBe(driftSeries(before, 'flaky').driftSince);
    const transitions = await getJson('/api/v1/targets/flaky/transitions');
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['error', 'drift'],
      ['drift', 'error'],
      [null, 'drift'],
    ]);
  });
});

describe('a restart on the same data directory', () => {
  const ids: Record<string, unknown[]> = {};
  let stagingReport: Report;
  let before: string;

  beforeAll(async () => {
    // Down again, so flaky's newest report is an error: after the restart its drift can come only from the store.
    await env.proxy!.stop();
    expect(await check('flaky')).toMatchObject({ status: 'error', error_reason: 'connect' });
    for (const target of ['production', 'staging', 'flaky']) {
      ids[target] = (await getJson(`/api/v1/targets/${target}/reports`)).map((r) => r.report_id);
    }
    stagingReport = await getJson<Report>('/api/v1/targets/staging/reports/latest');
    before = await scrape();
    await env.restart();
  });

  it('the old agent logged "stopped"; the new one listens', () => {
    expect(env.logs.records('stopped')).toHaveLength(1);
    expect(env.logs.records('listening')).toHaveLength(2);
  });

  it('metrics right after start: restored from the store, before any check of this process completed', async () => {
    const text = await scrape();
    // flaky's first check cannot have completed yet: its connection is refused and the retry waits at least 0.5 s
    // (1 s with equal jitter). So everything flaky shows here was restored from the store.
    expect(value(text, 'schema_drift_checks_total', 'flaky')).toBe(0);
    expect(value(text, 'schema_drift_target_up', 'flaky')).toBe(0);
    expect(driftSeries(text, 'flaky')).toEqual(driftSeries(before, 'flaky'));
    // production and staging may race their (fast, cached) first checks; drift and drift_since agree either way.
    for (const target of ['production', 'staging']) {
      const { lastSuccess: _a, ...now } = driftSeries(text, target);
      const { lastSuccess: _b, ...then } = driftSeries(before, target);
      expect(now, target).toEqual(then);
    }
    expect(value(text, 'schema_drift_last_check_timestamp_seconds', 'flaky')).toBe(
      value(before, 'schema_drift_last_check_timestamp_seconds', 'flaky'),
    );
  });

  it('after the first checks: flaky (never reached by this process) still shows its stored drift', async () => {
    await env.agent.firstChecks;
    const text = await scrape();
    expect(value(text, 'schema_drift_checks_total', 'flaky')).toBe(1);
    expect(value(text, 'schema_drift_check_failures_total', 'flaky', { reason: 'connect' })).toBe(1);
    expect(value(text, 'schema_drift_target_up', 'flaky')).toBe(0);
    expect(driftSeries(text, 'flaky')).toEqual(driftSeries(before, 'flaky'));
    // The databases did not change, so the new checks agree with the stored ones (drift_since carried over).
    for (const target of ['production', 'staging']) {
      const { lastSuccess: _a, ...now } = driftSeries(text, target);
      const { lastSuccess: _b, ...then } = driftSeries(before, target);
      expect(now, target).toEqual(then);
      expect(value(text, 'schema_drift_checks_total', target)).toBe(1);
    }
  });

  it('the history is intact: the same report ids, the same reports, transitions continued', async () => {
    for (const target of ['production', 'staging', 'flaky']) {
      const now = (await getJson(`/api/v1/targets/${target}/reports`)).map((r) => r.report_id);
      // One new report per target (the first check after the restart), then everything from before.
      expect(now.slice(1), target).toEqual(ids[target]);
      expect(now[0] as number).toBeGreaterThan(ids[target]![0] as number);
    }
    expect(await getJson<Report>(`/api/v1/targets/staging/reports/${stagingReport.id}`)).toEqual(stagingReport);
    const transitions = await getJson('/api/v1/targets/flaky/transitions');
    expect(transitions.map((t) => [t.from, t.to])).toEqual([
      ['drift', 'error'],
      ['error', 'drift'],
      ['drift', 'error'],
      [null, 'drift'],
    ]);
  });

  it('never logged the target password', () => {
    for (const line of env.logs.lines) expect(line).not.toContain(TARGET_PASSWORD);
  });
});
