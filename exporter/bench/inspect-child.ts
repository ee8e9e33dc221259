/**
 * Reads one database in a process of its own, so the bench sees the clean peak RSS of a check's live read (node's own
 * baseline included, nothing left over from earlier steps). Usage: `node bench/inspect-child.ts <url>`; prints
 * `{"wallMs":…,"tables":…}` on stdout. The read is the engine's `readLive` with the registry's dialect for the URL,
 * as in the in-process step; the wall time covers opening the session, reading and closing it.
 */
import { benchDialectForUrl, readBenchDatabase, tableCount } from './live-read.ts';

const url = process.argv[2];
if (url === undefined) {
  process.stderr.write('usage: node bench/inspect-child.ts <database-url>\n');
  process.exit(2);
}
const dialect = benchDialectForUrl(url);
const start = performance.now();
const { snapshot } = await readBenchDatabase(dialect, url);
const wallMs = performance.now() - start;
process.stdout.write(`${JSON.stringify({ wallMs, tables: tableCount(snapshot) })}\n`);
