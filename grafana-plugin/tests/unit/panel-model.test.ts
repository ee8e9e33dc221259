import { FieldType } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import {
  canShowView,
  changesForTable,
  framesToPanelModel,
  missingForView,
} from '../../src/data/panel-model.ts';
import { demoFrames, demoRows, viewFrame } from '../support/frames.ts';
import { filterChanges } from '../../src/data/change-filter.ts';

describe('framesToPanelModel on the exporter demo report', () => {
  const model = framesToPanelModel(demoFrames());

  it('finds all seven frames and reports no problem', () => {
    expect(model.completeness).toBe('complete');
    expect(model.missing).toEqual([]);
    expect(model.problems).toEqual([]);
  });

  it('reads the header from the targets row of the SQL frame\'s target (of two rows)', () => {
    expect(model.header).toMatchObject({
      target: 'production',
      status: 'drift',
      reportId: 1,
      counts: { total: 3, extra: 1, missing: 1, changed: 1 },
      pending: 0,
      dirty: false,
      deployedVersion: '4',
      migrationTool: 'golang-migrate',
      error: null,
      displayUrl: 'pglite://demo/production',
      source: 'targets',
    });
    // checked_at arrives as epoch milliseconds (typed timestamp) and comes back as the exporter's ISO text.
    expect(model.header?.checkedAt).toBe(demoRows('targets')[0]?.checked_at);
  });

  it('reads the ERD nodes with their change indices', () => {
    expect(model.tables.map((t) => `${t.id}:${t.status}`)).toEqual([
      'public.accounts:ok',
      'public.invoices:changed',
      'public.open_tasks_by_project:ok',
      'public.projects:ok',
      'public.tasks:ok',
      'public.users:changed',
    ]);
    expect(model.tables.find((t) => t.id === 'public.invoices')).toMatchObject({
      kind: 'table',
      columnCount: 6,
      changes: [1, 2],
    });
    expect(model.tables.find((t) => t.id === 'public.open_tasks_by_project')?.kind).toBe('view');
  });

  it('groups columns by node in ERD order, with markers and the changed column\'s attributes', () => {
    const users = model.columnsByTable.get('public.users') ?? [];
    expect(users.map((c) => c.name)).toEqual(['id', 'account_id', 'email', 'full_name', 'created_at', 'last_login_at']);
    expect(users[0]).toMatchObject({ primaryKey: true, foreignKey: false, nullable: false, status: 'ok' });
    expect(users[1]).toMatchObject({ foreignKey: true });
    expect(users[2]).toMatchObject({
      status: 'changed',
      type: 'character varying(320)',
      changedAttributes: ['type'],
      details: 'type: expected character varying(320), actual text',
    });
    const columnTotal = [...model.columnsByTable.values()].reduce((n, list) => n + list.length, 0);
    expect(columnTotal).toBe(demoRows('erd-columns').length);
  });

  it('reads relations with their column lists', () => {
    expect(model.relations).toHaveLength(5);
    expect(model.relations[0]).toEqual({
      id: 'public.invoices.invoices_account_id_fkey',
      name: 'invoices_account_id_fkey',
      source: 'public.invoices',
      target: 'public.accounts',
      sourceColumns: ['account_id'],
      targetColumns: ['id'],
      status: 'ok',
    });
  });

  it('reads changes, SQL and statements', () => {
    expect(model.changes.map((c) => `${c.index} ${c.action} ${c.subject}`)).toEqual([
      '0 changed column public.users.email',
      '1 missing constraint public.invoices.invoices_amount_positive',
      '2 extra index public.invoices.invoices_issued_at_idx',
    ]);
    expect(model.changes[0]?.hazards).toEqual(['data_loss', 'heavy_lock', 'may_fail', 'table_rewrite']);
    expect(model.changes[2]?.hazards).toEqual([]);
    expect(model.sql).toMatchObject({ target: 'production', reportId: 1, status: 'drift', reconcileError: null });
    expect(model.sql?.desiredDdl).toContain('email character varying(320) NOT NULL');
    expect(model.sql?.currentDdl).toContain('email text NOT NULL');
    expect(model.statements.map((s) => s.change)).toEqual([2, 0, 1]);
    expect(model.statements[0]).toMatchObject({ sql: 'DROP INDEX public.invoices_issued_at_idx;', hazards: [] });
  });

  it('lists a node\'s changes for the drawer', () => {
    expect(changesForTable(model, 'public.invoices').map((c) => c.index)).toEqual([1, 2]);
    expect(changesForTable(model, 'public.accounts')).toEqual([]);
  });
});

describe('framesToPanelModel with missing or odd data', () => {
  it('gives a no-data model for no frames and for frames of other queries', () => {
    for (const series of [[], [viewFrame('A', [{ time: 1, value: 2 }])]]) {
      const model = framesToPanelModel(series);
      expect(model.completeness).toBe('no-data');
      expect(model.header).toBeNull();
      expect(model.tables).toEqual([]);
      expect(model.missing).toHaveLength(7);
    }
  });

  it('is partial with only the ERD frames: the ERD can be drawn, the SQL view cannot', () => {
    const model = framesToPanelModel(demoFrames().filter((f) => ['tables', 'relations'].includes(f.refId ?? '')));
    expect(model.completeness).toBe('partial');
    expect(model.found).toEqual(['tables', 'relations']);
    expect(canShowView(model, 'erd')).toBe(true);
    expect(canShowView(model, 'sql')).toBe(false);
    expect(missingForView(model, 'erd')).toEqual(['columns', 'changes']);
    expect(model.columnsByTable.size).toBe(0);
    expect(model.header).toBeNull();
  });

  it('names a frame without its key field and uses nothing from it', () => {
    const model = framesToPanelModel([viewFrame('tables', [{ name: 'users', status: 'ok' }])]);
    expect(model.problems).toEqual(['frame "tables" has no field "id"']);
    expect(model.tables).toEqual([]);
    expect(model.completeness).toBe('no-data');
  });

  it('derives the header from the SQL and changes frames without a targets frame', () => {
    const model = framesToPanelModel(demoFrames().filter((f) => f.refId !== 'targets'));
    expect(model.header).toMatchObject({
      source: 'derived',
      target: 'production',
      status: 'drift',
      reportId: 1,
      counts: { total: 3, extra: 1, missing: 1, changed: 1 },
      checkedAt: null,
    });
  });

  it('picks the targets row named by the target option, and refuses to guess between several', () => {
    const targets = viewFrame('targets', demoRows('targets'));
    expect(framesToPanelModel([targets], { target: 'staging' }).header).toMatchObject({
      target: 'staging',
      status: 'in_sync',
      counts: { total: 0, extra: 0, missing: 0, changed: 0 },
    });
    const unsure = framesToPanelModel([targets], { target: 'nope' });
    expect(unsure.header).toBeNull();
    expect(unsure.problems).toEqual(['frame "targets" has several rows and none matches the panel\'s target option']);
  });

  it('reads an error target\'s reason and message, and a not-yet-checked target', () => {
    const rows = [
      { target: 'prod', status: 'error', error_reason: 'connect', error_message: 'connect ECONNREFUSED', changes_total: 0 },
    ];
    expect(framesToPanelModel([viewFrame('targets', rows)]).header).toMatchObject({
      status: 'error',
      error: { reason: 'connect', message: 'connect ECONNREFUSED' },
    });
    const fresh = framesToPanelModel([viewFrame('targets', [{ target: 'new', status: null, changes_total: null }])]);
    expect(fresh.header).toMatchObject({ target: 'new', status: null, counts: null, error: null });
  });

  it('reads numbers and booleans that Infinity typed as strings', () => {
    const columns = [
      { table_id: 'public.t', position: '2', name: 'b', type: 'text', nullable: 'true', primary_key: 'false', status: 'missing' },
      { table_id: 'public.t', position: '1', name: 'a', type: 'int', nullable: 'false', primary_key: 'true', status: 'ok' },
    ];
    const model = framesToPanelModel([
      viewFrame('columns', columns, { types: { position: FieldType.string } }),
      viewFrame('tables', [{ id: 'public.t', status: 'changed', column_count: '2', changes: 4 }]),
    ]);
    expect(model.columnsByTable.get('public.t')?.map((c) => [c.name, c.position, c.nullable, c.primaryKey])).toEqual([
      ['a', 1, false, true],
      ['b', 2, true, false],
    ]);
    expect(model.tables[0]).toMatchObject({ columnCount: 2, changes: [4] });
  });

  it('reads a possible rename of a change row, null where the row has none', () => {
    const model = framesToPanelModel([
      viewFrame('changes', [
        { index: 0, action: 'extra', subject: 'column app.people.full_name', possible_rename: 'full_name → display_name' },
        { index: 1, action: 'missing', subject: 'column app.people.display_name', possible_rename: 'full_name → display_name' },
        { index: 2, action: 'extra', subject: 'column app.people.age', possible_rename: '' },
      ]),
    ]);
    expect(model.changes.map((c) => c.possibleRename)).toEqual(['full_name → display_name', 'full_name → display_name', null]);
    expect(filterChanges(model.changes, 'all', 'possible rename').map((c) => c.index)).toEqual([0, 1]);
    expect(filterChanges(model.changes, 'extra', 'rename display_name').map((c) => c.index)).toEqual([0]);
  });

  it('keeps an unknown status visible as changed and drops rows without keys', () => {
    const model = framesToPanelModel([
      viewFrame('tables', [
        { id: 'public.a', status: 'renamed' },
        { id: null, status: 'ok' },
      ]),
      viewFrame('relations', [{ source: 'public.a', target: null, status: 'ok' }]),
      viewFrame('changes', [
        { index: 0, action: 'extra', subject: 'table public.a' },
        { index: 1, action: 'exploded', subject: 'x' },
      ]),
    ]);
    expect(model.tables).toEqual([expect.objectContaining({ id: 'public.a', status: 'changed' })]);
    expect(model.relations).toEqual([]);
    expect(model.changes.map((c) => c.index)).toEqual([0]);
  });
});
