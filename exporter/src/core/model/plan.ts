/**
 * A planner's output: ordered statements, each tagged with the change it came from and its hazards.
 */
import type { Change } from './change.ts';

/**
 * Hazard labels, a fixed set:
 * - `data_loss`: drops a table, column, or data a column held (type narrowing, dropping an enum value);
 * - `table_rewrite`: rewrites the whole table (type change, stored generated column, SET LOGGED);
 * - `heavy_lock`: takes an ACCESS EXCLUSIVE lock or scans the table under a SHARE lock (validating a constraint,
 *   building an index without CONCURRENTLY, SET NOT NULL);
 * - `may_fail`: can fail on existing data (new NOT NULL, unique, check, foreign key);
 * - `rebuild`: the object is dropped and created again (a view or function whose signature changed).
 */
export type Hazard = 'data_loss' | 'table_rewrite' | 'heavy_lock' | 'may_fail' | 'rebuild';

/** One statement of a plan. */
export interface PlannedStatement {
  /** One SQL statement, terminated with `;`. */
  readonly sql: string;
  /** Short human text, rendered as a `--` comment above the statement. */
  readonly comment: string;
  readonly hazards: Hazard[];
  /** The change this statement came from (index into the plan's changes), `null` for set-up statements. */
  readonly change: number | null;
  /** When true the statement cannot run inside a transaction block. */
  readonly noTransaction?: boolean;
}

/** A planner's output: the changes it planned and its statements in run order. */
export interface Plan {
  readonly changes: Change[];
  readonly statements: PlannedStatement[];
  /**
   * Comment lines for the top of the script, each without its `-- ` (e.g. `possible rename: ALTER TABLE …`): what a
   * person may prefer to the plan. Absent when there is none.
   */
  readonly hints?: readonly string[];
  /**
   * Changes the planner refused on their own (no safe plan exists for them, e.g. a table turned into a partitioned
   * one): no statement is planned for them, the rest of the plan still is. Absent when none.
   */
  readonly refused?: readonly PlanRefusal[];
}

/** One change the planner refused: its index in the plan's changes and the `PlanError` message naming it and why. */
export interface PlanRefusal {
  readonly change: number;
  readonly message: string;
}
