/**
 * `npm pack` / `npm publish` of the exporter: compiles the sources to dist/ (the package runs JavaScript, not
 * type-stripped TypeScript) and copies the alert runbook, which lives in the repository's docs/, into the package,
 * where `/runbook` finds it, and the repository's README and LICENSE. All of these are git-ignored.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
// typescript's `exports` hide bin/; its package.json is exported and the bin sits beside it.
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
mkdirSync(path.join(root, 'docs'), { recursive: true });
copyFileSync(path.join(root, '..', 'docs', 'runbook.md'), path.join(root, 'docs', 'runbook.md'));
// npm ships a package folder's README and LICENSE: the repository's, copied in.
for (const file of ['README.md', 'LICENSE']) copyFileSync(path.join(root, '..', file), path.join(root, file));
