/**
 * The browser tests' shared session: one harness build, one static server and one headless Chromium per test
 * file (`useHarness()` registers the hooks), and small helpers to open the harness page and read fixtures.
 */
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import { TEST_IDS } from '../../src/components/test-ids.ts';
import { buildHarness } from './harness/build-harness.ts';
import { serveHarness } from './harness/serve.ts';
import type { HarnessServer } from './harness/serve.ts';
import { installProbe } from './main-thread-probe.ts';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core') as typeof import('playwright-core');

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/**
 * Where the tests save their screenshots: the git-ignored `grafana-plugin/.screenshots/` on every run, so a test run
 * leaves the tree clean; with `UPDATE_SCREENSHOTS=1` the committed `screenshots/` the README shows.
 */
export const SCREENSHOTS = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === '1' ? './screenshots/' : '../../.screenshots/', import.meta.url),
);
/** CSS selector of a `data-testid`. */
export const tid = (id: string): string => `[data-testid="${id}"]`;

interface FrameJson {
  schema: { refId: string; fields: Array<{ name: string }> };
  data: { values: unknown[][] };
}

/** The rows of one fixture frame as objects, to compute what the panel must draw. */
export async function fixtureRows(name: string, refId: string): Promise<Array<Record<string, unknown>>> {
  const fixture = JSON.parse(await readFile(join(FIXTURES, `${name}.json`), 'utf8')) as { frames: FrameJson[] };
  const frame = fixture.frames.find((f) => f.schema.refId === refId);
  if (!frame) throw new Error(`fixture ${name} has no frame ${refId}`);
  const names = frame.schema.fields.map((f) => f.name);
  const length = frame.data.values[0]?.length ?? 0;
  return Array.from({ length }, (_, i) => Object.fromEntries(names.map((n, j) => [n, frame.data.values[j]?.[i]])));
}

let dir = '';
let server: HarnessServer | null = null;
let browser: Browser | null = null;

/** Resolves `promise`, or gives up after `ms` so a hung browser cannot hang the suite. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

/** Registers the file's hooks: build and serve the harness, start Chromium before all tests, stop them after. */
export function useHarness(): void {
  beforeAll(startHarness, 120_000);
  afterAll(stopHarness, 30_000);
}

async function startHarness(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'schema-drift-harness-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  await buildHarness(dir);
  server = await serveHarness(dir);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

async function stopHarness(): Promise<void> {
  await bounded(browser?.close() ?? Promise.resolve(), 10_000);
  await bounded(server?.close() ?? Promise.resolve(), 5_000);
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** What to open the harness with. */
export interface OpenOptions {
  fixture?: string;
  theme?: 'light' | 'dark';
  options?: Record<string, unknown>;
  width?: number;
  height?: number;
  /** Where the page looks for the layout worker (harness default `/`); a wrong path forces the fallback. */
  publicPath?: string;
  /** Install the main-thread probe (`main-thread-probe.ts`) before the page's scripts run. */
  probe?: boolean;
}

/** Opens the harness with a fixture and waits until the panel has rendered. */
export async function open(o: OpenOptions): Promise<Page> {
  if (!browser || !server) throw new Error('browser not started');
  const width = o.width ?? 1280;
  const height = o.height ?? 760;
  const page = await browser.newPage({ viewport: { width: width + 16, height: height + 16 } });
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const query = new URLSearchParams({
    theme: o.theme ?? 'dark',
    width: String(width),
    height: String(height),
    options: JSON.stringify(o.options ?? {}),
  });
  if (o.fixture) query.set('fixture', o.fixture);
  if (o.publicPath) query.set('publicPath', o.publicPath);
  if (o.probe) await installProbe(page);
  await page.goto(`${server.url}/?${query}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  expect(errors).toEqual([]);
  return page;
}

/** Waits for the ERD's drawing (the layout has finished). */
export async function waitForErd(page: Page): Promise<void> {
  await page.waitForSelector(tid(TEST_IDS.erdSvg), { timeout: 60_000 });
}

/** Switches the ERD to boxes with columns (the toolbar's "Columns") and waits until they are drawn. */
export async function showColumns(page: Page): Promise<void> {
  const toggle = page.locator(tid(TEST_IDS.erdColumnsToggle));
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await page.waitForFunction(
    ([column, loading]) => document.querySelector(column as string) !== null && document.querySelector(loading as string) === null,
    [tid(TEST_IDS.erdColumn), tid(TEST_IDS.erdLoading)] as const,
    { timeout: 60_000 },
  );
  // The new drawing is fitted in an effect after its first frame: let that frame pass.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** How many elements match `selector`. */
export const count = (page: Page, selector: string): Promise<number> => page.locator(selector).count();

/** Picks an option of a @grafana/ui RadioButtonGroup by its label (the hidden input covers the label). */
export async function pickRadio(page: Page, label: string): Promise<void> {
  await page.locator(`input[type="radio"][title^="${label}"]`).click();
}

