/**
 * Inspects one database in a process of its own, so the bench sees the inspector's clean peak RSS (node's own
 * baseline included, nothing left over from earlier steps). Usage: `node bench/inspect-child.ts <url>`; prints
 * `{"wallMs":…,"tables":…}` on stdout. The wall time covers opening the session, inspecting and closing, like the
 * in-process step.
 */
import { openReadOnlySession } from '../src/dialects/postgres/connect.ts';
import { inspectPostgres } from '../src/dialects/postgres/inspect.ts';

const url = process.argv[2];
if (url === undefined) {
  process.stderr.write('usage: node bench/inspect-child.ts <postgres-url>\n');
  process.exit(2);
}
const start = performance.now();
const session = await openReadOnlySession(url, { statementTimeoutMs: 0, applicationName: 'schema-drift-bench' });
try {
  const snapshot = await inspectPostgres(session.db);
  const wallMs = performance.now() - start;
  const tables = snapshot.schemas.reduce((n, s) => n + s.tables.length, 0);
  process.stdout.write(`${JSON.stringify({ wallMs, tables })}\n`);
} finally {
  await session.close();
}
