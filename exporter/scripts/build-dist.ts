/**
 * Compiles the sources to JavaScript (`tsconfig.build.json`: imports rewritten from .ts to .js), as the npm package
 * ships them. Used by `prepack` (into dist/) and by the bench (into a package copy of its own, to time the compiled
 * CLI in the same run as the sources).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The exporter's folder. */
export const EXPORTER_ROOT = path.resolve(import.meta.dirname, '..');

/** Compiles `src/` into `outDir` (emptied first). */
export function buildDist(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  // typescript's `exports` hide bin/; its package.json is exported and the bin sits beside it.
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(EXPORTER_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
}
