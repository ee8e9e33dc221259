/**
 * Quoting of MySQL/MariaDB identifiers and string literals for the SQL the planner renders.
 *
 * Identifiers are always backtick-quoted, as `SHOW CREATE TABLE` prints them: it is deterministic and no keyword list
 * has to be kept in step with two server families.
 */

/** `` `name` `` with embedded backticks doubled. */
export function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** `` `schema`.`name` `` (used only where a statement must name another database). */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A string literal for the default SQL mode (backslash escapes on, as on every stock MySQL and MariaDB server):
 * backslashes and single quotes are doubled. Under `NO_BACKSLASH_ESCAPES` a literal holding a backslash would read
 * two of them; such a server is rare and the planner does not try to detect it.
 */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
