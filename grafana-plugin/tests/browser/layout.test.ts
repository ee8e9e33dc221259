/**
 * The ERD layout off the main thread, in Chromium: ELK runs in the layout worker on 1,000 tables and draws the same
 * boxes and edges as before; the page's longest main-thread task during the layout is printed (measured, not
 * asserted: speed is reported); the previous drawing stays usable while a new layout runs; a superseded layout is
 * cancelled, a view switch is not a reason to cancel; without a worker the panel still draws, on the main thread,
 * and says so. Also the LR vs TB comparison behind the default layout direction.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { LAYOUT_MARKS } from '../../src/components/erd/layout-client.ts';
import { TEST_IDS } from '../../src/components/test-ids.ts';
import { blockingBetween, readProbe } from './main-thread-probe.ts';
import { count, fixtureRows, open, pickRadio, SCREENSHOTS, tid, useHarness, waitForErd } from './session.ts';

useHarness();

const marksNamed = (marks: Array<{ name: string; at: number; detail: unknown }>, name: string) =>
  marks.filter((m) => m.name === name);

async function stats(page: Page): Promise<{ thread: string | null; edges: number; layoutMs: number }> {
  const el = page.locator(tid(TEST_IDS.erdStats));
  return {
    thread: await el.getAttribute('data-layout-thread'),
    edges: Number(await el.getAttribute('data-edges')),
    layoutMs: Number(await el.getAttribute('data-layout-ms')),
  };
}

describe('layout worker', () => {
  it('lays out 1,000 tables in the worker: the same boxes and edges, and the main thread stays free', async () => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const relations = await fixtureRows('drift-1000', 'relations');
    const page = await open({ fixture: 'drift-1000', options: { focusAbove: 0 }, probe: true });
    await waitForErd(page);
    const s = await stats(page);
    expect(s.thread).toBe('worker');
    // Before the worker (ELK on the main thread) the same fixture drew 1,053 boxes and 1,027 edges.
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    expect(s.edges).toBe(relations.length);
    expect(await count(page, tid(TEST_IDS.erdEdge))).toBe(relations.length);

    const probe = await readProbe(page);
    const start = marksNamed(probe.marks, LAYOUT_MARKS.start);
    const end = marksNamed(probe.marks, LAYOUT_MARKS.end);
    expect(start).toHaveLength(1);
    expect(end).toHaveLength(1);
    expect(end[0]?.detail).toMatchObject({ thread: 'worker' });
    const from = start[0]?.at ?? 0;
    const to = end[0]?.at ?? 0;
    const during = blockingBetween(probe, from, to);
    const drawing = blockingBetween(probe, to, probe.drawnAt ?? to);
    process.stdout.write(
      `[browser] 1,000-table layout in the worker: ELK ${s.layoutMs} ms, request to answer ${(to - from).toFixed(0)} ms; ` +
        `main thread meanwhile: longest task ${during.longestTask.toFixed(0)} ms (${during.tasks} over 50 ms), ` +
        `longest frame gap ${during.longestFrameGap.toFixed(0)} ms; drawing the answer: longest task ` +
        `${drawing.longestTask.toFixed(0)} ms\n`,
    );
    await page.close();
  }, 120_000);

  it('keeps the previous drawing usable while a new layout runs, and cancels a superseded one', async () => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const page = await open({ fixture: 'drift-1000', options: { onlyDrifted: true }, probe: true });
    await waitForErd(page);
    const small = await count(page, tid(TEST_IDS.erdTable));
    expect(small).toBeLessThan(tables.length / 4);
    const svg = page.locator(tid(TEST_IDS.erdSvg));

    // All 1,000 tables: a long layout starts; the small drawing stays, and zooms.
    await page.getByText('Only drift and neighbours').click();
    await page.waitForSelector(tid(TEST_IDS.erdLoading));
    const scale = Number(await svg.getAttribute('data-scale'));
    await page.click(tid(TEST_IDS.erdZoomIn));
    expect(Number(await svg.getAttribute('data-scale'))).toBeGreaterThan(scale);
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(small);
    expect(await count(page, tid(TEST_IDS.erdLoading)), 'the zoom happened while the layout ran').toBe(1);

    // Back to only drift before it finishes: the big layout is cancelled, the small one comes from the cache.
    await page.getByText('Only drift and neighbours').click();
    await page.waitForSelector(tid(TEST_IDS.erdLoading), { state: 'detached' });
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(small);
    let probe = await readProbe(page);
    expect(marksNamed(probe.marks, LAYOUT_MARKS.cancel)).toHaveLength(1);

    // And all tables again: a fresh worker lays them out.
    await page.getByText('Only drift and neighbours').click();
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel as string).length === n,
      [tid(TEST_IDS.erdTable), tables.length] as const,
      { timeout: 60_000 },
    );
    expect((await stats(page)).thread).toBe('worker');
    probe = await readProbe(page);
    expect(marksNamed(probe.marks, LAYOUT_MARKS.start)).toHaveLength(3);
    await page.close();
  }, 120_000);

  it('switching views during a layout does not cancel it: back on the ERD, it finishes', async () => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const page = await open({ fixture: 'drift-1000', options: { focusAbove: 0 }, probe: true });
    await page.waitForSelector(tid(TEST_IDS.erdLoading));
    await pickRadio(page, 'Changes');
    await page.waitForSelector(tid(TEST_IDS.changesView));
    await pickRadio(page, 'ERD');
    await waitForErd(page);
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    const probe = await readProbe(page);
    expect(marksNamed(probe.marks, LAYOUT_MARKS.cancel)).toHaveLength(0);
    expect(marksNamed(probe.marks, LAYOUT_MARKS.start)).toHaveLength(1);
    await page.close();
  }, 120_000);

  it('without a worker (its script cannot be loaded) lays out on the main thread and says so', async () => {
    const tables = await fixtureRows('drift-30', 'tables');
    const relations = await fixtureRows('drift-30', 'relations');
    const page = await open({ fixture: 'drift-30', publicPath: '/no-such-plugin-dir/' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await waitForErd(page);
    const s = await stats(page);
    expect(s.thread).toBe('main');
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    expect(s.edges).toBe(relations.length);
    const warning = await page.locator(tid(TEST_IDS.erdLayoutWarning)).textContent();
    expect(warning).toContain('the layout worker did not start');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('default layout direction', () => {
  it.each(['LR', 'TB'] as const)('30 tables in a 1200×600 panel, %s', async (direction) => {
    const page = await open({ fixture: 'drift-30', width: 1200, height: 600, options: { layoutDirection: direction } });
    await waitForErd(page);
    const svg = page.locator(tid(TEST_IDS.erdSvg));
    const scale = Number(await svg.getAttribute('data-scale'));
    expect(scale).toBeGreaterThan(0);
    process.stdout.write(`[browser] 30-table ERD, ${direction}, 1200×600 panel: fitted at scale ${scale.toFixed(3)}\n`);
    await page.screenshot({ path: join(SCREENSHOTS, `erd-30-${direction.toLowerCase()}-1200x600-dark.png`) });
    await page.close();
  });
});
