/**
 * Rename hints, the planners' shared part: a dropped and an added column of one table (or table of one schema) with
 * the same definition may be one object renamed. The differ cannot know (names are identity), so the plan keeps the
 * drop + add (marked `data_loss`), and the hint offers the `RENAME` that would keep the data: a comment line at the
 * top of the plan's script, and {@link Change.possibleRename} on both changes for the report and the panel.
 *
 * A pair is hinted only when it is the only one of its definition on both sides (two dropped `int` columns and two
 * added ones say nothing about which is which). Like Prisma and Atlas, we never turn a drop + add into a rename on
 * our own: a person decides.
 */
import type { Change, ChangeAction, PossibleRename } from '../model/change.ts';
import type { Column, Table } from '../model/schema.ts';

/** One hinted pair: the rename and the indexes (in the changes) of its `extra` and `missing` change. */
export interface RenameHint {
  readonly rename: PossibleRename;
  /** Schema of the object (of the table, for a column). */
  readonly schema: string;
  /** The table of a renamed column. */
  readonly table?: string;
  readonly extra: number;
  readonly missing: number;
}

/** Canonical JSON (keys sorted), so definitions compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A column's definition: everything but its name and position. */
function columnSignature(column: Column): string {
  const { name: _name, position: _position, ...definition } = column;
  return canonical(definition);
}

/**
 * A table's definition for a rename: its columns in order, each with its name and definition, and its primary key
 * columns. Index and constraint names often carry the table's name (`notes_pkey`), so they are left out.
 */
function tableSignature(table: Table): string {
  const columns = [...table.columns].sort((a, b) => a.position - b.position).map((c) => [c.name, columnSignature(c)]);
  const pk = table.constraints.find((c) => c.kind === 'primary_key')?.columns ?? [];
  return canonical({ columns, pk });
}

interface Candidate {
  readonly index: number;
  readonly group: string;
  readonly signature: string;
  readonly name: string;
}

/** Where a pair must be found: the table of a column, the schema of a table; null for other kinds. */
function groupOf(change: Change): string | null {
  if (change.type === 'column') return `column\u0000${change.schema}\u0000${change.table}`;
  if (change.type === 'table') return `table\u0000${change.schema}`;
  return null;
}

function groupsOf(changes: readonly Change[], action: ChangeAction): Set<string> {
  const groups = new Set<string>();
  for (const change of changes) {
    const group = change.action === action ? groupOf(change) : null;
    if (group !== null) groups.add(group);
  }
  return groups;
}

/** The candidates of `action` in `groups` only: a signature is costly (a whole schema's DDL is all `missing`). */
function candidates(changes: readonly Change[], action: ChangeAction, groups: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  changes.forEach((change, index) => {
    if (change.action !== action) return;
    const group = groupOf(change);
    if (group === null || !groups.has(group)) return;
    const object = action === 'extra' ? change.current : change.desired;
    if (!object) return;
    const signature = change.type === 'column' ? columnSignature(object as Column) : tableSignature(object as Table);
    out.push({ index, group, signature, name: change.name });
  });
  return out;
}

/** The groups × signatures that occur exactly once in `list`. */
function unique(list: readonly Candidate[]): Map<string, Candidate> {
  const counts = new Map<string, number>();
  for (const c of list) counts.set(`${c.group}\u0000${c.signature}`, (counts.get(`${c.group}\u0000${c.signature}`) ?? 0) + 1);
  return new Map(list.filter((c) => counts.get(`${c.group}\u0000${c.signature}`) === 1).map((c) => [`${c.group}\u0000${c.signature}`, c]));
}

/**
 * The possible renames among `changes`: each extra column (table) paired with the one missing column of the same
 * table (table of the same schema) that has the same definition, when neither side has another of that definition.
 * In the order of the extra changes.
 */
export function findRenameHints(changes: readonly Change[]): RenameHint[] {
  // Only groups with both an extra and a missing object can hold a pair.
  const missingGroups = groupsOf(changes, 'missing');
  const both = new Set([...groupsOf(changes, 'extra')].filter((group) => missingGroups.has(group)));
  if (both.size === 0) return [];
  const missing = unique(candidates(changes, 'missing', both));
  const hints: RenameHint[] = [];
  for (const [key, extra] of unique(candidates(changes, 'extra', both))) {
    const added = missing.get(key);
    if (!added) continue;
    const change = changes[extra.index] as Change;
    const kind = change.type === 'column' ? 'column' : 'table';
    hints.push({
      rename: { kind, from: extra.name, to: added.name },
      schema: change.schema,
      ...(change.type === 'column' ? { table: change.table } : {}),
      extra: extra.index,
      missing: added.index,
    });
  }
  return hints.sort((a, b) => a.extra - b.extra);
}

/** `changes` with {@link Change.possibleRename} set on both changes of every {@link findRenameHints} pair. */
export function withPossibleRenames(changes: readonly Change[]): Change[] {
  const marks = new Map<number, PossibleRename>();
  for (const hint of findRenameHints(changes)) {
    marks.set(hint.extra, hint.rename);
    marks.set(hint.missing, hint.rename);
  }
  return changes.map((change, index) => {
    const rename = marks.get(index);
    return rename ? ({ ...change, possibleRename: rename } as Change) : change;
  });
}

/** The comment line of a hint, with the dialect's `RENAME` statement: `possible rename: ALTER TABLE … RENAME …`. */
export function renameHintLine(hint: RenameHint, sql: string): string {
  const what = hint.rename.kind === 'column' ? `column ${hint.table}.${hint.rename.from}` : `table ${hint.rename.from}`;
  return `possible rename: ${sql} (instead of dropping ${what} and adding ${hint.rename.to}, which has the same definition: the rename keeps the data)`;
}
