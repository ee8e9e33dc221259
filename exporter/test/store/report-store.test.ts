/**
 * The store contract's suite, run against both stores (`store-harness.ts`): the embedded SQLite store and the
 * PostgreSQL store. What only one of them has (SQLite's file, PostgreSQL's schema) is tested beside it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckStatus, Report } from '../../src/core/model/report.ts';
import { buildReport } from '../../src/core/report/build.ts';
import { StoreError, type RetentionPolicy } from '../../src/store/report-store.ts';
import type { Store } from '../../src/store/store.ts';
import { loadDriftFixture } from '../report/drift-fixture.ts';
import { syntheticReport } from './store-fixture.ts';
import { STORE_KINDS, type StoreHarness } from './store-harness.ts';

const DAY_MS = 86_400_000;

describe.each(STORE_KINDS)('$kind store', (kind) => {
let harness: StoreHarness;
let store: Store;

beforeAll(() => kind.setUp());
afterAll(() => kind.tearDown());

beforeEach(async () => {
  harness = await kind.create();
  store = await harness.open();
});

afterEach(async () => {
  await store.close();
  await harness.remove();
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

  it('round-trips exactly, with the id in the stored JSON', async () => {
    expect(report.status).toBe('drift');
    expect(report.changes.length).toBeGreaterThan(3);
    expect(report.reconcile.statements.length).toBeGreaterThan(0);
    const id = await store.save(report);
    expect(id).toBe(1);
    expect(await store.get('production', id)).toEqual({ ...report, id });
    expect(await store.latest('production')).toEqual({ ...report, id });
    expect((await harness.raw(id)).json.id).toBe(id);
  });

  it('has a summary with the counts, the status and no heavy fields', async () => {
    const id = await store.save(report);
    const [summary] = await store.list('production');
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
  it('keeps a small report as JSON text, queryable with the database\'s JSON functions', async () => {
    const id = await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }));
    const raw = await harness.raw(id);
    expect(raw.encoding).toBe('json');
    expect(typeof raw.value).toBe('string');
  });

  it('compresses a large report and reads it back unchanged', async () => {
    const report = syntheticReport({ target: 'a', status: 'drift', seq: 1, tables: 2_000 });
    const jsonBytes = Buffer.byteLength(JSON.stringify(report));
    const id = await store.save(report);
    const raw = await harness.raw(id);
    expect(raw.encoding).toBe('br');
    expect((raw.value as Uint8Array).byteLength).toBeLessThan(jsonBytes / 10);
    expect(await store.get('a', id)).toEqual({ ...report, id });
  });
});

describe('ordering and pagination', () => {
  it('lists newest first, page by page, one target at a time', async () => {
    const ids: Record<string, number[]> = { a: [], b: [] };
    for (let seq = 1; seq <= 7; seq++) {
      ids.a!.push(await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq })));
      if (seq % 2) ids.b!.push(await store.save(syntheticReport({ target: 'b', status: 'drift', seq })));
    }
    const aDesc = [...ids.a!].reverse();
    const page1 = await store.list('a', { limit: 3 });
    expect(page1.map((s) => s.id)).toEqual(aDesc.slice(0, 3));
    const page2 = await store.list('a', { limit: 3, beforeId: page1.at(-1)!.id });
    expect(page2.map((s) => s.id)).toEqual(aDesc.slice(3, 6));
    const page3 = await store.list('a', { limit: 3, beforeId: page2.at(-1)!.id });
    expect(page3.map((s) => s.id)).toEqual(aDesc.slice(6));
    expect(await store.list('a', { limit: 3, beforeId: page3.at(-1)!.id })).toEqual([]);
    expect((await store.list('b')).map((s) => s.id)).toEqual([...ids.b!].reverse());
    expect(await store.list('nobody')).toEqual([]);
  });

  it('parses the newest report once and reuses it until a newer one is saved, by this store or another', async () => {
    await store.save(syntheticReport({ target: 'a', status: 'drift', seq: 1 }));
    const first = await store.latest('a');
    expect(await store.latest('a')).toBe(first);
    const id = await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 2 }));
    const second = await store.latest('a');
    expect(second).not.toBe(first);
    expect(second?.id).toBe(id);
    // A second process writing the same file (a restart overlapping the old agent): the newest id decides.
    const other = await harness.open();
    const otherId = await other.save(syntheticReport({ target: 'a', status: 'drift', seq: 3 }));
    await other.close();
    expect((await store.latest('a'))?.id).toBe(otherId);
  });

  it("finds the latest report per target, and never another target's report by id", async () => {
    const a1 = await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }));
    const b1 = await store.save(syntheticReport({ target: 'b', status: 'drift', seq: 2 }));
    const a2 = await store.save(syntheticReport({ target: 'a', status: 'drift', seq: 3 }));
    expect((await store.latest('a'))?.id).toBe(a2);
    expect(await store.latest('nobody')).toBeNull();
    expect((await store.latestAll()).map((r) => [r.target, r.id])).toEqual([
      ['a', a2],
      ['b', b1],
    ]);
    // A newer report replaces what an earlier call returned (and may have cached).
    const b2 = await store.save(syntheticReport({ target: 'b', status: 'drift', seq: 4 }));
    expect((await store.latestAll()).map((r) => [r.target, r.id, r.status])).toEqual([
      ['a', a2, 'drift'],
      ['b', b2, 'drift'],
    ]);
    expect((await store.get('a', a1))?.warnings).toEqual(['synthetic report 1']);
    expect(await store.get('b', a1)).toBeNull();
    expect(await store.get('a', 9_999)).toBeNull();
    expect(await store.get('a', Number.NaN)).toBeNull();
  });

  it.each([0, -1, 1.5])('refuses limit %s', async (limit) => {
    await expect(store.list('a', { limit })).rejects.toThrow(/limit must be a positive integer/);
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

  it('tracks status-since and drift-since after every save (errors neither start nor end a drift)', async () => {
    for (const [i, [status, driftSince, sinceSeq]] of steps.entries()) {
      await store.save(syntheticReport({ target: 't', status, seq: i + 1 }));
      expect(await store.statusSince('t')).toEqual({ status, since: at(sinceSeq) });
      expect(await store.driftSince('t')).toBe(driftSince === null ? null : at(Number(driftSince.slice(3))));
    }
    expect(await store.statusSince('nobody')).toBeNull();
    expect(await store.driftSince('nobody')).toBeNull();
  });

  it('lists the transitions in_sync → drift → drift → in_sync → error', async () => {
    const ids: number[] = [];
    for (const [i, status] of (['in_sync', 'drift', 'drift', 'in_sync', 'error'] as const).entries()) {
      ids.push(await store.save(syntheticReport({ target: 't', status, seq: i + 1 })));
    }
    expect(await store.transitions('t')).toEqual([
      { id: ids[4], at: at(5), from: 'in_sync', to: 'error' },
      { id: ids[3], at: at(4), from: 'drift', to: 'in_sync' },
      { id: ids[1], at: at(2), from: 'in_sync', to: 'drift' },
      { id: ids[0], at: at(1), from: null, to: 'in_sync' },
    ]);
    expect((await store.transitions('t', { limit: 2 })).map((t) => t.id)).toEqual([ids[4], ids[3]]);
  });

  it('prunes only the given target when one is named', async () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    for (const t of ['t', 'u']) {
      for (let seq = 1; seq <= 4; seq++) await store.save(syntheticReport({ target: t, status: 'in_sync', seq, finishedAt: `2025-05-0${seq}T00:00:00.000Z` }));
    }
    expect(await store.prune({ maxAgeDays: 365, maxReportsPerTarget: 2 }, now, 't')).toBe(2);
    expect(await store.list('t')).toHaveLength(2);
    expect(await store.list('u')).toHaveLength(4);
  });

  it('keeps status-since, drift-since and transitions when pruning removes the reports they came from', async () => {
    const now = new Date('2025-06-01T00:00:00.000Z');
    await store.save(syntheticReport({ target: 't', status: 'in_sync', seq: 1, finishedAt: '2025-01-01T00:00:00.000Z' }));
    const driftStart = '2025-01-02T00:00:00.000Z';
    const firstDrift = await store.save(syntheticReport({ target: 't', status: 'drift', seq: 2, finishedAt: driftStart }));
    for (let day = 3; day <= 12; day++) {
      const finishedAt = `2025-05-${String(day + 10).padStart(2, '0')}T00:00:00.000Z`;
      await store.save(syntheticReport({ target: 't', status: day === 7 ? 'error' : 'drift', seq: day, finishedAt }));
    }
    const lastDriftRun = (await store.transitions('t'))[0]!;
    expect(await store.prune({ maxAgeDays: 30, maxReportsPerTarget: 3 }, now)).toBe(9);
    expect(await store.list('t')).toHaveLength(3);
    expect(await store.get('t', firstDrift)).toBeNull();
    expect(await store.driftSince('t')).toBe(driftStart);
    // The current run began with the error → drift transition of day 8, older than every kept report.
    expect(lastDriftRun).toMatchObject({ from: 'error', to: 'drift' });
    expect(await store.statusSince('t')).toEqual({ status: 'drift', since: lastDriftRun.at });
    expect((await store.list('t')).every((s) => s.finishedAt > lastDriftRun.at)).toBe(true);
  });
});

describe('prune', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  /** Target `a`: reports 9.5, 8.5, ..., 0.5 days old (ids 1..10); target `b`: one report 100 days old (id 11). */
  async function seed(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const finishedAt = new Date(now.getTime() - (9.5 - i) * DAY_MS).toISOString();
      await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: i, finishedAt }));
    }
    await store.save(syntheticReport({ target: 'b', status: 'drift', seq: 99, finishedAt: new Date(now.getTime() - 100 * DAY_MS).toISOString() }));
  }

  it.each<[string, RetentionPolicy, number[], number[]]>([
    ['by age', { maxAgeDays: 5, maxReportsPerTarget: Infinity }, [10, 9, 8, 7, 6], [11]],
    ['by count', { maxAgeDays: Infinity, maxReportsPerTarget: 3 }, [10, 9, 8], [11]],
    ['by whichever is stricter', { maxAgeDays: 5, maxReportsPerTarget: 2 }, [10, 9], [11]],
    ['down to the latest of each target', { maxAgeDays: 0.01, maxReportsPerTarget: 100 }, [10], [11]],
    ['nothing when nothing is old', { maxAgeDays: 365, maxReportsPerTarget: 100 }, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], [11]],
  ])('%s', async (_name, retention, keptA, keptB) => {
    await seed();
    const deleted = await store.prune(retention, now);
    expect((await store.list('a')).map((s) => s.id)).toEqual(keptA);
    expect((await store.list('b')).map((s) => s.id)).toEqual(keptB);
    expect(deleted).toBe(10 - keptA.length);
  });

  it.each<[RetentionPolicy]>([
    [{ maxAgeDays: 0, maxReportsPerTarget: 10 }],
    [{ maxAgeDays: Number.NaN, maxReportsPerTarget: 10 }],
    [{ maxAgeDays: 30, maxReportsPerTarget: 0 }],
    [{ maxAgeDays: 30, maxReportsPerTarget: 1.5 }],
  ])('refuses %j and deletes nothing', async (retention) => {
    await seed();
    await expect(store.prune(retention, now)).rejects.toThrow(StoreError);
    expect(await store.list('a')).toHaveLength(10);
  });

  // SQLite's own incremental vacuum; on PostgreSQL giving space back is the server's autovacuum.
  it.runIf(kind.kind === 'sqlite')('gives space back after a large cut', async () => {
    for (let seq = 1; seq <= 12; seq++) await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq, tables: 1_500 }));
    const before = await harness.size();
    expect(await store.prune({ maxAgeDays: Infinity, maxReportsPerTarget: 1 })).toBe(11);
    expect(await harness.size()).toBeLessThan(before / 2);
  });
});

describe('lifecycle', () => {
  it('loses nothing across close and reopen', async () => {
    const saved: Report[] = [];
    for (const [i, status] of ['in_sync', 'drift', 'error'].entries()) {
      const report = syntheticReport({ target: 'a', status: status as CheckStatus, seq: i, tables: i * 400 });
      saved.push({ ...report, id: await store.save(report) });
    }
    const listed = await store.list('a');
    await store.close();
    store = await harness.open();
    expect(await store.list('a')).toEqual(listed);
    for (const report of saved) expect(await store.get('a', report.id)).toEqual(report);
    expect(await store.statusSince('a')).toEqual({ status: 'error', since: saved[2]!.finishedAt });
    // Ids continue after a reopen.
    expect(await store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 9 }))).toBe(4);
  });

  it('refuses calls after close, and closing twice is harmless', async () => {
    await store.close();
    await store.close();
    await expect(store.latest('a')).rejects.toThrow(/report store is closed/);
    await expect(store.save(syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }))).rejects.toThrow(StoreError);
    store = await harness.open();
  });

  it('refuses a report with an unparseable timestamp and stores nothing', async () => {
    const report = { ...syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }), finishedAt: 'yesterday' };
    await expect(store.save(report)).rejects.toThrow(/invalid report: finishedAt is not a timestamp: "yesterday"/);
    try {
      await store.save(report);
    } catch (err) {
      expect((err as StoreError).context).toEqual(kind.kind === 'sqlite' ? { target: 'a', file: store.display } : { target: 'a' });
    }
    expect(await store.list('a')).toEqual([]);
  });

  it('stores timestamps with an offset as UTC', async () => {
    const report = { ...syntheticReport({ target: 'a', status: 'in_sync', seq: 1 }), finishedAt: '2025-01-01T02:00:00+02:00' };
    await store.save(report);
    expect((await store.list('a'))[0]?.finishedAt).toBe('2025-01-01T00:00:00.000Z');
    expect((await store.statusSince('a'))?.since).toBe('2025-01-01T00:00:00.000Z');
  });
});
});
