/**
 * MySQL and MariaDB noise normalisation for the differ: the server's own spellings are not drift.
 *
 * Per value (the differ calls these for each compared field):
 * - types ({@link normalizeType}, `hooks-types.ts`): display widths (`int(11)` = `int`, also `tinyint(1)` =
 *   `tinyint`), ZEROFILL implying UNSIGNED, aliases (`integer`, `bool`, `numeric`, `character varying`, `serial`),
 *   default modifiers (`decimal` = `decimal(10,0)`, `datetime(0)` = `datetime`);
 * - defaults ({@link normalizeDefault}): MariaDB 10.2.7+ quotes string defaults (`'abc'`) and prints `NULL` as text,
 *   MySQL does neither; `current_timestamp()` = `CURRENT_TIMESTAMP` = `now()`; quoted numbers on numeric columns;
 *   expression defaults compared as expressions;
 * - expressions ({@link normalizeExpression}, `hooks-sql.ts`): case, blanks, backticks, charset introducers, the
 *   parentheses MySQL 8 puts around a whole check clause, the escaped quotes of MySQL 8's `CHECK_CLAUSE`;
 * - view queries ({@link normalizeViewDefinition}): the view's own database qualifier (`` `app`.`t`.`id` `` = `t.id`),
 *   since the replay database and the live one have different names;
 * - collations ({@link normalizeCollation}): `utf8_*` = `utf8mb3_*`, case.
 *
 * Per snapshot pair ({@link normalizeMysqlSnapshots}, `hooks-snapshot.ts`): collation inherited from the table,
 * MariaDB's JSON as LONGTEXT + `json_valid`, AUTO_INCREMENT counters and other counters in `attrs`, `no action` =
 * `restrict`, and server-generated names of foreign keys, checks and indexes.
 */
import type { DiffHooks } from '../../core/diff/options.ts';
import type { Column, View } from '../../core/model/schema.ts';
import { canonicalLiteral, literalValue, normalizeExpression } from './hooks-sql.ts';
import { normalizeCollationName, normalizeMysqlSnapshots } from './hooks-snapshot.ts';
import { normalizeType, typeClass } from './hooks-types.ts';

export { normalizeExpression } from './hooks-sql.ts';
export { normalizeType } from './hooks-types.ts';
export { normalizeMysqlSnapshots } from './hooks-snapshot.ts';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const NOW_LIKE = /^(?:current_timestamp|now|localtime|localtimestamp|curdate|current_date|curtime|current_time)\b/i;

/** A number in one spelling: no leading `+`, no leading zeros (`1.50` keeps its scale: the server prints the scale). */
function canonicalNumber(text: string): string {
  let t = text.trim().replace(/^\+/, '');
  const negative = t.startsWith('-');
  if (negative) t = t.slice(1);
  t = t.replace(/^0+(?=\d)/, '');
  return negative && !/^0*\.?0*$/.test(t) ? `-${t}` : t;
}

/** True when MySQL's unquoted `COLUMN_DEFAULT` text is an expression rather than a literal. */
function looksLikeExpression(text: string, column: Column): boolean {
  if (column.attrs?.defaultExpression === true || column.attrs?.defaultGenerated === true) return true;
  return text.startsWith('(') || NOW_LIKE.test(text) || /^[a-z_][a-z0-9_]*\s*\(/i.test(text) || /^b'[01]*'$/i.test(text) || /^0x[0-9a-f]+$/i.test(text);
}

/**
 * Normalises a column default to one spelling: `null` for none (also MariaDB's `NULL` text); a literal as a
 * canonical quoted string, or a bare number on numeric columns (`'5'` = `5`); `true`/`false` as `1`/`0` on numeric
 * columns; anything else as an expression (`current_timestamp()` = `CURRENT_TIMESTAMP`, `(1 + 2)` = `1+2`).
 * MySQL's unquoted literal (`abc` on a varchar) and MariaDB's quoted one (`'abc'`) read the same. Not normalised: a
 * changed value, including `1.5` vs `1.50` (the server prints the column's scale on both sides).
 */
export function normalizeDefault(column: Column, _schemaOf?: string): string | null {
  const raw = column.default;
  if (raw === null) return null;
  const text = raw.trim();
  if (/^null$/i.test(text)) return null;
  const kind = typeClass(column.type.raw);
  const numeric = kind === 'integer' || kind === 'number';
  const literal = literalValue(text);
  if (literal !== null) return numeric && NUMBER.test(literal.trim()) ? canonicalNumber(literal) : canonicalLiteral(literal);
  if (numeric && NUMBER.test(text)) return canonicalNumber(text);
  if (numeric && /^(true|false)$/i.test(text)) return /^true$/i.test(text) ? '1' : '0';
  if (looksLikeExpression(text, column) || numeric || kind === 'bit' || kind === 'other') return normalizeExpression(text);
  // MySQL prints a string or temporal literal default without quotes.
  return canonicalLiteral(text);
}

/**
 * Normalises a view's query: the view's own database qualifier dropped (`` `app`.`orders`.`id` `` reads
 * `orders.id`), so a view replayed into a scratch database matches the live one; then {@link normalizeExpression}.
 * A qualifier naming another database is kept: that is a real reference.
 */
export function normalizeViewDefinition(view: View): string {
  const own = `\`${view.schema.replaceAll('`', '``')}\`.`;
  const scratch = typeof view.attrs.database === 'string' ? `\`${view.attrs.database.replaceAll('`', '``')}\`.` : own;
  return normalizeExpression(view.definition.split(own).join('').split(scratch).join(''));
}

/** Collation names compared case-insensitively, `utf8_*` as `utf8mb3_*`. */
export function normalizeCollation(collation: string | null): string | null {
  return normalizeCollationName(collation);
}

/** The MySQL/MariaDB dialect hooks of the differ. */
export const mysqlHooks: DiffHooks = {
  dialect: 'mysql',
  normalizeExpression,
  normalizeType,
  normalizeDefault,
  normalizeViewDefinition,
  normalizeCollation,
  normalizeSnapshots: normalizeMysqlSnapshots,
};
