/**
 * Quoting of PostgreSQL identifiers and literals, with the same rules as the server's `quote_ident` and
 * `quote_literal`, so names we render read exactly like the ones `pg_get_*def` returns.
 */

/**
 * Keywords that `quote_ident` quotes: every keyword that is not "unreserved" in PostgreSQL (reserved,
 * type/function-name and column-name keywords; see the "SQL Key Words" appendix and `kwlist.h`).
 */
const QUOTED_KEYWORDS: ReadonlySet<string> = new Set([
  // reserved
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where',
  'window', 'with',
  // reserved (can be function or type name)
  'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike',
  'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar',
  'tablesample', 'verbose',
  // non-reserved (cannot be function or type name)
  'between', 'bigint', 'bit', 'boolean', 'char', 'character', 'coalesce', 'dec', 'decimal', 'exists', 'extract',
  'float', 'greatest', 'grouping', 'inout', 'int', 'integer', 'interval', 'json_array', 'json_arrayagg',
  'json_object', 'json_objectagg', 'least', 'national', 'nchar', 'none', 'normalize', 'nullif', 'numeric', 'out',
  'overlay', 'position', 'precision', 'real', 'row', 'setof', 'smallint', 'substring', 'time', 'timestamp', 'treat',
  'trim', 'values', 'varchar', 'xmlattributes', 'xmlconcat', 'xmlelement', 'xmlexists', 'xmlforest',
  'xmlnamespaces', 'xmlparse', 'xmlpi', 'xmlroot', 'xmlserialize', 'xmltable',
]);

const SIMPLE_IDENT = /^[a-z_][a-z0-9_]*$/;

/** Quotes an identifier only when needed (upper case, special characters, leading digit, or a keyword). */
export function quoteIdent(name: string): string {
  if (SIMPLE_IDENT.test(name) && !QUOTED_KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, each part quoted only when needed. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A string literal for a server with `standard_conforming_strings = on` (the default since 9.1): only single quotes
 * are doubled; backslashes are ordinary characters, so no `E''` form is needed.
 */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
