/**
 * URLs of the API, built in one place so the landing page, check responses and `Location` headers agree with the
 * routes.
 */
/** Prefix of every API route. */
export const API_PREFIX = '/api/v1';

/** The flat Infinity views of one report: path suffix → what it lists. */
export const REPORT_VIEWS = {
  changes: 'changes',
  'erd/tables': 'ERD tables',
  'erd/columns': 'ERD columns',
  'erd/relations': 'ERD relations',
  sql: 'SQL (desired, current, reconcile)',
  statements: 'reconcile statements',
} as const;

/** Plain SQL downloads of one report: file suffix → the report field it serves. */
export const SQL_FILES = ['desired', 'current', 'reconcile'] as const;
/** One of {@link SQL_FILES}. */
export type SqlFile = (typeof SQL_FILES)[number];

/** `/api/v1/targets/<name>` with the name percent-encoded. */
export function targetPath(name: string): string {
  return `${API_PREFIX}/targets/${encodeURIComponent(name)}`;
}

/** `/api/v1/targets/<name>/reports/<latest|id>`. */
export function reportPath(name: string, ref: 'latest' | number): string {
  return `${targetPath(name)}/reports/${ref}`;
}

/** `Content-Disposition` file name of a SQL download: `<target>-<id>-<file>.sql`, header-safe. */
export function sqlFileName(target: string, id: number, file: SqlFile): string {
  // Config names are [A-Za-z0-9_.-]; anything else is replaced anyway so a header can never be broken.
  return `${target.replace(/[^A-Za-z0-9_.-]/g, '_')}-${id}-${file}.sql`;
}
