/**
 * `npm pack` / `npm publish` of the exporter: compiles the sources to dist/ (the package runs JavaScript, not
 * type-stripped TypeScript) and copies the alert runbook, which lives in the repository's docs/, into the package,
 * where `/runbook` finds it, and the repository's README and LICENSE. All of these are git-ignored.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildDist, EXPORTER_ROOT as root } from './build-dist.ts';

buildDist(path.join(root, 'dist'));
mkdirSync(path.join(root, 'docs'), { recursive: true });
copyFileSync(path.join(root, '..', 'docs', 'runbook.md'), path.join(root, 'docs', 'runbook.md'));
// npm ships a package folder's README and LICENSE: the repository's, copied in.
for (const file of ['README.md', 'LICENSE']) copyFileSync(path.join(root, '..', file), path.join(root, file));
