/**
 * The panel in a real browser (Debian Chromium through playwright-core; there is no Grafana server on these
 * machines, so this stands in for one): the harness page renders `SchemaDriftPanel` in the real @grafana/ui theme
 * with frames produced by the real engine (fixtures/generate-fixtures.ts). Asserts what is drawn, switches views,
 * opens the drawer, sorts and filters the changes, and saves screenshots in light and dark theme under
 * `screenshots/`. The 1,000-table case prints its figures (layout, first draw, DOM size, zoom frame) without timing
 * assertions. The layout worker's own tests (main-thread blocking, cancellation, fallback) are in `layout.test.ts`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { TEST_IDS } from '../../src/components/test-ids.ts';
import { count, fixtureRows, open, pickRadio, SCREENSHOTS, showColumns, tid, useHarness, waitForErd } from './session.ts';

useHarness();

describe('30-table drifted schema (frames from the real engine)', () => {
  it.each(['dark', 'light'] as const)('ERD with columns draws every table, column status, edge and the ghosted missing table (%s)', async (theme) => {
    const tables = await fixtureRows('drift-30', 'tables');
    const columns = await fixtureRows('drift-30', 'columns');
    const relations = await fixtureRows('drift-30', 'relations');
    const page = await open({ fixture: 'drift-30', theme });
    await waitForErd(page);
    await showColumns(page);

    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    for (const status of ['extra', 'missing', 'changed'] as const) {
      const expected = columns.filter((c) => c.status === status).length;
      expect(await count(page, `${tid(TEST_IDS.erdColumn)}[data-status="${status}"]`), `columns ${status}`).toBe(expected);
    }
    // Every relation has both ends among the nodes here, so every one is an edge.
    expect(await count(page, tid(TEST_IDS.erdEdge))).toBe(relations.length);
    expect(await count(page, `${tid(TEST_IDS.erdEdge)}[data-status="missing"]`)).toBe(
      relations.filter((r) => r.status === 'missing').length,
    );
    const missing = tables.filter((t) => t.status === 'missing').map((t) => t.id);
    expect(missing.length).toBeGreaterThan(0);
    const ghosts = await page.locator(`${tid(TEST_IDS.erdTable)}[data-ghost="true"]`).evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-table-id')),
    );
    expect(ghosts).toEqual(missing);
    expect(await count(page, `${tid(TEST_IDS.legend)} [data-status]`)).toBe(3);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SCREENSHOTS, `erd-30-columns-${theme}.png`) });
    await page.close();
  });

  it('fit, zoom buttons and the wheel change the viewBox; only-drift hides the unrelated tables', async () => {
    const tables = await fixtureRows('drift-30', 'tables');
    const page = await open({ fixture: 'drift-30', options: { layoutDirection: 'TB' } });
    await waitForErd(page);
    const svg = page.locator(tid(TEST_IDS.erdSvg));
    const fitted = await svg.getAttribute('data-scale');
    await page.click(tid(TEST_IDS.erdZoomIn));
    expect(Number(await svg.getAttribute('data-scale'))).toBeGreaterThan(Number(fitted));
    await svg.hover({ position: { x: 600, y: 300 } });
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(100);
    const zoomed = Number(await svg.getAttribute('data-scale'));
    expect(zoomed).toBeGreaterThan(Number(fitted) * 1.4);
    const before = await svg.getAttribute('viewBox');
    await page.mouse.move(600, 300);
    await page.mouse.down();
    await page.mouse.move(450, 200, { steps: 5 });
    await page.mouse.up();
    expect(await svg.getAttribute('viewBox')).not.toBe(before);
    await page.click(tid(TEST_IDS.erdFit));
    expect(await svg.getAttribute('data-scale')).toBe(fitted);

    await page.getByText('Only drift and neighbours').click();
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel as string).length < (n as number),
      [tid(TEST_IDS.erdTable), tables.length] as const,
      { timeout: 30_000 },
    );
    const shown = await count(page, tid(TEST_IDS.erdTable));
    const drifted = tables.filter((t) => t.status !== 'ok').length;
    expect(shown).toBeGreaterThanOrEqual(drifted);
    expect(shown).toBeLessThan(tables.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'erd-30-only-drift-dark-tb.png') });
    await page.close();
  });

  it('clicking a changed table opens the drawer with its changes, expected vs actual', async () => {
    const tables = await fixtureRows('drift-30', 'tables');
    const target = tables.find((t) => t.status === 'changed' && Number(t.change_count) >= 2) ?? tables.find((t) => t.status === 'changed');
    if (!target) throw new Error('fixture has no changed table');
    const page = await open({ fixture: 'drift-30', theme: 'light' });
    await waitForErd(page);
    // The table's group: its name (what a user clicks on a header-only box) is drawn over its rectangle.
    await page.locator(`${tid(TEST_IDS.erdTable)}[data-table-id="${String(target.id)}"]`).click();
    const drawer = page.locator(tid(TEST_IDS.drawer));
    await drawer.waitFor({ timeout: 10_000 });
    expect(await drawer.getAttribute('data-table-id')).toBe(target.id);
    expect(await count(page, `${tid(TEST_IDS.drawer)} ${tid(TEST_IDS.drawerChange)}`)).toBe(Number(target.change_count));
    // The drawer slides in: let its animation finish before the screenshot.
    await page.mouse.move(5, 5);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(SCREENSHOTS, 'drawer-30-light.png') });
    await page.close();
  });

  it.each(['dark', 'light'] as const)('switches ERD → SQL → Changes; SQL marks changed lines, lists statements with hazards and a copy button (%s)', async (theme) => {
    const statements = await fixtureRows('drift-30', 'statements');
    const page = await open({ fixture: 'drift-30', theme });
    await waitForErd(page);
    await pickRadio(page, 'SQL diff');
    await page.waitForSelector(tid(TEST_IDS.sqlView));
    expect(await count(page, tid(TEST_IDS.erdSvg))).toBe(0);
    expect(await count(page, tid(TEST_IDS.sqlSplit))).toBe(1);
    expect(await count(page, tid(TEST_IDS.sqlLineChanged))).toBeGreaterThan(0);
    expect(await count(page, tid(TEST_IDS.sqlStatement))).toBe(statements.length);
    const withHazards = statements.filter((s) => String(s.hazards ?? '') !== '').length;
    expect(await count(page, `${tid(TEST_IDS.sqlStatement)}:not([data-hazards=""])`)).toBe(withHazards);
    expect(await count(page, `${tid(TEST_IDS.sqlHazard)}[data-hazard="data_loss"]`)).toBeGreaterThan(0);
    expect(await page.locator(tid(TEST_IDS.sqlCopy)).isEnabled()).toBe(true);
    expect(await count(page, '.token.keyword')).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, `sql-30-${theme}.png`) });
    await pickRadio(page, 'Unified');
    await page.waitForSelector(tid(TEST_IDS.sqlUnified));
    expect(await count(page, tid(TEST_IDS.sqlLineChanged))).toBeGreaterThan(0);

    await pickRadio(page, 'Changes');
    await page.waitForSelector(tid(TEST_IDS.changesView));
    expect(await count(page, tid(TEST_IDS.sqlView))).toBe(0);
    await page.close();
  });

  it('the header says how long ago the check ran, with the exact time as its tooltip', async () => {
    const page = await open({ fixture: 'drift-30' });
    const checked = page.locator(tid(TEST_IDS.headerChecked));
    expect(await checked.textContent()).toMatch(/^checked .+ ago( \([0-9.]+ s\))?$/);
    expect(await checked.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.close();
  });

  it('the SQL diff wraps long lines at spaces, breaking a word only when it alone is wider than the column', async () => {
    const page = await open({ fixture: 'drift-30', options: { defaultView: 'sql' } });
    await page.waitForSelector(tid(TEST_IDS.sqlSplit));
    const style = await page
      .locator(`${tid(TEST_IDS.sqlSplit)} tbody td:nth-child(3)`)
      .first()
      .evaluate((td) => ({ wordBreak: getComputedStyle(td).wordBreak, overflowWrap: getComputedStyle(td).overflowWrap }));
    expect(style).toEqual({ wordBreak: 'normal', overflowWrap: 'anywhere' });
    await page.close();
  });

  it.each(['dark', 'light'] as const)('changes table sorts and filters (%s)', async (theme) => {
    const changes = await fixtureRows('drift-30', 'changes');
    const page = await open({ fixture: 'drift-30', theme, options: { defaultView: 'changes' } });
    await page.waitForSelector(tid(TEST_IDS.changesView));
    const subjects = () => page.locator(tid(TEST_IDS.changesRow)).allTextContents();
    expect(await subjects()).toEqual(changes.map((c) => c.subject));
    // Numbered from 1 as people count, in report order.
    expect(await page.locator(tid(TEST_IDS.changesNumber)).allTextContents()).toEqual(changes.map((_, i) => String(i + 1)));
    await page.screenshot({ path: join(SCREENSHOTS, `changes-30-${theme}.png`) });

    await page.getByRole('columnheader', { name: 'Object' }).getByRole('button').click();
    const sorted = changes.map((c) => String(c.subject)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(await subjects()).toEqual(sorted);

    await pickRadio(page, 'Missing (');
    const missing = changes.filter((c) => c.action === 'missing');
    expect((await subjects()).sort()).toEqual(missing.map((c) => String(c.subject)).sort());

    await pickRadio(page, 'All (');
    await page.locator(`${tid(TEST_IDS.changesFilter)} input`).fill('data_loss');
    const lossy = changes.filter((c) => String(c.hazards).includes('data_loss'));
    expect(lossy.length).toBeGreaterThan(0);
    expect((await subjects()).sort()).toEqual(lossy.map((c) => String(c.subject)).sort());
    await page.close();
  });
});

describe('1,000-table schema', () => {
  it('all 1,000+ tables: light rectangles at fit, names as it zooms in, and its figures', async () => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const started = Date.now();
    // focusAbove 0: all tables at once instead of the drift and its neighbours (erd-legibility.test.ts).
    const page = await open({ fixture: 'drift-1000', options: { focusAbove: 0 } });
    await waitForErd(page);
    const firstDrawMs = Date.now() - started;
    const stats = page.locator(tid(TEST_IDS.erdStats));
    const layoutMs = Number(await stats.getAttribute('data-layout-ms'));
    const svg = page.locator(tid(TEST_IDS.erdSvg));
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    expect(await svg.getAttribute('data-detail')).toBe('box');
    // Light DOM at fit: no column rows at all, one group per table.
    expect(await count(page, tid(TEST_IDS.erdColumn))).toBe(0);
    const domAtFit = await page.evaluate(() => document.querySelectorAll('svg *').length);

    // Zoom in around the middle until the names appear; time a frame of wheel zoom.
    await svg.hover({ position: { x: 640, y: 380 } });
    const frameMs = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="schema-drift-erd-svg"]');
      const t0 = performance.now();
      el?.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, clientX: 640, clientY: 380, bubbles: true, cancelable: true }));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    });
    for (let i = 0; i < 8 && (await svg.getAttribute('data-detail')) === 'box'; i++) {
      await page.mouse.wheel(0, -500);
      await page.waitForTimeout(50);
    }
    expect(await svg.getAttribute('data-detail')).not.toBe('box');
    const visibleZoomed = await count(page, tid(TEST_IDS.erdTable));
    expect(visibleZoomed).toBeLessThan(tables.length);
    expect(await count(page, tid(TEST_IDS.erdTableName))).toBe(visibleZoomed);
    const domZoomed = await page.evaluate(() => document.querySelectorAll('svg *').length);
    await page.screenshot({ path: join(SCREENSHOTS, 'erd-1000-zoomed-dark.png') });
    await page.click(tid(TEST_IDS.erdFit));
    // Away from the button, so its tooltip is not in the picture.
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'erd-1000-fit-dark.png') });

    process.stdout.write(
      `[browser] 1,000-table ERD: ${tables.length} nodes; ELK layout ${layoutMs} ms (in the layout worker); ` +
        `navigation to first ERD draw ${firstDrawMs} ms; SVG elements at fit ${domAtFit}, zoomed in ${domZoomed} ` +
        `(${visibleZoomed} boxes visible); one wheel-zoom step to painted frame ${frameMs.toFixed(1)} ms\n`,
    );
    expect(layoutMs).toBeGreaterThan(0);
    await page.close();
  }, 120_000);

  it('only drift and neighbours on 1,000 tables keeps a small readable graph', async () => {
    const tables = await fixtureRows('drift-1000', 'tables');
    const page = await open({ fixture: 'drift-1000', theme: 'light', options: { onlyDrifted: true } });
    await waitForErd(page);
    const shown = await count(page, tid(TEST_IDS.erdTable));
    expect(shown).toBeGreaterThanOrEqual(tables.filter((t) => t.status !== 'ok').length);
    expect(shown).toBeLessThan(tables.length / 4);
    process.stdout.write(
      `[browser] 1,000-table ERD, only drift + neighbours: ${shown} boxes, layout ${await page
        .locator(tid(TEST_IDS.erdStats))
        .getAttribute('data-layout-ms')} ms\n`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'erd-1000-only-drift-light.png') });
    await page.close();
  }, 120_000);
});

describe('states', () => {
  it('no frames: the panel says so instead of drawing nothing', async () => {
    const page = await open({});
    await page.waitForSelector(tid(TEST_IDS.noData));
    expect(await page.locator(tid(TEST_IDS.noData)).textContent()).toContain('No schema-drift data');
    await page.close();
  });
});

describe('30-table schema in sync (frames from the real engine: the same schema on both sides)', () => {
  it.each(['dark', 'light'] as const)('header, ERD, Changes and SQL all read as "no drift" (%s)', async (theme) => {
    const tables = await fixtureRows('in-sync-30', 'tables');
    const relations = await fixtureRows('in-sync-30', 'relations');
    // The fixture itself: 30 tables (and the bench's views), all ok, and no change or statement rows.
    expect(tables.filter((t) => t.kind === 'table')).toHaveLength(30);
    expect(tables.filter((t) => t.status !== 'ok')).toEqual([]);
    expect(await fixtureRows('in-sync-30', 'changes')).toEqual([]);
    expect(await fixtureRows('in-sync-30', 'statements')).toEqual([]);
    const page = await open({ fixture: 'in-sync-30', theme });
    await waitForErd(page);

    // Header: the in-sync badge and zero changes, without the per-action breakdown.
    const badge = page.locator(tid(TEST_IDS.statusBadge));
    expect(await badge.getAttribute('data-status')).toBe('in_sync');
    expect(await badge.textContent()).toContain('In sync');
    const counts = page.locator(tid(TEST_IDS.counts));
    expect(await counts.getAttribute('data-total')).toBe('0');
    expect(await counts.textContent()).toBe('0 changes');

    // ERD: every node drawn and ok, every relation an ok edge, nothing ghosted or highlighted.
    expect(await count(page, tid(TEST_IDS.erdTable))).toBe(tables.length);
    expect(await count(page, `${tid(TEST_IDS.erdTable)}[data-status="ok"]`)).toBe(tables.length);
    expect(await count(page, `${tid(TEST_IDS.erdTable)}[data-ghost="true"]`)).toBe(0);
    expect(await count(page, tid(TEST_IDS.erdEdge))).toBe(relations.length);
    expect(await count(page, `${tid(TEST_IDS.erdEdge)}:not([data-status="ok"])`)).toBe(0);
    expect(await page.locator(tid(TEST_IDS.erdStats)).textContent()).toContain('(0 drifted)');
    // The key says "no drift" instead of listing colours nothing is drawn in.
    expect(await count(page, `${tid(TEST_IDS.legend)} [data-status]`)).toBe(0);
    expect(await page.locator(`${tid(TEST_IDS.legend)} ${tid(TEST_IDS.noDrift)}`).textContent()).toBe(
      `No driftall ${tables.length} tables match the migrations`,
    );
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SCREENSHOTS, `in-sync-30-${theme}.png`) });
    await showColumns(page);
    expect(await count(page, `${tid(TEST_IDS.erdColumn)}:not([data-status="ok"])`)).toBe(0);
    expect(await count(page, `${tid(TEST_IDS.erdEdge)}:not([data-status="ok"])`)).toBe(0);

    await pickRadio(page, 'Changes');
    const noDrift = page.locator(tid(TEST_IDS.noDrift));
    await noDrift.waitFor();
    expect(await noDrift.getAttribute('data-tone')).toBe('ok');
    expect(await noDrift.textContent()).toContain('No drift');
    expect(await count(page, tid(TEST_IDS.changesView))).toBe(0);
    if (theme === 'light') await page.screenshot({ path: join(SCREENSHOTS, 'in-sync-30-changes-light.png') });

    await pickRadio(page, 'SQL diff');
    await page.waitForSelector(tid(TEST_IDS.sqlView));
    expect(await page.locator(tid(TEST_IDS.sqlIdentical)).textContent()).toContain('Desired and current DDL are identical');
    expect(await count(page, tid(TEST_IDS.sqlLineChanged))).toBe(0);
    expect(await count(page, tid(TEST_IDS.sqlSplit))).toBe(0);
    expect(await count(page, tid(TEST_IDS.sqlStatement))).toBe(0);
    expect(await count(page, tid(TEST_IDS.sqlCopy))).toBe(0);
    expect(await page.locator(tid(TEST_IDS.sqlNothingToReconcile)).textContent()).toContain('Nothing to reconcile');
    if (theme === 'dark') await page.screenshot({ path: join(SCREENSHOTS, 'in-sync-30-sql-dark.png') });
    await page.close();
  });
});
