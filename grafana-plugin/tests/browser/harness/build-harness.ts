/**
 * Bundles the harness page (React, @grafana/ui, the panel) with esbuild into `outdir`, as the browser tests do
 * before launching Chromium, and the ERD's layout worker from the same source webpack builds it from, under the
 * same file name. Monaco's CSS and fonts (pulled in by @grafana/ui's barrel, unused by the panel) are loaded as
 * empty modules.
 */
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { LAYOUT_WORKER_FILE } from '../../../src/components/erd/layout-protocol.ts';

const ENTRY = fileURLToPath(new URL('./harness.tsx', import.meta.url));
const WORKER_ENTRY = fileURLToPath(new URL('../../../src/components/erd/layout-worker.ts', import.meta.url));

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>schema-drift panel harness</title></head>
<body><div id="root"></div><script type="module" src="/harness.js"></script></body></html>
`;

/** Writes `harness.js`, the layout worker and `index.html` into `outdir`. */
export async function buildHarness(outdir: string): Promise<void> {
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    outfile: `${outdir}/harness.js`,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.css': 'empty', '.ttf': 'empty', '.woff': 'empty', '.woff2': 'empty', '.svg': 'text' },
    logLevel: 'error',
  });
  // A classic worker script, as webpack emits it (Grafana's module.js is AMD, so no module workers there either).
  await build({
    entryPoints: [WORKER_ENTRY],
    bundle: true,
    outfile: `${outdir}/${LAYOUT_WORKER_FILE}`,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'error',
  });
  await writeFile(`${outdir}/index.html`, HTML);
}
