/** What every dialect's discovery does with the rows it read (`postgres/discover.ts`, `mysql/discover.ts`). */

/** The first column of each row as text, sorted, nulls and duplicates left out. */
export function firstColumn(rows: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const row of rows) {
    const value = Object.values(row)[0];
    if (value !== null && value !== undefined) names.add(String(value));
  }
  return [...names].sort();
}
