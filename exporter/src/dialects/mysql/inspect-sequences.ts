/**
 * MariaDB sequences (`CREATE SEQUENCE`, 10.3+). `information_schema.TABLES` lists them as `TABLE_TYPE = 'SEQUENCE'`,
 * but their options live only in the sequence itself (MariaDB 10.11 has no `information_schema.SEQUENCES`). They
 * are read with ONE `UNION ALL` query over all sequences: the one place where the inspector writes names into SQL,
 * because identifiers cannot be bind parameters; each is backtick-quoted with backticks doubled.
 */
import type { Sequence } from '../../core/model/schema.ts';
import { catalogQuery, type InspectContext } from './inspect-common.ts';
import { quoteIdent } from './quote.ts';

interface RawSequence {
  name: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: number | string;
}

/** Options of the given sequences (none: no query at all). */
export async function inspectSequences(
  ctx: InspectContext,
  found: readonly { name: string; comment: string | null }[],
): Promise<Sequence[]> {
  if (found.length === 0) return [];
  const names = found.map((s) => s.name);
  const comments = new Map(found.map((s) => [s.name, s.comment]));
  const from = quoteIdent(ctx.database);
  const sql = names
    .map(
      (name) => `SELECT ? AS name, CAST(start_value AS CHAR) AS start, CAST(increment AS CHAR) AS increment,
         CAST(minimum_value AS CHAR) AS min, CAST(maximum_value AS CHAR) AS max, CAST(cache_size AS CHAR) AS cache,
         cycle_option AS cycle FROM ${from}.${quoteIdent(name)}`,
    )
    .join('\nUNION ALL\n');
  const rows = await catalogQuery<RawSequence>(ctx, 'sequences', sql, [...names]);
  return rows.map((row) => ({
    schema: ctx.schemaName,
    name: row.name,
    // MariaDB 10.11 sequences are always BIGINT (11.5 adds `AS <int type>`, not read here).
    type: 'bigint',
    start: row.start,
    increment: row.increment,
    min: row.min,
    max: row.max,
    cache: row.cache,
    cycle: Number(row.cycle) === 1,
    ownedBy: null,
    comment: comments.get(row.name) ?? null,
  }));
}
