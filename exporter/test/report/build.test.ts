import { beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConnectError, PlanError, ReplayError, TimeoutError } from '../../src/core/errors.ts';
import type { MigrationFile } from '../../src/migrations/types.ts';
import { METRIC_KINDS } from '../../src/core/model/change.ts';
import type { RevisionState } from '../../src/revision/revision-state.ts';
import { renderPostgresPlanSql } from '../../src/dialects/postgres/plan.ts';
import { buildReport, checkStatus, errorReport, scrubSecrets } from '../../src/core/report/build.ts';
import { FINISHED, loadDriftFixture, reportInput, STARTED, type DriftFixture } from './drift-fixture.ts';

let drifted: DriftFixture;
let inSync: DriftFixture;

beforeAll(async () => {
  ({ drifted, inSync } = await loadDriftFixture());
});

function revision(dirty: boolean): RevisionState {
  return {
    tool: 'golang-migrate',
    table: 'public.schema_migrations',
    version: '4',
    dirty,
    ...(dirty ? { failedVersion: '4' } : {}),
    appliedVersions: ['4'],
  };
}

const PENDING: MigrationFile = {
  path: '5_add_payments.up.sql',
  version: '5',
  description: 'add payments',
  repeatable: false,
  sql: 'CREATE TABLE payments (id int);',
  startLine: 1,
  transaction: true,
  sha256: '0'.repeat(64),
};

describe('buildReport status', () => {
  it.each([
    { dirty: true, drift: true, pending: true, status: 'dirty' },
    { dirty: true, drift: false, pending: false, status: 'dirty' },
    { dirty: false, drift: true, pending: true, status: 'drift' },
    { dirty: false, drift: true, pending: false, status: 'drift' },
    { dirty: false, drift: false, pending: true, status: 'pending' },
    { dirty: false, drift: false, pending: false, status: 'in_sync' },
  ])('dirty=$dirty drift=$drift pending=$pending → $status', ({ dirty, drift, pending, status }) => {
    const report = buildReport(
      reportInput(drift ? drifted : inSync, { revision: revision(dirty), pending: pending ? [PENDING] : [] }),
    );
    expect(report.status).toBe(status);
    expect(checkStatus({ dirty, changes: drift ? 1 : 0, pending: pending ? 1 : 0 })).toBe(status);
  });

  it('is in_sync with no revision table at all', () => {
    expect(buildReport(reportInput(inSync)).status).toBe('in_sync');
  });
});

describe('buildReport content', () => {
  it('counts changes by action and by kind, every kind present', () => {
    const { counts } = buildReport(reportInput(drifted));
    expect(Object.keys(counts.byKind).sort()).toEqual([...METRIC_KINDS].sort());
    expect(counts.byKind.table).toEqual({ extra: 1, missing: 1, changed: 0 });
    expect(counts.byKind.column).toEqual({ extra: 1, missing: 1, changed: 1 });
    expect(counts.byKind.constraint).toEqual({ extra: 0, missing: 1, changed: 0 });
    expect(counts.byKind.foreign_key).toEqual({ extra: 0, missing: 1, changed: 0 });
    expect(counts.byKind.view).toEqual({ extra: 0, missing: 0, changed: 1 });
    expect(counts.byKind.routine).toEqual({ extra: 0, missing: 0, changed: 0 });
    expect({ total: counts.total, extra: counts.extra, missing: counts.missing, changed: counts.changed }).toEqual({
      total: drifted.changes.length,
      extra: 2,
      missing: 4,
      changed: 2,
    });
    const sum = Object.values(counts.byKind).reduce((n, c) => n + c.extra + c.missing + c.changed, 0);
    expect(sum).toBe(counts.total);
  });

  it('fills the envelope: id 0, times, labels, engine, revision, pending', () => {
    const report = buildReport(reportInput(drifted, { revision: revision(false), pending: [PENDING], warnings: ['w'] }));
    expect(report).toMatchObject({
      formatVersion: 1,
      id: 0,
      target: 'production',
      labels: { environment: 'production' },
      startedAt: STARTED.toISOString(),
      finishedAt: FINISHED.toISOString(),
      durationMs: 2500,
      error: null,
      revision: { tool: 'golang-migrate', table: 'public.schema_migrations', version: '4', dirty: false },
      pending: [{ version: '5', path: '5_add_payments.up.sql' }],
      warnings: ['w'],
    });
    expect(report.revision).not.toHaveProperty('appliedVersions');
    expect(report.ddl.desired).toContain('CREATE TABLE public.invoices');
    expect(report.ddl.current).toContain('CREATE TABLE public.audit_log');
  });

  it('maps the plan onto statements whose change indices name the report changes', () => {
    const report = buildReport(reportInput(drifted));
    expect(report.reconcile.error).toBeUndefined();
    expect(report.reconcile.sql).toBe(renderPostgresPlanSql(drifted.plan));
    expect(report.reconcile.statements).toHaveLength(drifted.plan.statements.length);
    const retype = report.reconcile.statements.find((s) => s.sql.includes('ALTER COLUMN email TYPE'));
    expect(retype?.hazards).toContain('table_rewrite');
    expect(report.changes[retype?.change ?? -1]).toMatchObject({ type: 'column', name: 'email', action: 'changed' });
  });

  it('keeps the drift when planning failed, with the planner message as reconcile.error', () => {
    const report = buildReport(
      reportInput(drifted, { plan: undefined, planError: 'postgres planner: change 3 (column public.users.name):\nno rule' }),
    );
    expect(report.status).toBe('drift');
    expect(report.counts.total).toBe(drifted.changes.length);
    expect(report.reconcile).toEqual({
      sql: '',
      statements: [],
      error: 'postgres planner: change 3 (column public.users.name): no rule',
    });
  });

  it('lists changes the planner refused on their own beside the statements it planned', () => {
    const refused = [{ change: 0, message: 'postgres: cannot plan changed table public.events:\nturning a plain table into a partitioned one' }];
    const plan = { ...drifted.plan, refused };
    const report = buildReport(reportInput(drifted, { plan, reconcileSql: renderPostgresPlanSql(plan) }));
    expect(report.reconcile.error).toBeUndefined();
    expect(report.reconcile.statements).toHaveLength(drifted.plan.statements.length);
    expect(report.reconcile.refused).toEqual([{ change: 0, message: 'postgres: cannot plan changed table public.events: turning a plain table into a partitioned one' }]);
    expect(report.reconcile.sql.startsWith('-- refused: postgres: cannot plan changed table public.events:')).toBe(true);
  });

  it('is deterministic: the same input gives the same JSON', () => {
    const a = JSON.stringify(buildReport(reportInput(drifted)));
    const b = JSON.stringify(buildReport(reportInput(drifted)));
    expect(a).toBe(b);
  });
});

describe('errorReport', () => {
  const base = {
    target: 'production',
    labels: { environment: 'production' },
    startedAt: STARTED,
    finishedAt: FINISHED,
    engine: { dialect: 'postgres', replay: null, targetServerVersion: null, replayServerVersion: null, cached: false },
  } as const;

  it.each([
    { error: new ConnectError('connect ECONNREFUSED 10.0.0.5:5432', { target: 'production' }), reason: 'connect' },
    { error: new AuthError('password authentication failed for user "app"'), reason: 'auth' },
    { error: new TimeoutError('check took longer than 60000 ms'), reason: 'timeout' },
    { error: new ReplayError('relation "x" does not exist', { file: '003_x.sql', line: 4 }), reason: 'replay' },
    { error: new PlanError('cannot render change'), reason: 'internal' },
    { error: new TypeError('cannot read properties of undefined'), reason: 'internal' },
    { error: 'a thrown string', reason: 'internal' },
  ])('$error → reason $reason', ({ error, reason }) => {
    const report = errorReport({ ...base, error });
    expect(report.status).toBe('error');
    expect(report.error?.reason).toBe(reason);
    expect(report.error?.message.length).toBeGreaterThan(0);
    expect(report.counts.total).toBe(0);
    expect(Object.values(report.counts.byKind).every((c) => c.extra + c.missing + c.changed === 0)).toBe(true);
    expect(Object.keys(report.counts.byKind)).toHaveLength(METRIC_KINDS.length);
    expect(report).toMatchObject({ changes: [], ddl: { desired: '', current: '' }, erd: { tables: [], relations: [] } });
  });

  it('uses describe(): target, file and line lead the message', () => {
    const error = new ReplayError('syntax error at or near "CREAT"', { target: 'production', file: '003_x.sql', line: 4 });
    expect(errorReport({ ...base, error }).error?.message).toBe(
      'target "production": 003_x.sql:4: syntax error at or near "CREAT"',
    );
  });

  it.each([
    {
      name: 'URL password in a SchemaDriftError',
      error: new ConnectError('connecting to postgres://app:s3cr3t-pw@db.internal:5432/prod: refused'),
      kept: 'postgres://app@db.internal:5432/prod',
    },
    {
      name: 'URL password holding / and : in a plain Error',
      error: new Error('bad url "postgresql://app:s3cr3t-pw/x:y@db/prod"'),
      kept: 'postgresql://app@db/prod',
    },
    {
      name: 'password query parameter',
      error: new Error('postgres://db/prod?sslmode=require&password=s3cr3t-pw failed'),
      kept: 'sslmode=require&password=***',
    },
    { name: 'libpq keyword string', error: "host=db password='s3cr3t-pw' user=app", kept: 'password=*** user=app' },
    { name: 'multi-line message', error: new Error('first line\n  password: s3cr3t-pw\nthird'), kept: 'first line password: *** third' },
  ])('scrubs secrets: $name', ({ error, kept }) => {
    const message = errorReport({ ...base, error }).error?.message ?? '';
    expect(message).not.toContain('s3cr3t-pw');
    expect(message).not.toMatch(/[\r\n]/);
    expect(message).toContain(kept);
  });

  it('scrubs the given secrets and warnings too, and keeps a known revision', () => {
    const report = errorReport({
      ...base,
      error: new Error('server said: hunter2hunter2 is wrong'),
      secrets: ['hunter2hunter2'],
      warnings: ['dev server postgres://u:hunter2hunter2@dev/x is PostgreSQL 16'],
      revision: revision(true),
    });
    expect(JSON.stringify(report)).not.toContain('hunter2hunter2');
    expect(report.error?.message).toBe('server said: *** is wrong');
    expect(report.status).toBe('error');
    expect(report.revision?.dirty).toBe(true);
  });

  it('leaves text without secrets alone', () => {
    const text = 'password authentication failed for user "app" on postgres://app@db:5432/prod';
    expect(scrubSecrets(text)).toBe(text);
  });
});
