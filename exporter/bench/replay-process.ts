/**
 * One replay in a process of its own, so the bench sees what a replay costs a process: node's own baseline, the
 * engine's `readDesired` as a check calls it (no desired-schema cache, so it really replays), and PGlite's child
 * process. Usage: `node bench/replay-process.ts <dir> <format> <cacheDir> [devUrl]`; prints
 * `{"wallMs":…,"tables":…,"files":…,"serverVersion":…}` on stdout.
 */
import { dialectNamed } from '../src/dialects/registry.ts';
import { readDesired } from '../src/engine/desired.ts';
import type { MigrationFormat } from '../src/migrations/types.ts';
import { readMigrationDirectory } from '../src/migrations/index.ts';
import { tableCount } from './live-read.ts';

const [dir, format, cacheDir, devUrl] = process.argv.slice(2);
if (dir === undefined || format === undefined || cacheDir === undefined) {
  process.stderr.write('usage: node bench/replay-process.ts <dir> <format> <cacheDir> [devUrl]\n');
  process.exit(2);
}
const start = performance.now();
const directory = await readMigrationDirectory(dir, { format: format as MigrationFormat });
const desired = await readDesired(dialectNamed('postgres'), {
  directory,
  target: dir,
  inspect: { target: dir },
  cacheDir,
  ...(devUrl ? { devUrl } : {}),
});
const wallMs = performance.now() - start;
process.stdout.write(`${JSON.stringify({ wallMs, tables: tableCount(desired.snapshot), files: directory.files.length, serverVersion: desired.replay.serverVersion })}\n`);
