/**
 * Typed change records: what the differ returns and what planners, reports and metrics consume.
 *
 * Direction: a diff compares `current` (the `from` side: the live database) with `desired` (the `to` side: the
 * migration directory). An object is
 * - `extra`   — in current, not desired (someone added it by hand);
 * - `missing` — desired, not in current (a migration did not run, or someone dropped it);
 * - `changed` — in both, with the attributes that differ listed as expected (desired) vs actual (current).
 *
 * A planner turns `current` into `desired`: it drops extras, creates missing objects and alters changed ones.
 */
import type {
  Collation,
  Column,
  Constraint,
  Extension,
  ForeignKey,
  Index,
  MysqlEvent,
  Policy,
  Routine,
  Schema,
  Sequence,
  Table,
  Trigger,
  TypeDef,
  View,
} from './schema.ts';

/** `extra`: in the database only; `missing`: desired only; `changed`: on both sides with differing attributes. */
export type ChangeAction = 'extra' | 'missing' | 'changed';

/** One differing attribute of a changed object. Values are JSON. */
export interface AttributeChange {
  /** Attribute path, e.g. `type`, `default`, `nullable`, `attrs.unlogged`, `values`. */
  readonly name: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * A dropped and an added column (or table) with the same definition: maybe one object renamed. Set on both the
 * `extra` and the `missing` change (see `core/plan/rename-hints.ts`); the plan still drops and adds.
 */
export interface PossibleRename {
  readonly kind: 'column' | 'table';
  /** The current name (the `extra` change's). */
  readonly from: string;
  /** The desired name (the `missing` change's). */
  readonly to: string;
}

interface ChangeBase<T extends string, O> {
  readonly type: T;
  readonly action: ChangeAction;
  /** Schema of the object (for extensions: the extension's schema). */
  readonly schema: string;
  /** Object name (for table parts: the part's name). */
  readonly name: string;
  /** The desired object; absent for `extra`. */
  readonly desired?: O;
  /** The current object; absent for `missing`. */
  readonly current?: O;
  /** For `changed`: each attribute that differs. Empty for `extra` and `missing`. */
  readonly attributes: AttributeChange[];
  /** An `extra` or `missing` column or table that may be the other half of a rename; absent otherwise. */
  readonly possibleRename?: PossibleRename;
}

/** Change of a part of a table carries the table's name too. */
interface TablePartChange<T extends string, O> extends ChangeBase<T, O> {
  readonly table: string;
}

/** Change of a schema (namespace); an extra or missing one also has its objects reported. */
export type SchemaChange = ChangeBase<'schema', Schema>;
/** Change of an extension (database-wide, matched by name). */
export type ExtensionChange = ChangeBase<'extension', Extension>;
/** Change of a table; an extra or missing table carries the whole table, its parts implied. */
export type TableChange = ChangeBase<'table', Table>;
/** Change of a column of an existing table. */
export type ColumnChange = TablePartChange<'column', Column>;
/** Change of an index of a table or materialized view (indexes backing a constraint come with the constraint). */
export type IndexChange = TablePartChange<'index', Index>;
/** Change of a primary key, unique, check or exclusion constraint. */
export type ConstraintChange = TablePartChange<'constraint', Constraint>;
/** Change of a foreign key. */
export type ForeignKeyChange = TablePartChange<'foreign_key', ForeignKey>;
/** Change of a trigger. */
export type TriggerChange = TablePartChange<'trigger', Trigger>;
/** Change of a row-level security policy. */
export type PolicyChange = TablePartChange<'policy', Policy>;
/** Change of a view or materialized view; an extra or missing one carries the whole view. */
export type ViewChange = ChangeBase<'view', View>;
/** Change of a sequence (identity sequences are compared with their column). */
export type SequenceChange = ChangeBase<'sequence', Sequence>;
/** Change of an enum, domain, composite or range type; an extra or missing one carries the whole type. */
export type TypeChange = ChangeBase<'type', TypeDef>;
/** Routines are identified by schema, name and identity arguments (overloads). */
export interface RoutineChange extends ChangeBase<'routine', Routine> {
  readonly identityArgs: string;
}
/** PostgreSQL user-defined collations (`CREATE COLLATION`). */
export type CollationChange = ChangeBase<'collation', Collation>;
/** MySQL/MariaDB scheduled events (only when both sides were inspected with `events: true`). */
export type EventChange = ChangeBase<'event', MysqlEvent>;

/** One typed change record of the differ, discriminated on `type`. */
export type Change =
  | SchemaChange
  | ExtensionChange
  | TableChange
  | ColumnChange
  | IndexChange
  | ConstraintChange
  | ForeignKeyChange
  | TriggerChange
  | PolicyChange
  | ViewChange
  | SequenceChange
  | TypeChange
  | RoutineChange
  | EventChange
  | CollationChange;

/** The object kind a change is about. */
export type ChangeType = Change['type'];

/**
 * Fixed metric `kind` enum (see CONVENTIONS.md): the bounded label set the exporter exposes. Every change maps onto
 * exactly one kind.
 */
export const METRIC_KINDS = [
  'table',
  'column',
  'index',
  'constraint',
  'foreign_key',
  'view',
  'sequence',
  'type',
  'routine',
  'trigger',
  'policy',
  'extension',
  'other',
] as const;
/** One value of the metric `kind` label. */
export type MetricKind = (typeof METRIC_KINDS)[number];

/** Every change action, in the order reports and metrics list them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['extra', 'missing', 'changed'];

/**
 * The metric kind of a change: its change type, the same word the configuration and the CLI use (`routine` for
 * functions, procedures and aggregates alike), except the rare kinds folded into `other`.
 */
export function metricKind(change: Change): MetricKind {
  switch (change.type) {
    case 'schema':
    case 'event':
    case 'collation':
      return 'other';
    default:
      return change.type;
  }
}

/** A stable, human-readable identity of the changed object, e.g. `column public.users.email`. */
export function changeSubject(change: Change): string {
  const owner = 'table' in change ? `${change.schema}.${change.table}.` : `${change.schema}.`;
  switch (change.type) {
    case 'schema':
      return `schema ${change.name}`;
    case 'extension':
      return `extension ${change.name}`;
    case 'routine':
      return `${change.type} ${owner}${change.name}(${change.identityArgs})`;
    default:
      return `${change.type.replace('_', ' ')} ${owner}${change.name}`;
  }
}
