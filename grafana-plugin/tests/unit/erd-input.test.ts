import { describe, expect, it } from 'vitest';

import { driftedWithNeighbours, focusesOnDrift, selectErd, showsNoDrift } from '../../src/data/filter.ts';
import {
  boxSize,
  buildLayoutInput,
  DEFAULT_BOX_METRICS,
  externalNode,
} from '../../src/data/layout-input.ts';
import type { LayoutInputOptions } from '../../src/data/layout-input.ts';
import type { DriftStatus, ErdColumn, ErdRelation, ErdTable, HeaderModel, PanelModel, ReportStatus } from '../../src/data/model.ts';
import { framesToPanelModel } from '../../src/data/panel-model.ts';
import { demoFrames } from '../support/frames.ts';

function table(id: string, status: DriftStatus = 'ok', columnCount = 0): ErdTable {
  const [schema = '', name = id] = id.split('.');
  return { id, schema, name, kind: 'table', status, columnCount, driftedColumns: 0, changes: [] };
}

function relation(source: string, target: string, status: DriftStatus = 'ok'): ErdRelation {
  return { id: `${source}.${target}_fk`, name: `${target}_fk`, source, target, sourceColumns: ['x'], targetColumns: ['id'], status };
}

function column(tableId: string, name: string, type: string, position: number): ErdColumn {
  return {
    id: `${tableId}.${name}`, tableId, position, name, type, nullable: true, primaryKey: false, foreignKey: false,
    status: 'ok', changedAttributes: [], details: '',
  };
}

type ErdModel = Pick<PanelModel, 'tables' | 'relations' | 'columnsByTable'>;

/** a → b → c → d chain plus e alone; f references an uninspected table. */
function chain(statuses: Partial<Record<string, DriftStatus>>, relationStatus: DriftStatus = 'ok'): ErdModel {
  const ids = ['s.a', 's.b', 's.c', 's.d', 's.e', 's.f'];
  return {
    tables: ids.map((id) => table(id, statuses[id] ?? 'ok')),
    relations: [
      relation('s.a', 's.b'),
      relation('s.b', 's.c', relationStatus),
      relation('s.c', 's.d'),
      relation('s.f', 'other.ext'),
    ],
    columnsByTable: new Map(),
  };
}

const OPTIONS: LayoutInputOptions = {
  direction: 'LR',
  onlyDrifted: false,
  showColumnTypes: true,
  showExternalTables: true,
};

describe('driftedWithNeighbours', () => {
  it.each<[string, Partial<Record<string, DriftStatus>>, DriftStatus, string[]]>([
    ['a changed node and its neighbours both ways', { 's.b': 'changed' }, 'ok', ['s.a', 's.b', 's.c']],
    ['a missing leaf and its one neighbour', { 's.d': 'missing' }, 'ok', ['s.c', 's.d']],
    ['a lone extra node', { 's.e': 'extra' }, 'ok', ['s.e']],
    ['both ends of a drifted relation between ok nodes', {}, 'missing', ['s.b', 's.c']],
    ['nothing when nothing drifted', {}, 'ok', []],
  ])('%s', (_title, statuses, relationStatus, expected) => {
    const model = chain(statuses, relationStatus);
    const selection = driftedWithNeighbours(model);
    expect(selection.tables.map((t) => t.id)).toEqual(expected);
    expect(selection.hiddenCount).toBe(model.tables.length - expected.length);
    for (const r of selection.relations) {
      expect(expected).toContain(r.source);
    }
  });

  it('keeps the relations among kept nodes and marks which nodes drifted themselves', () => {
    const selection = driftedWithNeighbours(chain({ 's.b': 'changed' }));
    expect(selection.relations.map((r) => `${r.source}>${r.target}`)).toEqual(['s.a>s.b', 's.b>s.c']);
    expect([...selection.driftedIds]).toEqual(['s.b']);
  });

  it('keeps the edge of a drifted node to a table outside the schemas', () => {
    const selection = driftedWithNeighbours(chain({ 's.f': 'changed' }));
    expect(selection.tables.map((t) => t.id)).toEqual(['s.f']);
    expect(selection.relations.map((r) => r.target)).toEqual(['other.ext']);
  });

  it('selectErd without the filter returns everything', () => {
    const model = chain({ 's.b': 'changed' });
    const selection = selectErd(model, false);
    expect(selection.tables).toHaveLength(6);
    expect(selection.relations).toHaveLength(4);
    expect(selection.hiddenCount).toBe(0);
  });
});

describe('showsNoDrift', () => {
  function header(status: ReportStatus | null, total: number | null): HeaderModel {
    return {
      target: 'production', status, checkedAt: null, durationMs: null, reportId: null,
      counts: total === null ? null : { total, extra: total, missing: 0, changed: 0 },
      pending: null, dirty: null, deployedVersion: null, migrationTool: null,
      error: status === 'error' ? { reason: 'connect', message: 'refused' } : null, displayUrl: null, source: 'targets',
    };
  }

  it.each<[string, HeaderModel | null, Partial<Record<string, DriftStatus>>, DriftStatus, boolean]>([
    ['in sync: zero changes, everything ok', header('in_sync', 0), {}, 'ok', true],
    ['pending migrations but no drift', header('pending', 0), {}, 'ok', true],
    ['changes counted outside the ERD (a sequence)', header('drift', 1), {}, 'ok', false],
    ['a drifted node despite zero counts', header('in_sync', 0), { 's.b': 'changed' }, 'ok', false],
    ['a drifted relation', header('in_sync', 0), {}, 'missing', false],
    ['counts unknown (neither targets nor changes queried)', header('in_sync', null), {}, 'ok', false],
    ['a failed check', header('error', 0), {}, 'ok', false],
    ['no header at all', null, {}, 'ok', false],
  ])('%s → %s', (_name, head, statuses, relationStatus, expected) => {
    expect(showsNoDrift({ ...chain(statuses, relationStatus), header: head })).toBe(expected);
  });
});

describe('boxSize', () => {
  it('grows with the column count and the longest name plus type', () => {
    const m = DEFAULT_BOX_METRICS;
    const t = { name: 'users', schema: 'public' };
    const cols = [{ name: 'id', type: 'bigint' }, { name: 'email', type: 'character varying(320)' }];
    const withTypes = boxSize(t, cols, 2, true);
    expect(withTypes.height).toBe(m.headerHeight + 2 * m.rowHeight + m.padding);
    // 3 marker chars + "email" + 2 + "character varying(320)"
    expect(withTypes.width).toBe(Math.ceil((3 + 5 + 2 + 22) * m.charWidth + 2 * m.padding));
    expect(boxSize(t, cols, 2, false).width).toBe(m.minWidth);
    expect(boxSize(t, cols, 5, true).height).toBe(withTypes.height + 3 * m.rowHeight);
  });

  it('clamps very long names to the maximum width', () => {
    expect(boxSize({ name: 'x'.repeat(500), schema: 's' }, [], 0, true).width).toBe(DEFAULT_BOX_METRICS.maxWidth);
  });
});

describe('buildLayoutInput', () => {
  it('turns the demo report into 6 sized nodes and 5 edges', () => {
    const input = buildLayoutInput(framesToPanelModel(demoFrames()), OPTIONS);
    expect(input.direction).toBe('LR');
    expect(input.nodes.map((n) => `${n.id}:${n.columns.length}`)).toEqual([
      'public.accounts:4',
      'public.invoices:6',
      'public.open_tasks_by_project:3',
      'public.projects:4',
      'public.tasks:8',
      'public.users:6',
    ]);
    const tasks = input.nodes.find((n) => n.id === 'public.tasks');
    const accounts = input.nodes.find((n) => n.id === 'public.accounts');
    expect(tasks && accounts && tasks.height - accounts.height).toBe(4 * DEFAULT_BOX_METRICS.rowHeight);
    expect(input.edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'public.invoices>public.accounts',
      'public.projects>public.accounts',
      'public.tasks>public.users',
      'public.tasks>public.projects',
      'public.users>public.accounts',
    ]);
    expect(input.droppedEdges).toBe(0);
  });

  it('draws only the drift and its neighbours when asked', () => {
    const input = buildLayoutInput(framesToPanelModel(demoFrames()), { ...OPTIONS, onlyDrifted: true, direction: 'TB' });
    // invoices and users changed; accounts is their neighbour, tasks references users.
    expect(input.nodes.map((n) => n.id)).toEqual(['public.accounts', 'public.invoices', 'public.tasks', 'public.users']);
    expect(input.hiddenCount).toBe(2);
    // tasks > projects goes with the filter (projects is hidden); it is not counted as a dropped edge.
    expect(input.edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'public.invoices>public.accounts',
      'public.tasks>public.users',
      'public.users>public.accounts',
    ]);
    expect(input.droppedEdges).toBe(0);
    expect(input.direction).toBe('TB');
  });

  it('adds a stub node for a table outside the schemas, or drops the edge', () => {
    const model = chain({});
    const withStub = buildLayoutInput(model, OPTIONS);
    const stub = withStub.nodes.at(-1);
    expect(stub).toMatchObject({ id: 'other.ext', external: true, columns: [] });
    expect(stub?.table).toMatchObject({ schema: 'other', name: 'ext', kind: 'external', status: 'ok' });
    expect(stub?.height).toBe(externalNode('other.ext').height);
    expect(withStub.edges).toHaveLength(4);
    const without = buildLayoutInput(model, { ...OPTIONS, showExternalTables: false });
    expect(without.nodes).toHaveLength(6);
    expect(without.edges).toHaveLength(3);
    expect(without.droppedEdges).toBe(1);
  });

  it('marks self-references and cuts long column lists with a "+N more" row', () => {
    const cols = Array.from({ length: 50 }, (_, i) => column('s.t', `c${i}`, 'int', i + 1));
    const model: ErdModel = {
      tables: [table('s.t', 'ok', 50)],
      relations: [relation('s.t', 's.t')],
      columnsByTable: new Map([['s.t', cols]]),
    };
    const input = buildLayoutInput(model, { ...OPTIONS, maxRows: 10 });
    const node = input.nodes[0];
    expect(node?.columns).toHaveLength(10);
    expect(node?.hiddenColumns).toBe(40);
    expect(node?.height).toBe(DEFAULT_BOX_METRICS.headerHeight + 11 * DEFAULT_BOX_METRICS.rowHeight + DEFAULT_BOX_METRICS.padding);
    expect(input.edges[0]?.selfLoop).toBe(true);
  });

  it('sizes a node from column_count when no columns frame is present', () => {
    const model: ErdModel = { tables: [table('s.t', 'ok', 3)], relations: [], columnsByTable: new Map() };
    const node = buildLayoutInput(model, OPTIONS).nodes[0];
    expect(node?.height).toBe(DEFAULT_BOX_METRICS.headerHeight + 3 * DEFAULT_BOX_METRICS.rowHeight + DEFAULT_BOX_METRICS.padding);
  });

  it('handles 1,000 tables in a ring with every node and edge present', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `s.t${String(i).padStart(4, '0')}`);
    const model: ErdModel = {
      tables: ids.map((id, i) => table(id, i % 100 === 0 ? 'changed' : 'ok', 5)),
      relations: ids.map((id, i) => relation(id, ids[(i + 1) % ids.length] ?? id)),
      columnsByTable: new Map(),
    };
    expect(buildLayoutInput(model, OPTIONS).edges).toHaveLength(1000);
    const filtered = buildLayoutInput(model, { ...OPTIONS, onlyDrifted: true });
    // 10 drifted nodes, each with its predecessor and successor on the ring.
    expect(filtered.nodes).toHaveLength(30);
    expect(filtered.edges).toHaveLength(20);
  });
});

describe('focusesOnDrift', () => {
  it.each<[string, number, Partial<Record<string, DriftStatus>>, DriftStatus, boolean]>([
    ['more tables than the limit, one drifted', 5, { 's.b': 'changed' }, 'ok', true],
    ['more tables than the limit, only a relation drifted', 5, {}, 'missing', true],
    ['more tables than the limit, nothing drifted', 5, {}, 'ok', false],
    ['as many tables as the limit', 6, { 's.b': 'changed' }, 'ok', false],
    ['limit 0: never', 0, { 's.b': 'changed' }, 'ok', false],
  ])('%s', (_, limit, statuses, relationStatus, expected) => {
    expect(focusesOnDrift(chain(statuses, relationStatus), limit)).toBe(expected);
  });
});
