/**
 * Foreign keys (`KEY_COLUMN_USAGE` and `REFERENTIAL_CONSTRAINTS`, two queries) and check constraints
 * (`CHECK_CONSTRAINTS`, one query whose shape depends on the flavour).
 */
import type { Constraint, ForeignKey, ReferentialAction } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, type InspectContext, pushTo, serverExpression } from './inspect-common.ts';
import { quoteIdent } from './quote.ts';

/** A foreign key or check constraint with the table it belongs to. */
export interface TablePart<T> {
  readonly table: string;
  readonly value: T;
}

interface RawFkColumn {
  table: string;
  name: string;
  column_name: string;
  ref_schema: string;
  ref_table: string;
  ref_column: string;
}

interface RawFkRule {
  table: string;
  name: string;
  update_rule: string;
  delete_rule: string;
}

/**
 * Foreign keys of every table, columns in key order. A referenced table in the inspected database is named with
 * `ctx.schemaName`, so a snapshot of a scratch database reads like one of the live database.
 *
 * Two queries, `KEY_COLUMN_USAGE` (columns) and `REFERENTIAL_CONSTRAINTS` (actions), each filtered by the constant
 * database and joined here: MariaDB pushes that constant only into the first `information_schema` table of a join,
 * so joining them in SQL opened every table of every database and compared the two row sets pairwise (5.6 s at
 * 5,000 tables instead of 0.8 s).
 */
export async function inspectForeignKeys(ctx: InspectContext): Promise<TablePart<ForeignKey>[]> {
  const rows = await catalogQuery<RawFkColumn>(
    ctx,
    'foreign keys',
    `SELECT k.TABLE_NAME AS \`table\`, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
       k.REFERENCED_COLUMN_NAME AS ref_column
     FROM information_schema.KEY_COLUMN_USAGE k
     WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const rules = await catalogQuery<RawFkRule>(
    ctx,
    'foreign key actions',
    `SELECT r.TABLE_NAME AS \`table\`, r.CONSTRAINT_NAME AS name, r.UPDATE_RULE AS update_rule,
       r.DELETE_RULE AS delete_rule
     FROM information_schema.REFERENTIAL_CONSTRAINTS r
     WHERE r.CONSTRAINT_SCHEMA = ?`,
  );
  const ruleOf = new Map(rules.map((r) => [`${r.table}\u0000${r.name}`, r]));
  const byKey = new Map<string, RawFkColumn[]>();
  for (const row of rows) pushTo(byKey, `${row.table}\u0000${row.name}`, row);
  const out: TablePart<ForeignKey>[] = [];
  for (const [key, cols] of byKey) {
    const first = cols[0] as RawFkColumn;
    // A key without actions was dropped between the two queries (the SQL join left it out too).
    const rule = ruleOf.get(key);
    if (rule) out.push({ table: first.table, value: toForeignKey(ctx, first, rule, cols) });
  }
  return out;
}

function toForeignKey(ctx: InspectContext, first: RawFkColumn, rule: RawFkRule, cols: RawFkColumn[]): ForeignKey {
  const sameDatabase = first.ref_schema === ctx.database;
  const refSchema = sameDatabase ? ctx.schemaName : first.ref_schema;
  const columns = cols.map((c) => c.column_name);
  const refColumns = cols.map((c) => c.ref_column);
  const onUpdate = action(rule.update_rule);
  const onDelete = action(rule.delete_rule);
  const refName = sameDatabase ? quoteIdent(first.ref_table) : `${quoteIdent(first.ref_schema)}.${quoteIdent(first.ref_table)}`;
  return {
    name: first.name,
    columns,
    refSchema,
    refTable: first.ref_table,
    refColumns,
    onUpdate,
    onDelete,
    match: 'simple',
    deferrable: false,
    initiallyDeferred: false,
    definition:
      `FOREIGN KEY (${columns.map(quoteIdent).join(', ')}) REFERENCES ${refName} (${refColumns.map(quoteIdent).join(', ')})` +
      ` ON DELETE ${onDelete.toUpperCase()} ON UPDATE ${onUpdate.toUpperCase()}`,
    comment: null,
    attrs: {},
  };
}

const ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  'NO ACTION': 'no action',
  RESTRICT: 'restrict',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
};

function action(rule: string): ReferentialAction {
  // Unknown rules cannot occur on 8.0/10.6+; fall back to the server default instead of inventing one.
  return ACTIONS[rule.toUpperCase()] ?? 'no action';
}

interface RawCheck {
  table: string;
  name: string;
  clause: string;
  level: string | null;
  enforced: string | null;
}

/**
 * Check constraints of every table. MariaDB's `CHECK_CONSTRAINTS` carries `TABLE_NAME` and `LEVEL` (a column-level
 * check is named after its column, e.g. the `json_valid(`doc`)` check of a JSON column: `attrs.level = 'column'`);
 * MySQL 8.0.16+ names the table only in `TABLE_CONSTRAINTS`, which also says whether the check is `ENFORCED`.
 */
export async function inspectChecks(ctx: InspectContext): Promise<TablePart<Constraint>[]> {
  if (!ctx.catalogColumns.has('CHECK_CONSTRAINTS.CHECK_CLAUSE')) return [];
  const mariadbShape = ctx.catalogColumns.has('CHECK_CONSTRAINTS.TABLE_NAME');
  const enforced = ctx.catalogColumns.has('TABLE_CONSTRAINTS.ENFORCED') ? 'tc.ENFORCED' : 'NULL';
  const sql = mariadbShape
    ? `SELECT cc.TABLE_NAME AS \`table\`, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause,
         ${ctx.catalogColumns.has('CHECK_CONSTRAINTS.LEVEL') ? 'cc.LEVEL' : 'NULL'} AS level, NULL AS enforced
       FROM information_schema.CHECK_CONSTRAINTS cc
       WHERE cc.CONSTRAINT_SCHEMA = ?`
    : `SELECT tc.TABLE_NAME AS \`table\`, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause, NULL AS level,
         ${enforced} AS enforced
       FROM information_schema.TABLE_CONSTRAINTS tc
       JOIN information_schema.CHECK_CONSTRAINTS cc
         ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
       WHERE tc.CONSTRAINT_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`;
  const rows = await catalogQuery<RawCheck>(ctx, 'check constraints', sql);
  return rows.map((row) => {
    // MySQL 8 escapes the quotes of the clause (see unescapeMysqlExpression); MariaDB prints it as written.
    const clause = serverExpression(ctx.flavor, row.clause);
    return { table: row.table, value: checkOf(row, clause) };
  });
}

function checkOf(row: RawCheck, clause: string): Constraint {
  return {
    name: row.name,
    kind: 'check',
    columns: [],
    expression: clause,
    definition: `CHECK (${clause})`,
    deferrable: false,
    initiallyDeferred: false,
    comment: null,
    attrs: attrsOf({
      level: row.level?.toLowerCase() === 'column' ? 'column' : undefined,
      enforced: row.enforced === 'NO' ? false : undefined,
    }),
  };
}
