import { describe, expect, it } from 'vitest';

import { columnsAtFit, COLUMNS_SCALE, detailFor, estimateFitScale, TITLES_SCALE } from '../../src/components/erd/legibility.ts';
import { buildLayoutInput } from '../../src/data/layout-input.ts';
import type { ErdColumn, ErdTable, PanelModel } from '../../src/data/model.ts';

function schema(tables: number, columnsEach: number): Pick<PanelModel, 'tables' | 'relations' | 'columnsByTable'> {
  const list: ErdTable[] = Array.from({ length: tables }, (_, i) => ({
    id: `public.t${i}_invoices`, schema: 'public', name: `t${i}_invoices`, kind: 'table', status: 'ok', columnCount: columnsEach, driftedColumns: 0, changes: [],
  }));
  const columnsByTable = new Map<string, ErdColumn[]>(
    list.map((t) => [
      t.id,
      Array.from({ length: columnsEach }, (_, p) => ({
        id: `${t.id}.c${p}`, tableId: t.id, position: p, name: `column_${p}`, type: 'character varying(64)', nullable: true,
        primaryKey: false, foreignKey: false, status: 'ok' as const, changedAttributes: [], details: '',
      })),
    ]),
  );
  return { tables: list, relations: [], columnsByTable };
}

const OPTIONS = { direction: 'TB' as const, onlyDrifted: false, showColumnTypes: true, showExternalTables: true };
const PANEL = { width: 1280, height: 680 };

describe('detailFor', () => {
  it.each([
    [1, 1000, 'full'],
    [COLUMNS_SCALE, 1000, 'full'],
    [0.05, 120, 'full'],
    [COLUMNS_SCALE - 0.01, 121, 'title'],
    [TITLES_SCALE, 1000, 'title'],
    [TITLES_SCALE - 0.01, 121, 'box'],
    [0.02, 1000, 'box'],
  ] as const)('scale %s with %s boxes visible: %s', (scale, visible, detail) => {
    expect(detailFor(scale, visible)).toBe(detail);
  });
});

describe('columnsAtFit', () => {
  it('a few tables open with their columns, 30 tables with header-only boxes', () => {
    expect(columnsAtFit(buildLayoutInput(schema(3, 8), OPTIONS), PANEL)).toBe(true);
    expect(columnsAtFit(buildLayoutInput(schema(30, 8), OPTIONS), PANEL)).toBe(false);
  });

  it('header-only boxes are smaller, so they fit at a larger scale', () => {
    const model = schema(30, 8);
    const full = estimateFitScale(buildLayoutInput(model, OPTIONS), PANEL);
    const compact = estimateFitScale(buildLayoutInput(model, { ...OPTIONS, columns: false }), PANEL);
    expect(compact).toBeGreaterThan(full * 2);
    expect(buildLayoutInput(model, { ...OPTIONS, columns: false }).nodes.every((n) => n.compact && n.columns.length === 0)).toBe(true);
  });
});
