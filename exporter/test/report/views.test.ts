import { beforeAll, describe, expect, it } from 'vitest';
import { ConnectError } from '../../src/core/errors.ts';
import type { Report } from '../../src/core/model/report.ts';
import { buildReport, errorReport } from '../../src/core/report/build.ts';
import {
  changeRows,
  erdColumnRows,
  erdRelationRows,
  erdTableRows,
  sqlRows,
  statementRows,
  summarizeAttributes,
  targetRows,
  type Row,
  type TargetRowConfig,
} from '../../src/core/report/views.ts';
import { FINISHED, loadDriftFixture, reportInput, STARTED } from './drift-fixture.ts';

let drifted: Report;
let inSync: Report;
let failed: Report;

const TARGETS: TargetRowConfig[] = [
  { name: 'production', labels: { environment: 'production', team: 'core' }, displayUrl: 'postgres://app@db/prod', schedule: '0 6,18 * * *' },
  { name: 'staging', labels: { environment: 'staging' }, displayUrl: 'postgres://app@db/staging', schedule: '0 * * * *' },
  { name: 'broken', labels: { environment: 'production', status: 'legacy' }, schedule: '*/5 * * * *' },
  { name: 'fresh', labels: {}, schedule: '0 6 * * *' },
];

beforeAll(async () => {
  const fixture = await loadDriftFixture();
  drifted = { ...buildReport(reportInput(fixture.drifted)), id: 7 };
  inSync = { ...buildReport(reportInput(fixture.inSync, { target: 'staging' })), id: 8 };
  failed = {
    ...errorReport({
      target: 'broken',
      labels: {},
      startedAt: STARTED,
      finishedAt: FINISHED,
      error: new ConnectError('connecting to postgres://app:pw-secret@db/prod: ECONNREFUSED'),
      engine: { dialect: 'postgres', replay: null, targetServerVersion: null, replayServerVersion: null, cached: false },
    }),
    id: 9,
  };
});

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

describe('every view is a flat frame', () => {
  const views: [string, () => Row[]][] = [
    ['targetRows', () => targetRows([drifted, inSync, failed], TARGETS)],
    ['changeRows', () => changeRows(drifted)],
    ['erdTableRows', () => erdTableRows(drifted)],
    ['erdColumnRows', () => erdColumnRows(drifted)],
    ['erdRelationRows', () => erdRelationRows(drifted)],
    ['sqlRows', () => sqlRows(drifted)],
    ['statementRows', () => statementRows(drifted)],
  ];

  it.each(views)('%s: rows of scalars only, every row with the same fields', (_name, rows) => {
    const out = rows();
    expect(out.length).toBeGreaterThan(0);
    const fields = Object.keys(out[0] ?? {}).sort();
    for (const row of out) {
      expect(Object.keys(row).sort()).toEqual(fields);
      for (const [field, value] of Object.entries(row)) expect(isScalar(value), `${field}=${JSON.stringify(value)}`).toBe(true);
    }
    // The JSON round trip is what Infinity receives: nothing is lost or reshaped.
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});

describe('targetRows', () => {
  it('one row per configured target, in configuration order, never-checked ones with status null', () => {
    const rows = targetRows([drifted, inSync, failed], TARGETS);
    expect(rows.map((r) => [r['target'], r['status']])).toEqual([
      ['production', 'drift'],
      ['staging', 'in_sync'],
      ['broken', 'error'],
      ['fresh', null],
    ]);
    expect(rows[3]).toMatchObject({ checked_at: null, changes_total: null, dirty: null, report_id: null, display_url: null });
  });

  it('carries the check summary and each static label as its own field', () => {
    const [production, , broken] = targetRows([drifted, inSync, failed], TARGETS);
    expect(production).toMatchObject({
      display_url: 'postgres://app@db/prod',
      schedule: '0 6,18 * * *',
      checked_at: FINISHED.toISOString(),
      duration_ms: 2500,
      changes_total: drifted.counts.total,
      extra: 2,
      missing: 4,
      changed: 2,
      pending: 0,
      dirty: false,
      error_reason: null,
      report_id: 7,
      environment: 'production',
      team: 'core',
      label_status: null,
    });
    // A label named like a fixed field is renamed, never overwrites it.
    expect(broken).toMatchObject({ status: 'error', label_status: 'legacy', error_reason: 'connect', team: null });
    expect(String(broken?.['error_message'])).not.toContain('pw-secret');
  });

  it('takes the newest report of a target and ignores unconfigured targets', () => {
    const older = { ...drifted, id: 3, status: 'in_sync' as const, finishedAt: '2025-02-01T00:00:00.000Z' };
    const stranger = { ...drifted, target: 'not-configured' };
    const rows = targetRows([drifted, older, stranger], TARGETS.slice(0, 1));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'drift', report_id: 7 });
  });
});

describe('change, ERD and SQL rows', () => {
  it('changeRows: kind, subject, table id, one-line details and the hazards of the planned statements', () => {
    const rows = changeRows(drifted);
    expect(rows).toHaveLength(drifted.changes.length);
    const email = rows.find((r) => r['subject'] === 'column public.users.email');
    expect(email).toMatchObject({
      kind: 'column',
      type: 'column',
      action: 'changed',
      schema: 'public',
      table: 'users',
      name: 'email',
      table_id: 'public.users',
      details: 'type: expected character varying(320), actual text',
    });
    expect(String(email?.['hazards']).split(',')).toEqual(expect.arrayContaining(['table_rewrite', 'data_loss']));
    expect(rows.find((r) => r['type'] === 'table' && r['action'] === 'missing')).toMatchObject({
      name: 'invoices',
      table: null,
      table_id: 'public.invoices',
      details: '',
    });
    expect(rows.map((r) => r['index'])).toEqual(rows.map((_r, i) => i));
  });

  it('changeRows: possible_rename says `old → new` on both halves of a possible rename, empty elsewhere', () => {
    // The fixture's live table has `nickname` where the migrations have `name`, both of one definition.
    const rows = changeRows(drifted).filter((r) => r['possible_rename'] !== '');
    expect(rows.map((r) => `${String(r['action'])} ${String(r['subject'])}: ${String(r['possible_rename'])}`).sort()).toEqual([
      expect.stringMatching(/^extra column .*\.nickname: nickname → name$/),
      expect.stringMatching(/^missing column .*\.name: nickname → name$/),
    ]);
  });

  it('summarizeAttributes: strings bare, other values as JSON, one line, long values cut', () => {
    expect(
      summarizeAttributes([
        { name: 'type', expected: 'varchar(320)', actual: 'text' },
        { name: 'nullable', expected: false, actual: true },
        { name: 'default', expected: null, actual: "'x'::text" },
        { name: 'identity', expected: { generation: 'always' }, actual: undefined },
        { name: 'comment', expected: 'a\nb', actual: 'y'.repeat(300) },
      ]),
    ).toBe(
      'type: expected varchar(320), actual text; nullable: expected false, actual true; ' +
        "default: expected null, actual 'x'::text; identity: expected {\"generation\":\"always\"}, actual none; " +
        `comment: expected a b, actual ${'y'.repeat(119)}…`,
    );
  });

  it('erdTableRows and erdColumnRows join on table_id; ghosted columns keep their status', () => {
    const tables = erdTableRows(drifted);
    const columns = erdColumnRows(drifted);
    const ids = new Set(tables.map((t) => t['id']));
    expect(columns.every((c) => ids.has(c['table_id'] as string))).toBe(true);
    expect(tables.find((t) => t['id'] === 'public.users')).toMatchObject({
      status: 'changed',
      kind: 'table',
      title: 'users',
      subtitle: 'public',
      column_count: 4,
      drifted_columns: 3,
    });
    expect(columns.filter((c) => c['table_id'] === 'public.invoices').map((c) => [c['position'], c['name'], c['status']])).toEqual([
      [1, 'id', 'missing'],
      [2, 'order_id', 'missing'],
      [3, 'note', 'missing'],
    ]);
    expect(columns.find((c) => c['id'] === 'public.users.email')).toMatchObject({
      status: 'changed',
      changed_attributes: 'type',
      details: 'type: expected character varying(320), actual text',
      primary_key: false,
    });
  });

  it('erdRelationRows: edges with comma-joined columns', () => {
    expect(erdRelationRows(drifted).find((r) => r['name'] === 'orders_user_id_fkey')).toEqual({
      id: 'public.orders.orders_user_id_fkey',
      name: 'orders_user_id_fkey',
      source: 'public.orders',
      target: 'public.users',
      source_columns: 'user_id',
      target_columns: 'id',
      status: 'missing',
    });
  });

  it('sqlRows: one row with both DDLs and the script; statementRows: one per statement', () => {
    const [sql] = sqlRows(drifted);
    expect(sql).toMatchObject({ target: 'production', report_id: 7, status: 'drift', reconcile_error: null });
    expect(sql?.['desired_ddl']).toBe(drifted.ddl.desired);
    expect(sql?.['reconcile_sql']).toBe(drifted.reconcile.sql);
    expect(String(sql?.['hazards']).split(',')).toContain('data_loss');
    const statements = statementRows(drifted);
    expect(statements).toHaveLength(drifted.reconcile.statements.length);
    const drop = statements.find((s) => String(s['sql']).startsWith('DROP TABLE public.audit_log'));
    expect(drop).toMatchObject({ hazards: 'data_loss', change_subject: 'table public.audit_log' });
  });

  it('an error report gives empty change/ERD views and a SQL row with empty text', () => {
    expect(changeRows(failed)).toEqual([]);
    expect(erdTableRows(failed)).toEqual([]);
    expect(statementRows(failed)).toEqual([]);
    expect(sqlRows(failed)).toEqual([
      {
        target: 'broken',
        report_id: 9,
        status: 'error',
        desired_ddl: '',
        current_ddl: '',
        reconcile_sql: '',
        reconcile_error: null,
        statement_count: 0,
        hazards: '',
      },
    ]);
  });

  it('is deterministic', () => {
    const all = (r: Report) => [changeRows(r), erdTableRows(r), erdColumnRows(r), erdRelationRows(r), sqlRows(r), statementRows(r)];
    expect(JSON.stringify(all(drifted))).toBe(JSON.stringify(all(structuredClone(drifted))));
  });
});
