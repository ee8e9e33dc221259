/**
 * The exporter's engine as the panel's fixtures use it: embedded PostgreSQL databases read back as a live database
 * is (`engine/live.ts`), compared and rendered for a report (`engine/compare.ts`), so the frames the panel is tested
 * with come from the same pipeline as the agent's reports.
 */
import type { SchemaSnapshot } from '../../../exporter/src/core/model/schema.ts';
import type { EmbeddedDatabase } from '../../../exporter/src/dialects/dialect.ts';
import { dialectNamed } from '../../../exporter/src/dialects/registry.ts';
import { compare, reportParts, type ReportParts } from '../../../exporter/src/engine/compare.ts';
import { readLive } from '../../../exporter/src/engine/live.ts';

/** The dialect of the fixtures: PostgreSQL, whose embedded engine (PGlite) needs no server. */
export const FIXTURE_DIALECT = dialectNamed('postgres');

/**
 * A new embedded database, set up by `setup` (its answer is returned too), read back in a read-only session as a
 * check reads a target, then closed.
 */
export async function embeddedSnapshot<T>(
  setup: (db: EmbeddedDatabase) => Promise<T>,
  options: { schemas?: string[]; description: string },
): Promise<{ snapshot: SchemaSnapshot; setup: T }> {
  const embedded = FIXTURE_DIALECT.embedded;
  if (!embedded) throw new Error(`${FIXTURE_DIALECT.label} has no embedded engine`);
  const db = await embedded.create();
  try {
    const answer = await setup(db);
    const live = await readLive(FIXTURE_DIALECT, {
      url: `embedded://${options.description}`,
      description: options.description,
      ...(options.schemas ? { schemas: options.schemas } : {}),
      open: () => db.session(),
    });
    return { snapshot: live.snapshot, setup: answer };
  } finally {
    await db.close();
  }
}

/** Both sides compared and rendered for `buildReport`; a fixture whose plan fails is a broken fixture. */
export function reportPartsOf(current: SchemaSnapshot, desired: SchemaSnapshot): ReportParts & { reconcileSql: string } {
  const parts = reportParts(FIXTURE_DIALECT, compare(FIXTURE_DIALECT, { current, desired }));
  if (parts.plan === undefined) throw new Error(`the fixture did not plan: ${parts.planError}`);
  return parts;
}
