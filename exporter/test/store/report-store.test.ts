import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckStatus, Report } from '../../src/core/model/report.ts';
import { buildReport } from '../../src/core/report/build.ts';
import { decodeReportJson } from '../../src/store/report-codec.ts';
import { REPORT_STORE_FILE, ReportStore, StoreError, type RetentionPolicy } from '../../src/store/report-store.ts';
import { loadDriftFixture } from '../report/drift-fixture.ts';
import { syntheticReport, tempDir } from './store-fixture.ts';

const DAY_MS = 86_400_000;

/** Reads a stored row directly, bypassing the store (a second connection; WAL lets it read while the store is open). */
function rawRow(dir: string, id: number): { encoding: string; value: unknown; json: Record<string, unknown> } {
  const db = new DatabaseSync(path.join(dir, REPORT_STORE_FILE), { readOnly: true });
  try {
    const row = db.prepare('SELECT report_encoding, report_json FROM reports WHERE id = ?').get(id) as {
      report_encoding: string;
      report_json: unknown;
    };
    const json = JSON.parse(decodeReportJson(row.report_encoding, row.report_json)) as Record<string, unknown>;
    return { encoding: row.report_encoding, value: row.report_json, json };
  } finally {
    db.close();
  }
}

let tmp: ReturnType<typeof tempDir>;
let store: ReportStore;

beforeEach(() => {
  tmp = tempDir('store');
  store = ReportStore.open(tmp.dir);
});

afterEach(() => {
  store.close();
  tmp.remove();
});

describe('a realistic report', () => {
  let report: Report;

  beforeAll(async () => {
    const { drifted } = await loadDriftFixture();
    report = buildReport({
      target: 'production',
      labels: { environment: 'production' },
      startedAt: new Date('2025-03-01T06:00:00.000Z'),
      finishedAt: new Date('2025-03-01T06:00:04.250Z'),
      current: drifted.current,
      desired: drifted.desired,
      changes: drifted.changes,
      plan: drifted.plan,
      reconcileSql: drifted.reconcileSql,
      ddl: drifted.ddl,
      revision: { tool: 'golang-migrate', table: 'public.schema_migrations', version: '3', dirty: false, appliedVersions: ['1', '2', '3'] },
      pending: [],
      engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '15.20', replayServerVersion: '18.6', cached: false },
      warnings: [],
    });
  });

  it('round-trips exactly, with the id in the stored JSON', () => {
    expect(report.status).toBe('drift');
    expect(report.changes.length).toBeGreaterThan(3);
    expect(report.reconcile.statements.length).toBeGreaterThan(0);
    const id = store.save(report);
    expect(id).toBe(1);
    expect(store.get('production', id)).toEqual({ ...report, id });
    expect(store.latest('production')).toEqual({ ...report, id });
    expect(rawRow(tmp.dir, id).json.id).toBe(id);
  });

  it('has a summary with the counts, the status and no heavy fields', () => {
    const id = store.save(report);
    const [summary] = store.list('production');
    expect(summary).toEqual({
      id,
      target: 'production',
      status: 'drift',
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      durationMs: 4250,
      counts: { total: report.counts.total, extra: report.counts.extra, missing: report.counts.missing, changed: report.counts.changed },
      pending: 0,
      error: null,
    });
  });
});

describe('encoding', () => {
  it('keeps a small report as JSON text, queryable with SQLite JSON functions', () => {
    const id = store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }));
    const raw = rawRow(tmp.dir, id);
    expect(raw.encoding).toBe('json');
    expect(typeof raw.value).toBe('string');
  });

  it('compresses a large report and reads it back unchanged', () => {
    const report = syntheticReport({ target: 'a', status: 'drift', seq: 1, tables: 2_000 });
    const jsonBytes = Buffer.byteLength(JSON.stringify(report));
    const id = store.save(report);
    const raw = rawRow(tmp.dir, id);
    expect(raw.encoding).toBe('br');
    expect((raw.value as Uint8Array).byteLength).toBeLessThan(jsonBytes / 10);
    expect(store.get('a', id)).toEqual({ ...report, id });
  });
});

describe('ordering and pagination', () => {
  it('lists newest first, page by page, one target at a time', () => {
    const ids: Record<string, number[]> = { a: [], b: [] };
    for (let seq = 1; seq <= 7; seq++) {
      ids.a!.push(store.save(syntheticReport({ target: 'a', status: 'in_sync', seq })));
      if (seq % 2) ids.b!.push(store.save(syntheticReport({ target: 'b', status: 'drift', seq })));
    }
    const aDesc = [...ids.a!].reverse();
    const page1 = store.list('a', { limit: 3 });
    expect(page1.map((s) => s.id)).toEqual(aDesc.slice(0, 3));
    const page2 = store.list('a', { limit: 3, beforeId: page1.at(-1)!.id });
    expect(page2.map((s) => s.id)).toEqual(aDesc.slice(3, 6));
    const page3 = store.list('a', { limit: 3, beforeId: page2.at(-1)!.id });
    expect(page3.map((s) => s.id)).toEqual(aDesc.slice(6));
    expect(store.list('a', { limit: 3, beforeId: page3.at(-1)!.id })).toEqual([]);
    expect(store.list('b').map((s) => s.id)).toEqual([...ids.b!].reverse());
    expect(store.list('nobody')).toEqual([]);
  });

  it('parses the newest report once and reuses it until a newer one is saved, by this store or another', () => {
    store.save(syntheticReport({ target: 'a', status: 'drift', seq: 1 }));
    const first = store.latest('a');
    expect(store.latest('a')).toBe(first);
    const id = store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 2 }));
    const second = store.latest('a');
    expect(second).not.toBe(first);
    expect(second?.id).toBe(id);
    // A second process writing the same file (a restart overlapping the old agent): the newest id decides.
    const other = ReportStore.open(tmp.dir);
    const otherId = other.save(syntheticReport({ target: 'a', status: 'drift', seq: 3 }));
    other.close();
    expect(store.latest('a')?.id).toBe(otherId);
  });

  it("finds the latest report per target, and never another target's report by id", () => {
    const a1 = store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }));
    const b1 = store.save(syntheticReport({ target: 'b', status: 'drift', seq: 2 }));
    const a2 = store.save(syntheticReport({ target: 'a', status: 'drift', seq: 3 }));
    expect(store.latest('a')?.id).toBe(a2);
    expect(store.latest('nobody')).toBeNull();
    expect(store.latestAll().map((r) => [r.target, r.id])).toEqual([
      ['a', a2],
      ['b', b1],
    ]);
    expect(store.get('a', a1)?.warnings).toEqual(['synthetic report 1']);
    expect(store.get('b', a1)).toBeNull();
    expect(store.get('a', 9_999)).toBeNull();
    expect(store.get('a', Number.NaN)).toBeNull();
  });

  it.each([0, -1, 1.5])('refuses limit %s', (limit) => {
    expect(() => store.list('a', { limit })).toThrow(/limit must be a positive integer/);
  });
});

describe('status history', () => {
  const steps: [CheckStatus, string | null, number][] = [
    // status, expected driftSince (as `seq<n>`: the time of report n), expected statusSince (report n); dirty
    // synthetic reports carry changes, so they are a drift too
    ['in_sync', null, 1],
    ['drift', 'seq2', 2],
    ['drift', 'seq2', 2],
    ['error', 'seq2', 4],
    ['drift', 'seq2', 5],
    ['in_sync', null, 6],
    ['error', null, 7],
    ['dirty', 'seq8', 8],
    ['pending', null, 9],
  ];
  const at = (seq: number) => syntheticReport({ target: 't', status: 'in_sync', seq }).finishedAt;

  it('tracks status-since and drift-since after every save (errors neither start nor end a drift)', () => {
    steps.forEach(([status, driftSince, sinceSeq], i) => {
      store.save(syntheticReport({ target: 't', status, seq: i + 1 }));
      expect(store.statusSince('t')).toEqual({ status, since: at(sinceSeq) });
      expect(store.driftSince('t')).toBe(driftSince === null ? null : at(Number(driftSince.slice(3))));
    });
    expect(store.statusSince('nobody')).toBeNull();
    expect(store.driftSince('nobody')).toBeNull();
  });

  it('lists the transitions in_sync → drift → drift → in_sync → error', () => {
    const ids = (['in_sync', 'drift', 'drift', 'in_sync', 'error'] as const).map((status, i) =>
      store.save(syntheticReport({ target: 't', status, seq: i + 1 })),
    );
    expect(store.transitions('t')).toEqual([
      { id: ids[4], at: at(5), from: 'in_sync', to: 'error' },
      { id: ids[3], at: at(4), from: 'drift', to: 'in_sync' },
      { id: ids[1], at: at(2), from: 'in_sync', to: 'drift' },
      { id: ids[0], at: at(1), from: null, to: 'in_sync' },
    ]);
    expect(store.transitions('t', { limit: 2 }).map((t) => t.id)).toEqual([ids[4], ids[3]]);
  });

  it('keeps status-since, drift-since and transitions when pruning removes the reports they came from', () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    store.save(syntheticReport({ target: 't', status: 'in_sync', seq: 1, finishedAt: '2025-01-01T00:00:00.000Z' }));
    const driftStart = '2025-01-02T00:00:00.000Z';
    const firstDrift = store.save(syntheticReport({ target: 't', status: 'drift', seq: 2, finishedAt: driftStart }));
    for (let day = 3; day <= 12; day++) {
      const finishedAt = `2025-05-${String(day + 10).padStart(2, '0')}T00:00:00.000Z`;
      store.save(syntheticReport({ target: 't', status: day === 7 ? 'error' : 'drift', seq: day, finishedAt }));
    }
    const lastDriftRun = store.transitions('t')[0]!;
    expect(store.prune({ maxAgeDays: 30, maxReportsPerTarget: 3 }, now)).toBe(9);
    expect(store.list('t')).toHaveLength(3);
    expect(store.get('t', firstDrift)).toBeNull();
    expect(store.driftSince('t')).toBe(driftStart);
    // The current run began with the error → drift transition of day 8, older than every kept report.
    expect(lastDriftRun).toMatchObject({ from: 'error', to: 'drift' });
    expect(store.statusSince('t')).toEqual({ status: 'drift', since: lastDriftRun.at });
    expect(store.list('t').every((s) => s.finishedAt > lastDriftRun.at)).toBe(true);
  });
});

describe('prune', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  /** Target `a`: reports 9.5, 8.5, ..., 0.5 days old (ids 1..10); target `b`: one report 100 days old (id 11). */
  function seed(): void {
    for (let i = 0; i < 10; i++) {
      const finishedAt = new Date(now.getTime() - (9.5 - i) * DAY_MS).toISOString();
      store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: i, finishedAt }));
    }
    store.save(syntheticReport({ target: 'b', status: 'drift', seq: 99, finishedAt: new Date(now.getTime() - 100 * DAY_MS).toISOString() }));
  }

  it.each<[string, RetentionPolicy, number[], number[]]>([
    ['by age', { maxAgeDays: 5, maxReportsPerTarget: Infinity }, [10, 9, 8, 7, 6], [11]],
    ['by count', { maxAgeDays: Infinity, maxReportsPerTarget: 3 }, [10, 9, 8], [11]],
    ['by whichever is stricter', { maxAgeDays: 5, maxReportsPerTarget: 2 }, [10, 9], [11]],
    ['down to the latest of each target', { maxAgeDays: 0.01, maxReportsPerTarget: 100 }, [10], [11]],
    ['nothing when nothing is old', { maxAgeDays: 365, maxReportsPerTarget: 100 }, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], [11]],
  ])('%s', (_name, retention, keptA, keptB) => {
    seed();
    const deleted = store.prune(retention, now);
    expect(store.list('a').map((s) => s.id)).toEqual(keptA);
    expect(store.list('b').map((s) => s.id)).toEqual(keptB);
    expect(deleted).toBe(10 - keptA.length);
  });

  it.each<[RetentionPolicy]>([
    [{ maxAgeDays: 0, maxReportsPerTarget: 10 }],
    [{ maxAgeDays: Number.NaN, maxReportsPerTarget: 10 }],
    [{ maxAgeDays: 30, maxReportsPerTarget: 0 }],
    [{ maxAgeDays: 30, maxReportsPerTarget: 1.5 }],
  ])('refuses %j and deletes nothing', (retention) => {
    seed();
    expect(() => store.prune(retention, now)).toThrow(StoreError);
    expect(store.list('a')).toHaveLength(10);
  });

  it('gives space back after a large cut', () => {
    for (let seq = 1; seq <= 12; seq++) store.save(syntheticReport({ target: 'a', status: 'in_sync', seq, tables: 1_500 }));
    const pages = () => {
      const db = new DatabaseSync(path.join(tmp.dir, REPORT_STORE_FILE), { readOnly: true });
      try {
        return (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
      } finally {
        db.close();
      }
    };
    const before = pages();
    expect(store.prune({ maxAgeDays: Infinity, maxReportsPerTarget: 1 })).toBe(11);
    expect(pages()).toBeLessThan(before / 2);
  });
});

describe('lifecycle', () => {
  it('loses nothing across close and reopen', () => {
    const saved = ['in_sync', 'drift', 'error'].map((status, i) => {
      const report = syntheticReport({ target: 'a', status: status as CheckStatus, seq: i, tables: i * 400 });
      return { ...report, id: store.save(report) };
    });
    const listed = store.list('a');
    store.close();
    store = ReportStore.open(tmp.dir);
    expect(store.list('a')).toEqual(listed);
    for (const report of saved) expect(store.get('a', report.id)).toEqual(report);
    expect(store.statusSince('a')).toEqual({ status: 'error', since: saved[2]!.finishedAt });
    // Ids continue after a reopen.
    expect(store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 9 }))).toBe(4);
  });

  it('refuses calls after close, and closing twice is harmless', () => {
    store.close();
    store.close();
    expect(() => store.latest('a')).toThrow(/report store is closed/);
    expect(() => store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }))).toThrow(StoreError);
    store = ReportStore.open(tmp.dir);
  });

  it('refuses a report with an unparseable timestamp and stores nothing', () => {
    const report = { ...syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }), finishedAt: 'yesterday' };
    expect(() => store.save(report)).toThrow(/invalid report: finishedAt is not a timestamp: "yesterday"/);
    try {
      store.save(report);
    } catch (err) {
      expect((err as StoreError).context).toEqual({ target: 'a', file: store.file });
    }
    expect(store.list('a')).toEqual([]);
  });

  it('stores timestamps with an offset as UTC', () => {
    const report = { ...syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }), finishedAt: '2025-01-01T02:00:00+02:00' };
    store.save(report);
    expect(store.list('a')[0]?.finishedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(store.statusSince('a')?.since).toBe('2025-01-01T00:00:00.000Z');
  });
});
