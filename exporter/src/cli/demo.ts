/**
 * `schema-drift demo`: the main job on an embedded default, with nothing to set up.
 *
 * The bundled example migration directory is replayed into PGlite as the desired schema. A second PGlite plays
 * "production": the same migrations ran there (golang-migrate's `schema_migrations` records version 4), then people
 * typed hot-fixes into psql (`examples/drift/production.sql`). The demo diffs the two and prints the drift and the
 * SQL that would reconcile it.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli.ts';
import { deployDemoDatabase } from '../agent/demo.ts';
import { diffSchemas } from '../core/diff/diff.ts';
import { filterSnapshot } from '../core/diff/filter.ts';
import { readMigrationDirectory } from '../migrations/index.ts';
import { postgresHooks } from '../dialects/postgres/hooks.ts';
import { inspectPostgres } from '../dialects/postgres/inspect.ts';
import { planPostgres, renderPlanSql } from '../dialects/postgres/plan.ts';
import { replayPostgres } from '../dialects/postgres/replay.ts';
import { pendingMigrations, readPostgresRevision, revisionExcludeFilter } from '../dialects/postgres/revision.ts';
import { renderChangesText } from '../core/render/text.ts';

/** The bundled example migration directory (golang-migrate layout). */
export const EXAMPLE_MIGRATIONS = fileURLToPath(new URL('../../examples/migrations', import.meta.url));
const PRODUCTION_DRIFT = fileURLToPath(new URL('../../examples/drift/production.sql', import.meta.url));

/** Runs the demo and writes what it found to `io`. */
export async function runDemo(io: CliIo): Promise<void> {
  io.stdout('schema-drift demo: embedded PGlite databases, no server needed.\n');
  io.stdout(`  desired: ${EXAMPLE_MIGRATIONS} (replayed into a scratch PGlite)\n`);
  io.stdout(`  current: an embedded "production" database built from the same migrations, then hot-fixed by hand\n\n`);

  const directory = await readMigrationDirectory(EXAMPLE_MIGRATIONS);
  const production = await deployDemoDatabase(await readFile(PRODUCTION_DRIFT, 'utf8'));
  let current;
  let revision;
  try {
    // Read like any monitored database: one read-only snapshot (we never write to the database we check).
    await production.exec('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    revision = await readPostgresRevision(production);
    current = await inspectPostgres(production, { source: { description: 'demo production (PGlite)' } });
  } finally {
    await production.close();
  }
  const deployed = revision ? pendingMigrations(directory, revision) : null;
  const replay = await replayPostgres(directory, { upToVersion: deployed ? deployed.upToVersion : undefined, target: 'demo' });

  const filter = { exclude: revisionExcludeFilter() };
  const currentFiltered = filterSnapshot(current, filter);
  const desired = filterSnapshot(replay.snapshot, filter);
  const changes = diffSchemas({ current: currentFiltered, desired, hooks: postgresHooks });
  if (revision) io.stdout(`Deployed revision (${revision.tool}, ${revision.table}): ${revision.version}${revision.dirty ? ' (dirty)' : ''}\n\n`);
  io.stdout(renderChangesText(changes, { current: 'production', desired: 'examples/migrations' }));
  if (changes.length) {
    io.stdout('\nReconcile SQL (what would bring production back to the migrations; review the hazards first):\n\n');
    io.stdout(renderPlanSql(planPostgres(changes, { current: currentFiltered, desired })));
  }
  io.stdout('\nTry it on your own database: npx schema-drift diff --from postgres://USER@HOST/DB --to path/to/migrations\n');
}
