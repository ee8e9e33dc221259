/**
 * The MySQL planner's working state: statements collected into ordered slots (dependency phases), ALTER TABLE
 * clauses collected per table and combined into one statement, lookups into the snapshots, and the error helper.
 */
import type { Change } from '../../core/model/change.ts';
import { changeSubject } from '../../core/model/change.ts';
import type { Hazard, PlannedStatement } from '../../core/model/plan.ts';
import type { SchemaSnapshot, Table, View } from '../../core/model/schema.ts';
import { PlanError } from '../../core/errors.ts';
import { quoteIdent } from './quote.ts';
import { versionParts } from './server-version.ts';

/** Options of {@link planMysql}. */
export interface MysqlPlanOptions {
  /**
   * The live snapshot the changes were computed from: finds foreign keys that block a column change, and tells the
   * server flavour and version (which ALTERs are INSTANT there). Without it hazards assume the oldest server.
   */
  readonly current?: SchemaSnapshot;
  /** The desired snapshot: view dependency order, trigger order, tables' desired forms. */
  readonly desired?: SchemaSnapshot;
}

/** Dependency phases in run order. */
export const SLOT = {
  dropTrigger: 10,
  dropView: 11,
  dropRoutine: 12,
  dropForeignKey: 13,
  dropEvent: 14,
  createSequence: 20,
  createTable: 21,
  removePartitioning: 29,
  alterTable: 30,
  partitioning: 31,
  dropTable: 40,
  dropSequence: 41,
  addForeignKey: 50,
  createRoutine: 51,
  createView: 52,
  createTrigger: 53,
  createEvent: 54,
} as const;

/**
 * Order of clauses inside one table's ALTER: drops before adds, columns before the keys that use them, options last.
 */
export const CLAUSE = {
  dropCheck: 0,
  dropIndex: 1,
  dropPrimaryKey: 2,
  renameIndex: 3,
  dropColumn: 4,
  modifyColumn: 5,
  addColumn: 6,
  addPrimaryKey: 7,
  addIndex: 8,
  addCheck: 9,
  options: 10,
} as const;

/** One statement to add. */
export interface StatementInput {
  readonly slot: number;
  readonly sub?: number;
  readonly sql: string;
  readonly comment: string;
  readonly hazards?: Hazard[];
}

/** One clause of a table's combined ALTER TABLE. */
export interface ClauseInput {
  readonly order: number;
  readonly sql: string;
  /** Short text for the statement's comment, e.g. `add column email`. */
  readonly comment: string;
  readonly hazards?: Hazard[];
  /**
   * Clauses with the same key are one clause (e.g. `modify:<column>`): hazards and comments are merged, and the SQL
   * of a `primary` clause wins (a column change's own MODIFY over one a table or check change needs).
   */
  readonly key?: string;
  readonly primary?: boolean;
}

interface Pending {
  readonly slot: number;
  readonly sub: number;
  readonly seq: number;
  readonly statement: PlannedStatement;
}

interface TableAlter {
  readonly table: string;
  readonly change: number;
  readonly clauses: (ClauseInput & { seq: number })[];
}

/** Mutable state of one {@link planMysql} call. */
export class MysqlPlanContext {
  readonly changes: readonly Change[];
  readonly options: MysqlPlanOptions;
  /** Changes that contributed a statement or clause. */
  readonly planned = new Set<number>();
  /** Foreign keys (`table\0name`) the plan drops; a re-add is planned by whoever dropped them. */
  readonly droppedForeignKeys = new Set<string>();
  private readonly pending: Pending[] = [];
  private readonly alters = new Map<string, TableAlter>();

  constructor(changes: readonly Change[], options: MysqlPlanOptions) {
    this.changes = changes;
    this.options = options;
  }

  /** Adds a statement for change `change`. */
  add(change: number, input: StatementInput): void {
    const sql = input.sql.trim();
    if (!sql || sql === ';') throw new PlanError(`mysql: planner produced an empty statement (${input.comment})`);
    this.planned.add(change);
    const statement: PlannedStatement = {
      sql: sql.endsWith(';') ? sql : `${sql};`,
      comment: input.comment,
      hazards: [...new Set(input.hazards ?? [])].sort(),
      change,
    };
    this.pending.push({ slot: input.slot, sub: input.sub ?? 0, seq: this.pending.length, statement });
  }

  /** Adds a clause to the combined ALTER TABLE of `table` (the first change to alter a table names the statement). */
  alter(change: number, table: string, clause: ClauseInput): void {
    if (!clause.sql.trim()) throw new PlanError(`mysql: planner produced an empty ALTER clause (${clause.comment})`);
    this.planned.add(change);
    let entry = this.alters.get(table);
    if (!entry) {
      entry = { table, change, clauses: [] };
      this.alters.set(table, entry);
    }
    const same = entry.clauses.findIndex((c) => (clause.key !== undefined && c.key === clause.key) || c.sql === clause.sql);
    const existing = entry.clauses[same];
    if (existing) {
      entry.clauses[same] = {
        ...(clause.primary && !existing.primary ? clause : existing),
        comment: existing.comment === clause.comment ? existing.comment : `${existing.comment} + ${clause.comment}`,
        hazards: [...(existing.hazards ?? []), ...(clause.hazards ?? [])],
        seq: existing.seq,
      };
      return;
    }
    entry.clauses.push({ ...clause, seq: entry.clauses.length });
  }

  /** The statements in run order, each table's ALTER clauses combined into one statement. */
  finish(): PlannedStatement[] {
    for (const entry of [...this.alters.values()].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0))) {
      const clauses = [...entry.clauses].sort((a, b) => a.order - b.order || a.seq - b.seq);
      this.pending.push({
        slot: SLOT.alterTable,
        sub: 0,
        seq: this.pending.length,
        statement: {
          sql: `ALTER TABLE ${quoteIdent(entry.table)}\n  ${clauses.map((c) => c.sql).join(',\n  ')};`,
          comment: `alter table ${entry.table}: ${clauses.map((c) => c.comment).join(', ')}`,
          hazards: [...new Set(clauses.flatMap((c) => c.hazards ?? []))].sort(),
          change: entry.change,
        },
      });
    }
    this.alters.clear();
    return [...this.pending].sort((a, b) => a.slot - b.slot || a.sub - b.sub || a.seq - b.seq).map((p) => p.statement);
  }

  /** A {@link PlanError} naming the change. */
  error(index: number, reason: string): PlanError {
    const change = this.changes[index];
    const subject = change ? `${change.action} ${changeSubject(change)}` : `change #${index}`;
    return new PlanError(`mysql: cannot plan ${subject}: ${reason}`);
  }

  /** A table of one side (the first schema holding it). */
  table(side: 'current' | 'desired', name: string): Table | undefined {
    for (const schema of this.options[side]?.schemas ?? []) {
      const table = schema.tables.find((t) => t.name === name);
      if (table) return table;
    }
    return undefined;
  }

  /** Every view of a side. */
  views(side: 'current' | 'desired'): View[] {
    return this.options[side]?.schemas.flatMap((s) => s.views) ?? [];
  }

  /** The live server: flavour and `[major, minor, patch]`, when the current snapshot says. */
  server(): { flavor: string | undefined; version: number[] } {
    const source = this.options.current?.source;
    const version = versionParts(source?.serverVersion ?? '');
    const flavor = source?.flavor ?? (/mariadb/i.test(source?.serverVersion ?? '') ? 'mariadb' : undefined);
    return { flavor, version };
  }
}
