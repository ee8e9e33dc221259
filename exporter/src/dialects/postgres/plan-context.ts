/**
 * The planner's working state: statements collected into ordered slots (the dependency phases), lookups into the
 * optional snapshots, and the error helper. Statements are sorted by (slot, sub-rank, insertion) at the end, so the
 * per-kind planners can run in change order and still produce a dependency-ordered plan.
 */
import type { Change } from '../../core/model/change.ts';
import { changeSubject } from '../../core/model/change.ts';
import type { Hazard, PlannedStatement, PlanRefusal } from '../../core/model/plan.ts';
import type { SchemaSnapshot, Table, View } from '../../core/model/schema.ts';
import { qualifiedKey } from '../../core/model/schema.ts';
import { PlanError } from '../../core/errors.ts';
import { rankByDependencies } from '../../core/plan/dependency-rank.ts';
import { pushTo } from '../../core/model/build-helpers.ts';

/** Options of {@link planPostgres}. */
export interface PostgresPlanOptions {
  /**
   * The current (live) snapshot the changes were computed from. Used to find objects the changes do not name but a
   * plan must touch: views that depend on a table whose column type changes or on a view that is rebuilt (they are
   * dropped and recreated around it), and columns that use an enum type that has to be recreated. Without it those
   * plans may fail at run time with "cannot alter type of a column used by a view".
   */
  readonly current?: SchemaSnapshot;
  /** The desired snapshot; used to recreate dependent views in their desired form and to find partition parents. */
  readonly desired?: SchemaSnapshot;
  /** Build and drop indexes on existing tables `CONCURRENTLY` (such statements are marked `noTransaction`). */
  readonly concurrently?: boolean;
}

/**
 * Dependency phases, in run order. Gaps leave room; the first group drops dependents, then base objects are created,
 * tables created/altered, objects dropped, and finally dependents created.
 */
export const SLOT = {
  setup: 0,
  dropPolicy: 10,
  dropTrigger: 11,
  dropView: 12,
  dropForeignKey: 13,
  dropConstraint: 14,
  dropIndex: 15,
  dropRebuiltRoutine: 16,
  dropRebuiltType: 17,
  createSchema: 20,
  createExtension: 21,
  /** Collations before the types and tables that use them. */
  createCollation: 21.5,
  createType: 22,
  createSequence: 23,
  createRoutine: 24,
  createTable: 30,
  alterTable: 31,
  alterColumn: 32,
  retypeColumn: 33,
  createLateRoutine: 34,
  dropLateRoutine: 39,
  dropColumn: 40,
  dropTable: 41,
  dropSequence: 42,
  dropRoutine: 43,
  dropType: 44,
  dropCollation: 44.5,
  dropExtension: 45,
  dropSchema: 46,
  addConstraint: 50,
  createIndex: 51,
  addForeignKey: 52,
  createView: 53,
  createViewIndex: 54,
  createTrigger: 55,
  rowSecurity: 56,
  createPolicy: 57,
  comment: 58,
  ownedBy: 59,
  /** A rebuilt object given back to its owner, before its grants (which then name that owner). */
  owner: 59.5,
  /** GRANT and REVOKE, once every object exists (see `plan-privileges.ts`). */
  privileges: 60,
} as const;

interface Pending {
  readonly slot: number;
  readonly sub: number;
  readonly seq: number;
  readonly statement: PlannedStatement;
}

/** One statement to add; `sub` orders statements inside a slot (partition depth, view rank, type kind). */
export interface StatementInput {
  readonly slot: number;
  readonly sub?: number;
  readonly sql: string;
  readonly comment: string;
  readonly hazards?: Hazard[];
  readonly noTransaction?: boolean;
}

/** Mutable state shared by the per-kind planners during one {@link planPostgres} call. */
export class PostgresPlanContext {
  readonly changes: readonly Change[];
  readonly options: PostgresPlanOptions;
  /** Views (by qualified key) dropped by some statement, with the change that caused it. */
  readonly droppedViews = new Map<string, number>();
  /** Views (by qualified key) created by some statement. */
  readonly createdViews = new Set<string>();
  /**
   * Columns that change type or are dropped (or dropped and added again), by table (qualified key), with the change
   * responsible: views reading one of them must be dropped and recreated around the change (see {@link reshapedBy}).
   */
  readonly reshapedColumns = new Map<string, Map<string, number>>();
  /**
   * Tables (qualified key) the plan drops, with the change responsible: a view still wanted that reads one (the table
   * replaced by a view of the same name, say) is dropped before the table and created again after.
   */
  readonly droppedTables = new Map<string, number>();
  /** Types (qualified key) renamed aside and dropped by the plan, so views naming them must be rebuilt. */
  readonly recreatedTypes = new Map<string, number>();
  /** Routines (`schema.name(identity arguments)`) dropped and created again, so views calling them must be rebuilt. */
  readonly recreatedRoutines = new Map<string, number>();
  private readonly pending: Pending[] = [];
  /** `slot NUL sql` of every pending statement, so {@link has} does not scan the plan. */
  private readonly planned = new Set<string>();
  private readonly counts = new Map<number, number>();
  private readonly refusals = new Map<number, string>();
  private viewRanks: Map<string, number> | undefined;
  // Lookups built on first use: the per-kind planners ask them once per change, and a plan can hold 10,000s.
  private tablesBySide: Map<'current' | 'desired', Map<string, Table>> | undefined;
  private viewKeys: Set<string> | undefined;
  private changesByTable: Map<string, Change[]> | undefined;

  constructor(changes: readonly Change[], options: PostgresPlanOptions) {
    this.changes = changes;
    this.options = options;
  }

  /** Records that column `column` of `table` changes type or is dropped by change `index` (the first one wins). */
  markReshaped(table: { schema: string; name: string }, column: string, index: number): void {
    const key = qualifiedKey(table.schema, table.name);
    let columns = this.reshapedColumns.get(key);
    if (!columns) this.reshapedColumns.set(key, (columns = new Map()));
    if (!columns.has(column)) columns.set(column, index);
  }

  /**
   * The change that forces `view` (current side) to be dropped and recreated, if any: one that reshapes a column the
   * view reads, or recreates a type its definition names or a routine it calls. Only what the catalog says the view reads counts, so a
   * column added by hand, or a change to a column the view does not read, leaves the view (and its grants) alone.
   * A view without column records (an older snapshot) counts as reading every column of the relations it reads.
   */
  reshapedBy(view: View): number | undefined {
    for (const relation of view.dependsOn) {
      const dropped = this.droppedTables.get(relation);
      if (dropped !== undefined) return dropped;
      const columns = this.reshapedColumns.get(relation);
      if (!columns) continue;
      const read = view.readsColumns?.[relation];
      if (read === undefined) return Math.min(...columns.values());
      const hit = read.map((c) => columns.get(c)).find((i) => i !== undefined);
      if (hit !== undefined) return hit;
    }
    const type = (view.dependsOnTypes ?? []).map((t) => this.recreatedTypes.get(t)).find((i) => i !== undefined);
    return type ?? (view.dependsOnRoutines ?? []).map((r) => this.recreatedRoutines.get(r)).find((i) => i !== undefined);
  }

  /** Adds a statement produced for change `change` (null for set-up statements). */
  add(change: number | null, input: StatementInput): void {
    const sql = input.sql.trim();
    if (!sql || sql === ';') throw new PlanError(`postgres: planner produced an empty statement (${input.comment})`);
    const statement: PlannedStatement = {
      sql: sql.endsWith(';') ? sql : `${sql};`,
      comment: input.comment,
      hazards: [...new Set(input.hazards ?? [])].sort(),
      change,
      ...(input.noTransaction ? { noTransaction: true } : {}),
    };
    this.pending.push({ slot: input.slot, sub: input.sub ?? 0, seq: this.pending.length, statement });
    this.planned.add(`${input.slot}\u0000${statement.sql}`);
    if (change !== null) this.counts.set(change, (this.counts.get(change) ?? 0) + 1);
  }

  /** True when some statement already sits in `slot` with exactly this SQL (to avoid duplicates). */
  has(slot: number, sql: string): boolean {
    return this.planned.has(`${slot}\u0000${sql.endsWith(';') ? sql : `${sql};`}`);
  }

  /** Number of statements planned so far for change `index`. */
  statementCount(index: number): number {
    return this.counts.get(index) ?? 0;
  }

  /** True when the plan creates or replaces a function or procedure. */
  createsRoutines(): boolean {
    return this.pending.some((p) => /^CREATE (OR REPLACE )?(FUNCTION|PROCEDURE)\b/.test(p.statement.sql));
  }

  /** The statements in run order. */
  finish(): PlannedStatement[] {
    return [...this.pending]
      .sort((a, b) => a.slot - b.slot || a.sub - b.sub || a.seq - b.seq)
      .map((p) => p.statement);
  }

  /**
   * Refuses change `index` on its own: it gets no statement and the plan lists it as refused (with the message a
   * {@link PlanError} for it would carry), while every other change is still planned.
   */
  refuse(index: number, reason: string): void {
    if (!this.refusals.has(index)) this.refusals.set(index, this.error(index, reason).message);
  }

  /** True when change `index` was refused (see {@link refuse}). */
  isRefused(index: number): boolean {
    return this.refusals.has(index);
  }

  /** The refused changes in change order. */
  refused(): PlanRefusal[] {
    return [...this.refusals].sort(([a], [b]) => a - b).map(([change, message]) => ({ change, message }));
  }

  /** A {@link PlanError} naming the change. */
  error(index: number, reason: string): PlanError {
    const change = this.changes[index];
    const subject = change ? `${change.action} ${changeSubject(change)}` : `change #${index}`;
    return new PlanError(`postgres: cannot plan ${subject}: ${reason}`);
  }

  /** The table in the desired snapshot, else the current one. */
  findTable(schema: string, name: string, side: 'current' | 'desired' | 'any' = 'any'): Table | undefined {
    this.tablesBySide ??= new Map([
      ['desired', tablesByKey(this.options.desired)],
      ['current', tablesByKey(this.options.current)],
    ]);
    const key = qualifiedKey(schema, name);
    if (side !== 'any') return this.tablesBySide.get(side)?.get(key);
    return this.tablesBySide.get('desired')?.get(key) ?? this.tablesBySide.get('current')?.get(key);
  }

  /** True when `schema.name` is a view or materialized view on either side. */
  isView(schema: string, name: string): boolean {
    this.viewKeys ??= new Set([
      ...this.changes.flatMap((c) => (c.type === 'view' ? [qualifiedKey(c.schema, c.name)] : [])),
      ...this.views('desired').map(keyOf),
      ...this.views('current').map(keyOf),
    ]);
    return this.viewKeys.has(qualifiedKey(schema, name));
  }

  /** The changes of table `schema.name` itself and of its parts (columns, constraints, indexes, ...). */
  changesOf(schema: string, name: string): readonly Change[] {
    if (!this.changesByTable) {
      this.changesByTable = new Map();
      for (const c of this.changes) {
        if (c.type === 'table' || 'table' in c) pushTo(this.changesByTable, qualifiedKey(c.schema, 'table' in c ? c.table : c.name), c);
      }
    }
    return this.changesByTable.get(qualifiedKey(schema, name)) ?? [];
  }

  /** All views of a snapshot side. */
  views(side: 'current' | 'desired'): View[] {
    return this.options[side]?.schemas.flatMap((s) => s.views) ?? [];
  }

  /**
   * Topological rank of a view: views it reads rank lower. Computed once over every view the plan knows (both
   * snapshots and the changes); ties broken by name so plans are deterministic.
   */
  viewRank(key: string): number {
    this.viewRanks ??= rankViews(this.allViews());
    return this.viewRanks.get(key) ?? 0;
  }

  private allViews(): View[] {
    const fromChanges = this.changes.flatMap((c) =>
      c.type === 'view' ? [c.desired, c.current].filter((v): v is View => v !== undefined) : [],
    );
    return [...this.views('desired'), ...this.views('current'), ...fromChanges];
  }
}

/** Key of a view or table. */
export function keyOf(obj: { schema: string; name: string }): string {
  return qualifiedKey(obj.schema, obj.name);
}

function tablesByKey(snapshot: SchemaSnapshot | undefined): Map<string, Table> {
  const out = new Map<string, Table>();
  // First wins, as the linear search this replaces found it.
  for (const s of snapshot?.schemas ?? []) for (const t of s.tables) if (!out.has(keyOf(t))) out.set(keyOf(t), t);
  return out;
}

function rankViews(views: View[]): Map<string, number> {
  const deps = new Map<string, Set<string>>();
  for (const v of views) {
    const set = deps.get(keyOf(v)) ?? new Set<string>();
    for (const d of v.dependsOn) set.add(d);
    deps.set(keyOf(v), set);
  }
  // A cycle cannot exist between views; rankByDependencies cuts one anyway.
  return rankByDependencies(deps);
}
