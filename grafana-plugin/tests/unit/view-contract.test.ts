/**
 * The frame contract, checked against the producer: the panel and the exporter are separate bundles, so the panel
 * restates the exporter's view fields (`src/data/fields.ts`) and so do the dashboards' Infinity `columns`. Here a
 * small drifted schema goes through the real engine (embedded PGlite read as a live database, the engine's compare,
 * `buildReport`) and the exporter's own view functions; every field the panel or a dashboard names must be one of
 * those rows' fields.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { summaryOf, summaryRow } from '../../../exporter/src/http/summary.ts';
import type { Report } from '../../../exporter/src/core/model/report.ts';
import { buildReport } from '../../../exporter/src/core/report/build.ts';
import {
  changeRows,
  erdColumnRows,
  erdRelationRows,
  erdTableRows,
  sqlRows,
  statementRows,
  targetRows,
  type Row,
} from '../../../exporter/src/core/report/views.ts';
import { toTransition } from '../../../exporter/src/store/report-rows.ts';
import { READ_FIELDS } from '../../src/data/fields.ts';
import { frameKind, REQUIRED_FIELDS } from '../../src/data/frames.ts';
import type { FrameKind } from '../../src/data/model.ts';
import { embeddedSnapshot, reportPartsOf } from '../support/engine.ts';
import { VIEW_FIELDS, viewFrame } from '../support/frames.ts';

/** Desired: two tables joined by a foreign key. Current: a column retyped, one dropped, one added, the key gone. */
const DESIRED = `
CREATE TABLE public.users (id bigint PRIMARY KEY, email varchar(320) NOT NULL, name text);
CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint NOT NULL CONSTRAINT orders_user_id_fkey REFERENCES public.users (id));`;
const CURRENT = `
CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL, nickname text);
CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);`;

const REPO = path.join(import.meta.dirname, '../../..');

/** The exporter's rows of each view the panel reads, from one real report. */
let produced: Record<FrameKind, Row[]>;
let report: Report;

async function engineReport(): Promise<Report> {
  const read = async (sql: string) =>
    (await embeddedSnapshot((db) => db.exec(sql), { schemas: ['public'], description: 'fixture (PGlite)' })).snapshot;
  const desired = await read(DESIRED);
  const current = await read(CURRENT);
  const startedAt = new Date('2025-03-01T06:00:00.000Z');
  const built = buildReport({
    ...reportPartsOf(current, desired),
    target: 'production',
    labels: { environment: 'production' },
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 2_500),
    revision: null,
    pending: [],
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '18.6', replayServerVersion: '18.6', cached: false },
    warnings: [],
  });
  return { ...built, id: 7 };
}

beforeAll(async () => {
  report = await engineReport();
  produced = {
    // No static labels: each label would add a field of its own, which the fixed lists do not name.
    targets: targetRows([report], [{ name: 'production', labels: {}, schedule: '0 6 * * *' }]),
    changes: changeRows(report),
    tables: erdTableRows(report),
    columns: erdColumnRows(report),
    relations: erdRelationRows(report),
    sql: sqlRows(report),
    statements: statementRows(report),
  };
}, 60_000);

/** Every field of a view's rows (they all have the same fields, docs/report-format.md). */
function producedFields(kind: FrameKind): string[] {
  return Object.keys(produced[kind][0] ?? {});
}

describe('the panel reads only fields the exporter produces', () => {
  it('the report has a row in every view, so no view is checked against nothing', () => {
    expect(report.status).toBe('drift');
    for (const kind of Object.keys(READ_FIELDS) as FrameKind[]) {
      expect(produced[kind].length, kind).toBeGreaterThan(0);
    }
  });

  it.each(Object.keys(READ_FIELDS) as FrameKind[])('%s: every field the panel reads and requires', (kind) => {
    const fields = producedFields(kind);
    for (const name of [...READ_FIELDS[kind], ...REQUIRED_FIELDS[kind]]) {
      expect(fields, `${kind}.${name}`).toContain(name);
    }
  });

  it.each(Object.keys(READ_FIELDS) as FrameKind[])('%s: recognised by its fields alone, without a refId', (kind) => {
    expect(frameKind(viewFrame(undefined, produced[kind]))).toBe(kind);
  });

  it.each(Object.keys(VIEW_FIELDS) as FrameKind[])('%s: the test frames use the exporter field list', (kind) => {
    expect([...VIEW_FIELDS[kind]]).toEqual(producedFields(kind));
  });
});

interface InfinityQuery {
  refId: string;
  url?: string;
  columns?: Array<{ selector: string }>;
}

/** Every Infinity query with pinned columns in the repo's dashboards, with the view it reads. */
function pinnedQueries(): Array<{ where: string; url: string; selectors: string[] }> {
  const files = ['dashboards/schema-drift-target.json', 'dashboards/schema-drift-overview.json', 'grafana-plugin/provisioning/dashboards/schema-drift.json'];
  return files.flatMap((file) => {
    const json = JSON.parse(readFileSync(path.join(REPO, file), 'utf8')) as { panels: Array<{ targets?: InfinityQuery[] }> };
    return json.panels
      .flatMap((panel) => panel.targets ?? [])
      .filter((query) => query.url && query.columns?.length)
      .map((query) => ({
        where: `${file} ${query.refId}`,
        url: query.url ?? '',
        selectors: (query.columns ?? []).map((c) => c.selector),
      }));
  });
}

/** The exporter's rows for an API path (the route's last segments name the view). */
function rowsForUrl(url: string): Row[] {
  const route = url.split('?')[0] ?? '';
  const views: Array<[RegExp, () => Row[]]> = [
    [/\/targets$/, () => produced.targets],
    [/\/reports$/, () => [summaryRow(summaryOf(report))]],
    [/\/transitions$/, () => [{ ...toTransition({ id: 7, finished_at: report.finishedAt, prev_status: 'in_sync', status: 'drift' }) }]],
    [/\/erd\/tables$/, () => produced.tables],
    [/\/erd\/columns$/, () => produced.columns],
    [/\/erd\/relations$/, () => produced.relations],
    [/\/changes$/, () => produced.changes],
    [/\/sql$/, () => produced.sql],
    [/\/statements$/, () => produced.statements],
  ];
  const view = views.find(([pattern]) => pattern.test(route));
  if (!view) throw new Error(`no exporter view for ${url}`);
  return view[1]();
}

describe("the dashboards' Infinity columns name fields the exporter produces", () => {
  const queries = pinnedQueries();

  it('finds the pinned queries of both dashboard sets', () => {
    expect(queries.map((q) => q.where)).toEqual(
      expect.arrayContaining(['dashboards/schema-drift-target.json reports', 'grafana-plugin/provisioning/dashboards/schema-drift.json columns']),
    );
  });

  it.each(queries)('$where', ({ url, selectors }) => {
    const fields = Object.keys(rowsForUrl(url)[0] ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const selector of selectors) {
      expect(fields).toContain(selector);
    }
  });
});
