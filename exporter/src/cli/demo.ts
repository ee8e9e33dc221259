/**
 * `schema-drift demo`: the main job on an embedded default, with nothing to set up.
 *
 * The bundled example migration directory is replayed into PGlite as the desired schema. A second PGlite plays
 * "production": the same migrations ran there (golang-migrate's `schema_migrations` records version 4), then people
 * typed hot-fixes into psql (`examples/drift/production.sql`). The demo reads it as any monitored database (one
 * read-only snapshot) and runs the engine's steps, as a check does: prints the drift and the reconcile SQL.
 */
import { readFile } from 'node:fs/promises';
import { DEMO_DIALECT, deployDemoDatabase, EXAMPLE_MIGRATIONS, PRODUCTION_DRIFT } from '../agent/demo.ts';
import { renderChangesText } from '../core/render/text.ts';
import { dialectNamed } from '../dialects/registry.ts';
import { compare, planOf } from '../engine/compare.ts';
import { readDesired } from '../engine/desired.ts';
import { readLive } from '../engine/live.ts';
import { readMigrationDirectory } from '../migrations/index.ts';
import { type CliIo, revisionText } from './io.ts';


/** Runs the demo and writes what it found to `io`. */
export async function runDemo(io: CliIo): Promise<void> {
  io.stdout('schema-drift demo: embedded PGlite databases, no server needed.\n');
  io.stdout(`  desired: ${EXAMPLE_MIGRATIONS} (replayed into a scratch PGlite)\n`);
  io.stdout(`  current: an embedded "production" database built from the same migrations, then hot-fixed by hand\n\n`);

  const dialect = dialectNamed(DEMO_DIALECT);
  const directory = await readMigrationDirectory(EXAMPLE_MIGRATIONS);
  const production = await deployDemoDatabase(directory, await readFile(PRODUCTION_DRIFT, 'utf8'));
  let live;
  try {
    live = await readLive(dialect, { url: 'pglite://demo/production', target: 'demo', description: 'demo production (PGlite)', open: () => production.session() });
  } finally {
    await production.close();
  }
  const desired = await readDesired(dialect, {
    directory,
    target: 'demo',
    inspect: { target: 'demo', counterpart: live.snapshot },
    revision: live.revision,
    live,
  });
  const comparison = compare(dialect, { current: live.snapshot, desired: desired.snapshot, unchecked: desired.unchecked });
  const { revision } = live;
  if (revision) io.stdout(`${revisionText(revision)}\n\n`);
  for (const warning of desired.warnings) io.stdout(`warning: ${warning}\n`);
  io.stdout(renderChangesText(comparison.changes, { current: 'production', desired: 'examples/migrations' }));
  if (comparison.changes.length) {
    io.stdout('\nReconcile SQL (what would bring production back to the migrations; review the hazards first):\n\n');
    io.stdout(dialect.renderPlanSql(planOf(comparison)));
  }
  io.stdout('\nTry it on your own database: npx schema-drift diff --from postgres://USER@HOST/DB --to path/to/migrations\n');
}
