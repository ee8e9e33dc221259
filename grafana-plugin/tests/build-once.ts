/**
 * vitest global setup of the `plugin-dist` project: builds `dist/` and the zip once per test run, exactly as
 * `npm run build` does (webpack with webpack.config.ts, then scripts/package-zip.ts), so the dist and browser tests
 * never read a stale build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

import { packageZip } from '../scripts/package-zip.ts';

const ROOT = path.join(import.meta.dirname, '..');

export default function setup(): void {
  const webpackCli = createRequire(import.meta.url).resolve('webpack-cli/bin/cli.js');
  try {
    execFileSync(process.execPath, [webpackCli, '--config', 'webpack.config.ts'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `grafana-plugin: webpack build failed:\n${output.stdout?.toString() ?? ''}${output.stderr?.toString() ?? ''}`,
      { cause: error },
    );
  }
  packageZip(path.join(ROOT, 'dist'));
}
