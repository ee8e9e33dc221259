/**
 * Tables (with their partitioning) and the columns of tables and views, each read with one `information_schema`
 * query for the whole database.
 */
import type { Attrs, Column, ColumnType, JsonValue } from '../../core/model/schema.ts';
import {
  attrsOf,
  catalogQuery,
  type InspectContext,
  nonEmpty,
  optionalColumn,
  pushTo,
  serverExpression,
  yes,
} from './inspect-common.ts';
import type { MysqlFlavor } from './connect.ts';
import { stripOwnQualifier } from './inspect-views.ts';

/** A table row before its parts are attached. */
export interface TableRow {
  readonly name: string;
  readonly comment: string | null;
  /** Default character set and collation of the table (what its text columns inherit). */
  readonly charset: string | null;
  readonly collation: string | null;
  /** `CREATE_OPTIONS` says `partitioned`. */
  readonly partitioned: boolean;
  readonly attrs: Attrs;
}

interface RawTable {
  name: string;
  type: string;
  engine: string | null;
  collation: string | null;
  create_options: string | null;
  comment: string | null;
}

/** Base tables (MariaDB: also system-versioned ones) and MariaDB sequences, which `TABLES` lists as well. */
export async function inspectTables(
  ctx: InspectContext,
): Promise<{ tables: TableRow[]; sequences: { name: string; comment: string | null }[] }> {
  const rows = await catalogQuery<RawTable>(
    ctx,
    'tables',
    `SELECT t.TABLE_NAME AS name, t.TABLE_TYPE AS type, t.ENGINE AS engine, t.TABLE_COLLATION AS collation,
       t.CREATE_OPTIONS AS create_options, t.TABLE_COMMENT AS comment
     FROM information_schema.TABLES t
     WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE NOT IN ('VIEW', 'SYSTEM VIEW')`,
  );
  const charsets = await readCollationCharsets(ctx);
  const tables: TableRow[] = [];
  const sequences: { name: string; comment: string | null }[] = [];
  for (const row of rows) {
    if (row.type === 'SEQUENCE') sequences.push({ name: row.name, comment: nonEmpty(row.comment) });
    else tables.push(toTableRow(row, row.collation === null ? null : (charsets.get(row.collation) ?? null)));
  }
  return { tables, sequences };
}

/**
 * Character set of every collation the server knows. Read on its own rather than joined to `TABLES`: MariaDB joins two
 * `information_schema` tables by comparing every row of one with every row of the other (a few hundred collations
 * times the tables).
 */
async function readCollationCharsets(ctx: InspectContext): Promise<Map<string, string>> {
  const rows = await catalogQuery<{ name: string; charset: string | null }>(
    ctx,
    'collations',
    'SELECT COLLATION_NAME AS name, CHARACTER_SET_NAME AS charset FROM information_schema.COLLATIONS',
    [],
  );
  const out = new Map<string, string>();
  for (const row of rows) if (row.charset !== null) out.set(row.name, row.charset);
  return out;
}

function toTableRow(row: RawTable, collationCharset: string | null): TableRow {
  const options = parseCreateOptions(row.create_options);
  const rowFormat = options.row_format;
  delete options.row_format;
  const charset = collationCharset ?? charsetOfCollation(row.collation);
  return {
    name: row.name,
    comment: nonEmpty(row.comment),
    charset,
    collation: row.collation,
    partitioned: /(^|\s)partitioned(\s|$)/i.test(row.create_options ?? ''),
    attrs: attrsOf({
      engine: row.engine,
      charset,
      collation: row.collation,
      // Only an explicit ROW_FORMAT appears in CREATE_OPTIONS; ROW_FORMAT itself is the engine's default and noise.
      rowFormat: rowFormat?.toUpperCase(),
      systemVersioned: row.type === 'SYSTEM VERSIONED' ? true : undefined,
      options: Object.keys(options).length ? options : undefined,
    }),
  };
}

/**
 * Parses `CREATE_OPTIONS` (`row_format=DYNAMIC stats_persistent=1 partitioned`, MariaDB `` `encrypted`=yes ``,
 * MySQL `ENCRYPTION='Y'`) into lower-case keys with unquoted values, sorted. The bare `partitioned` flag is left out:
 * the partitioning itself is read from `PARTITIONS`.
 */
export function parseCreateOptions(text: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of (text ?? '').split(/\s+/).filter(Boolean).sort()) {
    const eq = token.indexOf('=');
    if (eq < 0) {
      if (token.toLowerCase() !== 'partitioned') out[unquote(token).toLowerCase()] = 'true';
      continue;
    }
    out[unquote(token.slice(0, eq)).toLowerCase()] = unquote(token.slice(eq + 1));
  }
  return out;
}

function unquote(text: string): string {
  return text.replace(/^[`'"](.*)[`'"]$/, '$1');
}

/** Character set of a collation by its name prefix (`latin1_swedish_ci` → `latin1`), when `COLLATIONS` has no row. */
function charsetOfCollation(collation: string | null): string | null {
  if (!collation) return null;
  return collation === 'binary' ? 'binary' : (collation.split('_')[0] ?? null);
}

interface RawPartition {
  table: string;
  name: string;
  sub: string | null;
  method: string | null;
  sub_method: string | null;
  expr: string | null;
  sub_expr: string | null;
  description: string | null;
  comment: string | null;
}

/**
 * Partitioning of every partitioned table, keyed by table name: `{ method, expression, subMethod?, subExpression?,
 * partitions: [{ name, description, comment?, subpartitions? }] }` in partition order.
 *
 * On MariaDB, no query when no table of `tables` says `partitioned` in `CREATE_OPTIONS` (the MariaDB manual's
 * marker): MariaDB answers `PARTITIONS` by opening every table of the database (0.45 s at 5,000 tables for nothing).
 * MySQL 8 answers it from the indexed data dictionary, so it is always asked there.
 */
export async function inspectPartitions(ctx: InspectContext, tables: readonly TableRow[]): Promise<Map<string, JsonValue>> {
  if (ctx.flavor === 'mariadb' && !tables.some((t) => t.partitioned)) return new Map();
  const rows = await catalogQuery<RawPartition>(
    ctx,
    'partitions',
    `SELECT TABLE_NAME AS \`table\`, PARTITION_NAME AS name, SUBPARTITION_NAME AS sub, PARTITION_METHOD AS method,
       SUBPARTITION_METHOD AS sub_method, PARTITION_EXPRESSION AS expr, SUBPARTITION_EXPRESSION AS sub_expr,
       PARTITION_DESCRIPTION AS description, PARTITION_COMMENT AS comment
     FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL
     ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION`,
  );
  const byTable = new Map<string, RawPartition[]>();
  for (const row of rows) pushTo(byTable, row.table, row);
  const out = new Map<string, JsonValue>();
  for (const [table, parts] of byTable) out.set(table, partitioningOf(parts));
  return out;
}

function partitioningOf(rows: RawPartition[]): JsonValue {
  const first = rows[0];
  const partitions: { [key: string]: JsonValue }[] = [];
  let current: { [key: string]: JsonValue } | undefined;
  for (const row of rows) {
    if (!current || current.name !== row.name) {
      current = { name: row.name, description: row.description, ...(nonEmpty(row.comment) ? { comment: row.comment } : {}) };
      partitions.push(current);
    }
    if (row.sub !== null) ((current.subpartitions ??= []) as JsonValue[]).push(row.sub);
  }
  return {
    method: first?.method ?? null,
    expression: first?.expr ?? null,
    ...(first?.sub_method ? { subMethod: first.sub_method, subExpression: first.sub_expr } : {}),
    partitions,
  };
}

/** A column with the table or view it belongs to. */
export interface ColumnRow {
  readonly table: string;
  readonly column: Column;
}

interface RawColumn {
  table: string;
  name: string;
  position: number;
  def: string | null;
  nullable: string;
  data_type: string;
  column_type: string;
  charset: string | null;
  collation: string | null;
  extra: string | null;
  gen: string | null;
  comment: string | null;
  srs_id: number | null;
}

/**
 * Columns of every table and view. `tables` gives each table's default charset/collation: a column's own collation
 * (and `attrs.charset`) is recorded only when it differs, because inherited values are noise in a diff.
 */
export async function inspectColumns(ctx: InspectContext, tables: readonly TableRow[]): Promise<ColumnRow[]> {
  const rows = await catalogQuery<RawColumn>(
    ctx,
    'columns',
    `SELECT c.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS name, c.ORDINAL_POSITION AS position, c.COLUMN_DEFAULT AS def,
       c.IS_NULLABLE AS nullable, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type,
       c.CHARACTER_SET_NAME AS charset, c.COLLATION_NAME AS collation, c.EXTRA AS extra,
       c.GENERATION_EXPRESSION AS gen, c.COLUMN_COMMENT AS comment,
       ${optionalColumn(ctx, 'COLUMNS', 'SRS_ID', 'c')} AS srs_id
     FROM information_schema.COLUMNS c
     WHERE c.TABLE_SCHEMA = ?
     ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
  );
  const inherited = new Map(tables.map((t) => [t.name, t]));
  return rows.map((row) => ({ table: row.table, column: toColumn(row, inherited.get(row.table), ctx.database, ctx.flavor) }));
}

/** What `COLUMNS.EXTRA` says about a column (MySQL 8 and MariaDB 10.6+ spellings). */
export interface ColumnExtra {
  /** `VIRTUAL GENERATED`, `STORED GENERATED` (MariaDB also `PERSISTENT GENERATED`). */
  readonly generated: 'virtual' | 'stored' | null;
  /** `on update CURRENT_TIMESTAMP[(fsp)]`, MariaDB `on update current_timestamp([fsp])`. */
  readonly onUpdate: string | undefined;
  readonly autoIncrement: boolean;
  /** MySQL 8.0.13+: the default is an expression (`CURRENT_TIMESTAMP` included). */
  readonly defaultGenerated: boolean;
  /** MySQL 8.0.23+ and MariaDB 10.3+: `INVISIBLE`. */
  readonly invisible: boolean;
}

/**
 * Parses `COLUMNS.EXTRA`. MySQL 8 combines words, e.g. `DEFAULT_GENERATED on update CURRENT_TIMESTAMP` or
 * `auto_increment INVISIBLE`, so each marker is looked for on its own.
 */
export function parseColumnExtra(extra: string | null): ColumnExtra {
  const text = extra ?? '';
  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.exec(text)?.[1]?.toUpperCase();
  return {
    generated: generated === undefined ? null : generated === 'VIRTUAL' ? 'virtual' : 'stored',
    onUpdate: /\bon update (\S+)/i.exec(text)?.[1],
    autoIncrement: /\bauto_increment\b/i.test(text),
    defaultGenerated: /\bDEFAULT_GENERATED\b/i.test(text),
    invisible: /\bINVISIBLE\b/i.test(text),
  };
}

/**
 * `COLUMN_DEFAULT` as SQL text: MySQL escapes the quotes of an expression default (`DEFAULT_GENERATED`) like its other
 * stored expressions, never those of a literal (`a'b` is printed as is).
 */
function columnDefault(row: RawColumn, extra: ColumnExtra, database: string, flavor: MysqlFlavor): string | null {
  if (extra.generated || row.def === null) return null;
  const text = extra.defaultGenerated ? serverExpression(flavor, row.def) : row.def;
  return stripOwnQualifier(text, database);
}

function toColumn(row: RawColumn, table: TableRow | undefined, database: string, flavor: MysqlFlavor): Column {
  const extra = parseColumnExtra(row.extra);
  const ownCollation = row.collation !== null && row.collation !== table?.collation ? row.collation : null;
  const ownCharset = row.charset !== null && row.charset !== table?.charset ? row.charset : undefined;
  return {
    name: row.name,
    position: Number(row.position),
    type: columnType(row),
    nullable: yes(row.nullable),
    // Raw: MariaDB quotes string literals and says `NULL` as text, MySQL does neither; the hooks normalise.
    // MariaDB qualifies a sequence in a default with the database (`nextval(`db`.`seq`)`): dropped like a view's.
    default: columnDefault(row, extra, database, flavor),
    collation: ownCollation,
    identity: extra.autoIncrement ? { generation: 'auto_increment' } : null,
    generated: extra.generated
      ? { expression: stripOwnQualifier(serverExpression(flavor, row.gen ?? ''), database), kind: extra.generated }
      : null,
    comment: nonEmpty(row.comment),
    attrs: attrsOf({
      charset: ownCharset,
      onUpdate: extra.onUpdate,
      // MySQL 8 marks expression defaults; MariaDB has no marker (its literals are quoted instead).
      defaultGenerated: extra.defaultGenerated ? true : undefined,
      invisible: extra.invisible ? true : undefined,
      values: enumValues(row.data_type, row.column_type),
      srid: row.srs_id ?? undefined,
    }),
  };
}

function columnType(row: RawColumn): ColumnType {
  const base = row.data_type.toLowerCase();
  return { raw: row.column_type, base, category: base === 'enum' || base === 'set' ? 'enum' : 'builtin' };
}

/** Labels of an `enum(...)`/`set(...)` type, unescaped (`'it''s'` → `it's`). */
export function enumValues(dataType: string, columnType: string): string[] | undefined {
  const base = dataType.toLowerCase();
  if (base !== 'enum' && base !== 'set') return undefined;
  const values: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let m = re.exec(columnType); m; m = re.exec(columnType)) {
    values.push((m[1] ?? '').replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  }
  return values;
}
