/**
 * Keeping a hot-fix: the drift written as the next migration of the directory. The plan goes the other way from the
 * reconcile plan: from the schema the migrations build to the database's, so replaying the directory with the new
 * file gives the database's schema (in sync). The reconcile plan is the new file's down part where the format has one.
 * The agent's report keeps this plan (`Report.keep`), the CLI computes it (`diff --format migration`); both write the
 * file through {@link keepMigration}.
 */
import { ConfigError, PlanError } from '../core/errors.ts';
import type { Plan } from '../core/model/plan.ts';
import type { Dialect } from '../dialects/dialect.ts';
import type { MigrationDirectory, MigrationFile } from '../migrations/types.ts';
import type { MigrationStatement, NextMigration } from '../migrations/next-migration.ts';
import { nextMigrationOf } from '../migrations/write-migration.ts';
import { compare, type Comparison, type CompareRequest } from './compare.ts';

/** Default name of the migration (`--name`). */
export const KEEP_NAME = 'keep_hotfix';

/**
 * The comparison the other way round: `request.desired` is planned into `request.current`. For a check (current =
 * the database) that is the keep plan; for `diff --from <dir> --to <db>` (current = the directory) the undo plan.
 */
export function reverseComparison(dialect: Dialect, request: CompareRequest): Comparison {
  return compare(dialect, { ...request, current: request.desired, desired: request.current });
}

/** A comparison's plan as a report keeps it (`ReportInput.keep`): the plan, or its error's one line. */
export function keepPlanOf(comparison: Comparison): Plan | { planError: string } {
  return 'error' in comparison.plan ? { planError: comparison.plan.error.describe() } : comparison.plan;
}

/** What the next migration is made from. */
export interface KeepMigrationRequest {
  readonly directory: MigrationDirectory;
  /** The database, as the header names it (a target name, or a URL without its password). */
  readonly source: string;
  /** Directory → database statements, or the planner's error. */
  readonly keep: readonly MigrationStatement[] | { readonly error: string };
  /** Database → directory statements (the reconcile plan), or the planner's error: the down part. */
  readonly undo: readonly MigrationStatement[] | { readonly error: string };
  /** The database's revision table, when it has one. */
  readonly revision: { readonly tool: string; readonly dirty: boolean } | null;
  /** Migrations of the directory not deployed on the database. */
  readonly pending: readonly Pick<MigrationFile, 'path'>[];
  readonly name: string;
  readonly now: Date;
}

/** A plan's statements as a migration takes them, or its error's one line. */
export function migrationStatements(plan: Plan | { error: PlanError }): MigrationStatement[] | { error: string } {
  if ('error' in plan) return { error: plan.error.describe() };
  return plan.statements.map((s) => ({ sql: s.sql, comment: s.comment, hazards: s.hazards, ...(s.noTransaction ? { noTransaction: true } : {}) }));
}

/**
 * The next migration of `request.directory` that keeps the drift.
 * @throws ConfigError (file = the directory) when migrations are pending or the revision table is dirty (the new file
 *   would come after migrations the database does not have), when there is no drift, or the format is not written;
 *   PlanError when the planner cannot render a change.
 */
export async function keepMigration(request: KeepMigrationRequest): Promise<NextMigration> {
  const { directory } = request;
  const context = { file: directory.dir };
  if (request.revision?.dirty) {
    throw new ConfigError(`the ${request.revision.tool} revision table of ${request.source} is dirty (a migration failed): repair it before keeping the drift as a migration`, context);
  }
  if (request.pending.length > 0) {
    const names = request.pending.map((f) => f.path).join(', ');
    throw new ConfigError(`${request.pending.length} migration(s) are not deployed on ${request.source} (${names}): deploy them first, or the new migration would follow migrations the hot-fix never saw`, context);
  }
  if ('error' in request.keep) throw new PlanError(`cannot write the drift as a migration: ${request.keep.error}`, context);
  if (request.keep.length === 0) throw new ConfigError(`no drift between ${directory.dir} and ${request.source}: no migration to write`, context);
  const header = [
    `schema-drift: the drift of ${request.source} kept as the next ${directory.format} migration (written ${request.now.toISOString()}).`,
    'It turns the schema the migrations before it build into the database\'s. Review it before committing it.',
    'The database has these changes already: record the migration as applied there instead of running it (README, "Keep a hot-fix").',
  ];
  return nextMigrationOf({ directory, up: request.keep, down: request.undo, header, name: request.name, now: request.now });
}
