/**
 * Sqitch's registry, dialect-free (App::Sqitch's pg.sql / mysql.sql and Engine.pm):
 * - `changes` lists the changes currently deployed, one row per change id; `sqitch deploy` inserts a row when a
 *   change's deploy script succeeded, `sqitch revert` deletes it. It is what says what is deployed.
 * - `events` is the history (`deploy`, `revert`, `fail`, `merge`). A change whose deploy script fails gets a `fail`
 *   event and no `changes` row; Sqitch then reverts what that run deployed (`deploy.mode`), so a failure leaves the
 *   registry at an earlier change. The database is only as clean as the failed script's own transaction left it.
 * - `tags`, `dependencies`, `projects`, `releases` are bookkeeping.
 *
 * Deployed keys are the change ids, matched against the plan's ids (`migrations/sqitch-plan.ts`), as Sqitch itself
 * matches them (see `format-sqitch.ts` for why not names). Rows of every project are read: ids hold the project, so
 * another project's rows match nothing in the directory. Dirty: a project whose latest `fail` event is newer than its
 * latest `deploy` event (its last deploy failed, and nothing deployed since). Departure: on MySQL one `sqitch`
 * database serves every database of the server, so another database's failed deploy shows as dirty here too.
 */
import type { RevisionState } from './revision-state.ts';

/** One row of `changes`, in `committed_at` order. */
export interface SqitchChangeRow {
  readonly changeId: string;
  readonly change: string;
  readonly project: string;
}

/** A `fail` event with no later `deploy` event of its project (the query selects these). */
export interface SqitchFailRow {
  readonly change: string;
  readonly project: string;
  readonly committedAt: string;
}

/** State from the registry rows: `changes` in commit order, and the unresolved failures in commit order. */
export function sqitchState(table: string, changes: readonly SqitchChangeRow[], failures: readonly SqitchFailRow[]): RevisionState {
  const projects = new Set([...changes, ...failures].map((r) => r.project));
  const label = (r: { change: string; project: string }): string => (projects.size > 1 ? `${r.project}:${r.change}` : r.change);
  const last = changes.at(-1);
  const failed = failures.at(-1);
  return {
    tool: 'sqitch',
    table,
    version: last ? label(last) : null,
    dirty: failed !== undefined,
    ...(failed
      ? {
          failedVersion: label(failed),
          error: `sqitch deploy of change "${failed.change}" failed at ${failed.committedAt} (Sqitch logs a fail event, not the error)`,
        }
      : {}),
    appliedVersions: [],
    appliedKeys: changes.map((r) => r.changeId),
  };
}

