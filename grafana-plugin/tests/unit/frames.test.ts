import { createDataFrame } from '@grafana/data';
import { describe, expect, it } from 'vitest';

import { frameKind, normalizeName, pickFrames } from '../../src/data/frames.ts';
import type { FrameKind } from '../../src/data/model.ts';
import { demoRows, VIEW_FIELDS, viewFrame } from '../support/frames.ts';

describe('frameKind', () => {
  it.each<[string, FrameKind]>([
    ['targets', 'targets'],
    ['changes', 'changes'],
    ['tables', 'tables'],
    ['erd/tables', 'tables'],
    ['ERD tables', 'tables'],
    ['erd-columns', 'columns'],
    ['relations', 'relations'],
    ['Edges', 'relations'],
    ['sql', 'sql'],
    ['statements', 'statements'],
  ])('refId %j names the %s view', (refId, kind) => {
    expect(frameKind(viewFrame(refId, [{ x: 1 }]))).toBe(kind);
  });

  it('falls back to the frame name when the refId says nothing', () => {
    expect(frameKind(viewFrame('A', [{ x: 1 }], { name: 'erd_relations' }))).toBe('relations');
  });

  it.each(Object.entries(VIEW_FIELDS) as Array<[FrameKind, readonly string[]]>)(
    'recognises the %s view by its fields alone (refId A)',
    (kind, fields) => {
      expect(frameKind(viewFrame('A', [], { fields }))).toBe(kind);
    },
  );

  it('recognises a frame by fields when Infinity renamed them with spaces and capitals', () => {
    const frame = viewFrame(undefined, [{ Id: 'public.a', Status: 'ok', 'Column count': 2 }]);
    expect(frameKind(frame)).toBe('tables');
  });

  it.each<[string, Record<string, string | number>, FrameKind]>([
    ['targets without schedule', { target: 'prod', checked_at: 1, status: 'drift' }, 'targets'],
    ['targets with counts only', { target: 'prod', changes_total: 2 }, 'targets'],
    ['sql without statements fields', { target: 'prod', desired_ddl: '', current_ddl: '' }, 'sql'],
    ['columns without position', { id: 'a.b.c', table_id: 'a.b', name: 'c', primary_key: 1 }, 'columns'],
    ['statements', { index: 0, sql: 'DROP', comment: 'drop', hazards: '' }, 'statements'],
  ])('recognises a trimmed query: %s', (_title, row, kind) => {
    expect(frameKind(viewFrame(undefined, [row]))).toBe(kind);
  });

  it('returns null for a frame of some other query', () => {
    expect(frameKind(viewFrame('A', [{ time: 1, value: 2 }]))).toBeNull();
    expect(frameKind(createDataFrame({ fields: [] }))).toBeNull();
  });
});

describe('pickFrames', () => {
  it('keeps the first frame of each kind and ignores unknown frames', () => {
    const first = viewFrame('tables', demoRows('erd-tables'));
    const second = viewFrame('tables', [{ id: 'public.other', status: 'ok' }]);
    const picked = pickFrames([viewFrame('A', [{ time: 1 }]), first, second]);
    expect([...picked.keys()]).toEqual(['tables']);
    expect(picked.get('tables')).toBe(first);
  });
});

describe('normalizeName', () => {
  it.each([
    ['erd/tables', 'erd_tables'],
    [' ERD  Tables ', 'erd_tables'],
    ['column-count', 'column_count'],
    ['report.id', 'report_id'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});
