/**
 * The ERD read at a glance, in Chromium: at "fit" the 30-table schema's names are drawn at least `MIN_NAME_PX`
 * on screen and inside their boxes; the toolbar is a row above the drawing, so no table box is ever under it (at fit,
 * zoomed and panned); a 1,000-table schema opens on its drift and neighbours, with the switch to show all; the header
 * links to the exporter's report, reconcile SQL and runbook. Screenshots in light and dark theme.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { MIN_NAME_PX } from '../../src/components/erd/legibility.ts';
import { TEST_IDS } from '../../src/components/test-ids.ts';
import { count, fixtureRows, open, SCREENSHOTS, tid, useHarness, waitForErd } from './session.ts';

useHarness();

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** On-screen font size (CSS px × the SVG's zoom) and rectangles of every drawn table name and its box. */
async function names(page: Page): Promise<Array<{ name: string; px: number; text: Rect; box: Rect }>> {
  return page.locator(tid(TEST_IDS.erdTableName)).evaluateAll((els) =>
    els.map((el) => {
      const text = el as SVGTextElement;
      const box = text.closest('g')?.querySelector('rect') as SVGRectElement;
      const zoom = text.getScreenCTM()?.a ?? 0;
      const r = (e: Element) => {
        const b = e.getBoundingClientRect();
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      };
      return { name: text.textContent ?? '', px: parseFloat(getComputedStyle(text).fontSize) * zoom, text: r(text), box: r(box) };
    }),
  );
}

/** Screen rectangles of the table boxes, clipped to the drawing (what can be seen of them). */
async function visibleBoxes(page: Page): Promise<Rect[]> {
  return page.evaluate(
    ([svgSel, tableSel]) => {
      const svg = document.querySelector(svgSel as string)?.getBoundingClientRect();
      if (!svg) return [];
      return [...document.querySelectorAll(tableSel as string)].flatMap((g) => {
        const b = g.getBoundingClientRect();
        const x = Math.max(b.left, svg.left);
        const y = Math.max(b.top, svg.top);
        const width = Math.min(b.right, svg.right) - x;
        const height = Math.min(b.bottom, svg.bottom) - y;
        return width > 0 && height > 0 ? [{ x, y, width, height }] : [];
      });
    },
    [tid(TEST_IDS.erdSvg), tid(TEST_IDS.erdTable)] as const,
  );
}

const overlaps = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function toolbarCoversNothing(page: Page): Promise<number> {
  const bar = await page.locator(tid(TEST_IDS.erdToolbar)).boundingBox();
  if (!bar) throw new Error('no toolbar');
  const boxes = await visibleBoxes(page);
  expect(boxes.filter((b) => overlaps(b, bar))).toEqual([]);
  return boxes.length;
}

describe('30 tables at fit', () => {
  it.each(['dark', 'light'] as const)('names are legible and inside their boxes; the toolbar covers no table (%s)', async (theme) => {
    const tables = await fixtureRows('drift-30', 'tables');
    const page = await open({ fixture: 'drift-30', theme });
    await waitForErd(page);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SCREENSHOTS, `erd-30-${theme}.png`) });
    expect(await page.locator(tid(TEST_IDS.erdColumnsToggle)).getAttribute('aria-pressed')).toBe('false');
    const drawn = await names(page);
    expect(drawn.map((n) => n.name).sort()).toEqual(tables.map((t) => String(t.name)).sort());
    const smallest = Math.min(...drawn.map((n) => n.px));
    process.stdout.write(`[browser] 30-table ERD at fit (${theme}): smallest table name ${smallest.toFixed(1)} px on screen\n`);
    expect(smallest).toBeGreaterThanOrEqual(MIN_NAME_PX);
    for (const n of drawn) expect(n.text.x + n.text.width, n.name).toBeLessThanOrEqual(n.box.x + n.box.width + 0.5);
    expect(await toolbarCoversNothing(page)).toBe(tables.length);
    await page.close();
  });

  it('zoomed in and panned up, the toolbar still covers no table', async () => {
    const page = await open({ fixture: 'drift-30' });
    await waitForErd(page);
    const svg = page.locator(tid(TEST_IDS.erdSvg));
    await page.click(tid(TEST_IDS.erdZoomIn));
    await page.click(tid(TEST_IDS.erdZoomIn));
    // Drag the drawing up by 300 px: tables that were below now sit where an overlaid toolbar used to be.
    const area = await svg.boundingBox();
    if (!area) throw new Error('no drawing');
    await page.mouse.move(area.x + area.width / 2, area.y + 350);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width / 2, area.y + 50, { steps: 6 });
    await page.mouse.up();
    expect(await toolbarCoversNothing(page)).toBeGreaterThan(0);
    const bar = await page.locator(tid(TEST_IDS.erdToolbar)).boundingBox();
    expect(area.y).toBeGreaterThanOrEqual((bar?.y ?? 0) + (bar?.height ?? 0) - 0.5);
    await page.close();
  });
});

describe('1,000 tables', () => {
  it.each(['dark', 'light'] as const)('open on the drift and its neighbours; the switch shows all (%s)', async (theme) => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const drifted = tables.filter((t) => t.status !== 'ok').length;
    const page = await open({ fixture: 'drift-1000', theme });
    await waitForErd(page);
    const scope = page.locator(tid(TEST_IDS.erdScope));
    expect(await scope.getAttribute('data-only-drifted')).toBe('true');
    expect(await scope.getAttribute('data-auto')).toBe('true');
    const shown = await count(page, tid(TEST_IDS.erdTable));
    expect(shown).toBeGreaterThanOrEqual(drifted);
    expect(shown).toBeLessThan(tables.length / 4);
    expect(await page.locator(tid(TEST_IDS.erdStats)).textContent()).toContain(`${tables.length - shown} hidden`);
    const smallest = Math.min(...(await names(page)).map((n) => n.px));
    process.stdout.write(`[browser] 1,000-table ERD opened on drift (${theme}): ${shown} boxes, smallest name ${smallest.toFixed(1)} px\n`);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SCREENSHOTS, `erd-1000-${theme}.png`) });
    if (theme === 'dark') {
      await page.getByText('Only drift and neighbours').click();
      await page.waitForFunction(
        ([sel, n]) => document.querySelectorAll(sel as string).length === n,
        [tid(TEST_IDS.erdTable), tables.length] as const,
        { timeout: 60_000 },
      );
      expect(await scope.getAttribute('data-only-drifted')).toBe('false');
    }
    await page.close();
  }, 120_000);
});

describe('links to the exporter', () => {
  it.each(['dark', 'light'] as const)('the header links the report shown, its reconcile SQL and the runbook section (%s)', async (theme) => {
    const [sql] = await fixtureRows('drift-30', 'sql');
    if (!sql) throw new Error('fixture has no sql row');
    const page = await open({ fixture: 'drift-30', theme, options: { exporterUrl: 'http://127.0.0.1:9772/' } });
    await waitForErd(page);
    const report = `http://127.0.0.1:9772/api/v1/targets/${String(sql.target)}/reports/${String(sql.report_id)}`;
    const link = (id: string) => page.locator(tid(id));
    expect(await link(TEST_IDS.linkReport).getAttribute('href')).toBe(report);
    expect(await link(TEST_IDS.linkReconcile).getAttribute('href')).toBe(`${report}/reconcile.sql`);
    expect(await link(TEST_IDS.linkRunbook).getAttribute('href')).toBe('http://127.0.0.1:9772/runbook#schemadriftdetected');
    expect(await link(TEST_IDS.linkReport).getAttribute('target')).toBe('_blank');
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SCREENSHOTS, `links-30-${theme}.png`), clip: { x: 0, y: 0, width: 1296, height: 110 } });
    await page.close();
  });

  it('no exporterUrl, no links', async () => {
    const page = await open({ fixture: 'drift-30' });
    await waitForErd(page);
    expect(await count(page, tid(TEST_IDS.headerLinks))).toBe(0);
    await page.close();
  });
});
