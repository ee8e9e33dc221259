import type { ChangeAction, ChangeRow } from './model.ts';

/** The changes table's action filter: one action or all. */
export type ActionFilter = ChangeAction | 'all';

/**
 * Rows whose action matches and whose subject, kind, details, hazards or possible rename (`possible rename a → b`)
 * contain every word of `text`.
 */
export function filterChanges(rows: readonly ChangeRow[], action: ActionFilter, text: string): ChangeRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((row) => {
    if (action !== 'all' && row.action !== action) {
      return false;
    }
    const rename = row.possibleRename ? `possible rename ${row.possibleRename}` : '';
    const hay = `${row.subject} ${row.kind} ${row.action} ${row.details} ${row.hazards.join(' ')} ${rename}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
