/**
 * A probe installed into the harness page before its scripts run (`page.addInitScript`): it records the page's
 * long tasks (`PerformanceObserver` with `longtask` entries: main-thread tasks over 50 ms), the longest gap between
 * animation frames, and when the ERD's "Laying out…" placeholder and its drawing first appear (a MutationObserver,
 * so the times are taken when the DOM changes, not when the test gets around to polling). The panel's own
 * `schema-drift:layout-*` performance marks say when a layout was requested and answered.
 */
import type { Page } from 'playwright-core';

/** What the probe has recorded so far. */
export interface ProbeRecord {
  longTasks: Array<{ start: number; duration: number }>;
  /** Gaps between consecutive animation frames, ms, with the time of the later frame. */
  frameGaps: Array<{ at: number; gap: number }>;
  loadingAt: number | null;
  drawnAt: number | null;
  marks: Array<{ name: string; at: number; detail: unknown }>;
}

declare global {
  interface Window {
    schemaDriftProbe?: ProbeRecord;
  }
}

/** Runs in the page (serialised by playwright): must not close over anything. */
function install(): void {
  const probe: ProbeRecord = { longTasks: [], frameGaps: [], loadingAt: null, drawnAt: null, marks: [] };
  window.schemaDriftProbe = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const watch = (): void => {
    new MutationObserver(() => {
      const now = performance.now();
      if (probe.loadingAt === null && document.querySelector('[data-testid="schema-drift-erd-loading"]')) probe.loadingAt = now;
      if (probe.drawnAt === null && document.querySelector('[data-testid="schema-drift-erd-svg"]')) probe.drawnAt = now;
    }).observe(document.body, { childList: true, subtree: true });
  };
  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);
  let last = performance.now();
  const frame = (t: number): void => {
    probe.frameGaps.push({ at: t, gap: t - last });
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Installs the probe into every document `page` opens from now on. */
export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript(install);
}

/** The probe's record, with the panel's `schema-drift:*` performance marks. */
export async function readProbe(page: Page): Promise<ProbeRecord> {
  return page.evaluate(() => {
    const probe = window.schemaDriftProbe;
    if (!probe) throw new Error('main-thread probe not installed');
    const marks = performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('schema-drift:'))
      .map((m) => ({ name: m.name, at: m.startTime, detail: (m as PerformanceMark).detail as unknown }));
    return { ...probe, marks };
  });
}

/** The longest long task overlapping [from, to] (0 when there was none over 50 ms), and the longest frame gap. */
export function blockingBetween(probe: ProbeRecord, from: number, to: number): { longestTask: number; longestFrameGap: number; tasks: number } {
  const tasks = probe.longTasks.filter((t) => t.start < to && t.start + t.duration > from);
  const gaps = probe.frameGaps.filter((g) => g.at > from && g.at - g.gap < to);
  return {
    longestTask: Math.max(0, ...tasks.map((t) => t.duration)),
    longestFrameGap: Math.max(0, ...gaps.map((g) => g.gap)),
    tasks: tasks.length,
  };
}
