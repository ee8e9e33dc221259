/**
 * Bundles the harness page (React, @grafana/ui, the panel) with esbuild into `outdir`, as the browser tests do
 * before launching Chromium. Monaco's CSS and fonts (pulled in by @grafana/ui's barrel, unused by the panel) are
 * loaded as empty modules.
 */
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./harness.tsx', import.meta.url));

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>schema-drift panel harness</title></head>
<body><div id="root"></div><script type="module" src="/harness.js"></script></body></html>
`;

/** Writes `harness.js` and `index.html` into `outdir`. */
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
  await writeFile(`${outdir}/index.html`, HTML);
}
