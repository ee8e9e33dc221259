import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { frameKind } from '../../src/data/frames.ts';
import { DEFAULT_OPTIONS } from '../../src/types.ts';
import { demoRows, viewFrame } from '../support/frames.ts';

interface Query {
  refId: string;
  url: string;
  datasource: { uid: string };
  columns: Array<{ selector: string; text: string }>;
}

const ROOT = path.join(import.meta.dirname, '../..');
const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'provisioning/dashboards/schema-drift.json'), 'utf8')) as {
  schemaVersion: number;
  panels: Array<{ type: string; targets: Query[]; options: Record<string, unknown> }>;
};
const pluginId = (JSON.parse(readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8')) as { id: string }).id;
const panel = dashboard.panels[0];
const datasources = readFileSync(path.join(ROOT, 'provisioning/datasources/infinity.yaml'), 'utf8');

/** Demo fixture file of each refId (the exporter's views as served). */
const FIXTURE: Record<string, string> = {
  targets: 'targets',
  tables: 'erd-tables',
  columns: 'erd-columns',
  relations: 'erd-relations',
  changes: 'changes',
  sql: 'sql',
  statements: 'statements',
};

describe('provisioned development dashboard', () => {
  it('uses this panel, schemaVersion 42 and the provisioned data source uid', () => {
    expect(panel?.type).toBe(pluginId);
    expect(dashboard.schemaVersion).toBe(42);
    expect(datasources).toContain('uid: schema-drift-api');
    for (const query of panel?.targets ?? []) {
      expect(query.datasource.uid).toBe('schema-drift-api');
    }
  });

  it('sets every panel option, and only known ones', () => {
    expect(Object.keys(panel?.options ?? {}).sort()).toEqual(Object.keys(DEFAULT_OPTIONS).sort());
  });

  it.each(Object.entries(FIXTURE))('query %s names a real view field in each column and is recognised', (refId, file) => {
    const query = panel?.targets.find((q) => q.refId === refId);
    expect(query).toBeDefined();
    const rows = demoRows(file);
    const fields = Object.keys(rows[0] ?? {});
    for (const column of query?.columns ?? []) {
      expect(fields, `${refId}.${column.selector}`).toContain(column.selector);
      expect(column.text).toBe(column.selector);
    }
    // The frame Infinity would make from this query is recognised by refId and, refId aside, by its fields.
    const named = Object.fromEntries((query?.columns ?? []).map((c) => [c.selector, rows[0]?.[c.selector] ?? null]));
    expect(frameKind(viewFrame(refId, [named]))).toBe(refId);
    expect(frameKind(viewFrame('A', [named]))).toBe(refId);
  });
});
