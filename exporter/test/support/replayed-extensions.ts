/**
 * A snapshot of SQL loaded straight into PGlite, as a replay of that SQL reports it: extensions created without a
 * version are marked unpinned (`Extension.versionUnpinned`), so the no-false-drift suites compare PGlite's
 * PostgreSQL 18 contrib with PostgreSQL 15's as the agent does.
 */
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { markUnpinnedExtensions, pinnedExtensionVersions } from '../../src/dialects/postgres/replay-extension-pins.ts';
import { splitPostgresStatements } from '../../src/dialects/postgres/split.ts';

/** `snapshot` with the extension versions `sql` does not pin marked unpinned. */
export function asReplayOf(snapshot: SchemaSnapshot, sql: string): SchemaSnapshot {
  return markUnpinnedExtensions(snapshot, pinnedExtensionVersions(splitPostgresStatements(sql)));
}
