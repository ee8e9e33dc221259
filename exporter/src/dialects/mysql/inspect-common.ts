/**
 * Shared pieces of the MySQL/MariaDB inspector: the per-inspection context (database, flavour, the
 * `information_schema` columns this server has), the one place catalog queries run (and fail with a message naming
 * the object kind, the database and the target), and small helpers used by every `inspect-*.ts` file.
 */
import { type MysqlFlavor, type MysqlQueryable, toMysqlError } from './connect.ts';

// Every dialect's inspector builds model values the same way; the inspect-*.ts files import them from here.
export { attrsOf, compareText, pushTo, sortByName } from '../../core/model/build-helpers.ts';

/** What every catalog query of one inspection needs. */
export interface InspectContext {
  readonly db: MysqlQueryable;
  readonly flavor: MysqlFlavor;
  readonly major: number;
  readonly minor: number;
  /** The inspected database (the `?` of every query). */
  readonly database: string;
  /** Name the database gets in the snapshot (see `MysqlInspectOptions.schemaName`). */
  readonly schemaName: string;
  /** `TABLE.COLUMN` names of `information_schema` that exist on this server, e.g. `STATISTICS.IS_VISIBLE`. */
  readonly catalogColumns: ReadonlySet<string>;
  /** Record definers (as `owner` / `attrs.definer`). */
  readonly privileges: boolean;
  readonly target?: string;
}

/**
 * Runs one set-based catalog query. A failure becomes a schema-drift error (usually `InspectError`; a timeout stays a
 * `TimeoutError`, a missing privilege an `AuthError`) whose message names what was being inspected.
 */
export async function catalogQuery<R>(
  ctx: Pick<InspectContext, 'db' | 'database' | 'target'>,
  kind: string,
  sql: string,
  params: unknown[] = [ctx.database],
): Promise<R[]> {
  try {
    return (await ctx.db.query<R>(sql, params)).rows;
  } catch (err) {
    const on = ctx.target ? ` on target ${JSON.stringify(ctx.target)}` : '';
    throw toMysqlError(err, { target: ctx.target, action: `inspecting ${kind} of database "${ctx.database}"${on}` });
  }
}

/**
 * SQL for an `information_schema` column that not every server has: the column itself when it exists here, else
 * `fallback` (a constant of our code). Keeps one query text per object kind for MySQL 8.0/8.4 and MariaDB 10.6+.
 */
export function optionalColumn(ctx: InspectContext, table: string, column: string, alias: string, fallback = 'NULL'): string {
  return ctx.catalogColumns.has(`${table}.${column}`) ? `${alias}.${column}` : fallback;
}

/** Empty text is how `information_schema` says "none" for comments; the model says `null`. */
export function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text === '' ? null : text;
}

/**
 * Undoes the extra level of escaping MySQL 8.0/8.4 applies to the SQL expressions it stores in the data dictionary and
 * shows in `information_schema` (`CHECK_CONSTRAINTS.CHECK_CLAUSE`, `COLUMNS.GENERATION_EXPRESSION`,
 * `STATISTICS.EXPRESSION`, and `COLUMNS.COLUMN_DEFAULT` of a `DEFAULT_GENERATED` column): every `'` is printed `\'`
 * and every `\` as `\\`, e.g. `concat(_utf8mb4\'a\',c)` for `concat(_utf8mb4'a',c)`. `SHOW CREATE TABLE` prints
 * the same expressions without it. Only those two pairs are decoded, left to right, so `\\\'` (an escaped quote
 * inside a literal, `'\''`) becomes `\'`. MariaDB does not escape: never call this for MariaDB text.
 */
export function unescapeMysqlExpression(text: string): string {
  return text.replace(/\\(['\\])/g, '$1');
}

/** A server-printed expression as valid SQL: {@link unescapeMysqlExpression} on MySQL, unchanged on MariaDB. */
export function serverExpression(flavor: MysqlFlavor, text: string): string {
  return flavor === 'mysql' ? unescapeMysqlExpression(text) : text;
}

/** `YES`/`NO` (and MySQL's `1`/`0`) as a boolean. */
export function yes(value: unknown): boolean {
  return value === 'YES' || value === 1 || value === '1' || value === true;
}
