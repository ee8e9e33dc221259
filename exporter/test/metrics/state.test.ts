/**
 * The metrics state read from stored reports: the routine kind's counts of a report stored while the kind was
 * labelled `function` still count, under `routine`.
 */
import { describe, expect, it } from 'vitest';

import type { ActionCounts } from '../../src/core/model/report.ts';
import { applyReport, emptyState } from '../../src/metrics/state.ts';
import { makeReport } from './support.ts';

describe('applyReport', () => {
  it('counts routines as routine', () => {
    const report = makeReport({ target: 'prod', status: 'drift', finishedAt: '2026-12-07T10:00:00Z', durationMs: 5, changes: { routine: { extra: 2 } } });
    expect(applyReport(emptyState(), report).changes.routine).toEqual({ extra: 2, missing: 0, changed: 0 });
  });

  it('reads a report stored with the former `function` kind as routine', () => {
    const report = makeReport({ target: 'prod', status: 'drift', finishedAt: '2026-12-07T10:00:00Z', durationMs: 5 });
    const byKind = { ...report.counts.byKind } as Partial<Record<string, ActionCounts>>;
    delete byKind['routine'];
    byKind['function'] = { extra: 0, missing: 3, changed: 1 };
    const legacy = { ...report, counts: { ...report.counts, byKind } } as typeof report;
    expect(applyReport(emptyState(), legacy).changes.routine).toEqual({ extra: 0, missing: 3, changed: 1 });
  });
});
