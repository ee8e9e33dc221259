/** Triggers from `information_schema.TRIGGERS` (one query). */
import type { Trigger } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, type InspectContext } from './inspect-common.ts';
import { quoteIdent } from './quote.ts';
import type { TablePart } from './inspect-constraints.ts';

interface RawTrigger {
  table: string;
  name: string;
  event: string;
  timing: string;
  action_order: number;
  statement: string;
  sql_mode: string | null;
  definer: string | null;
}

/**
 * Triggers of every table. `definition` is `CREATE TRIGGER name timing event ON table FOR EACH ROW statement`
 * (without DEFINER and without FOLLOWS/PRECEDES); `attrs` hold `timing`, `event`, `statement`, `order` (1-based
 * position among the table's triggers of the same timing and event, what FOLLOWS/PRECEDES set), `sqlMode` (the
 * session's sql_mode at creation: informational, it differs by client) and, with privileges, `definer`.
 */
export async function inspectTriggers(ctx: InspectContext): Promise<TablePart<Trigger>[]> {
  const rows = await catalogQuery<RawTrigger>(
    ctx,
    'triggers',
    `SELECT EVENT_OBJECT_TABLE AS \`table\`, TRIGGER_NAME AS name, EVENT_MANIPULATION AS event,
       ACTION_TIMING AS timing, ACTION_ORDER AS action_order, ACTION_STATEMENT AS statement, SQL_MODE AS sql_mode,
       DEFINER AS definer
     FROM information_schema.TRIGGERS
     WHERE EVENT_OBJECT_SCHEMA = ? AND TRIGGER_SCHEMA = ?`,
    // A constant `EVENT_OBJECT_SCHEMA` is what MariaDB pushes down to open one database's tables only; with
    // `TRIGGER_SCHEMA = ? AND EVENT_OBJECT_SCHEMA = TRIGGER_SCHEMA` it read the triggers of every database.
    [ctx.database, ctx.database],
  );
  return rows.map((row) => ({
    table: row.table,
    value: {
      name: row.name,
      definition: `CREATE TRIGGER ${quoteIdent(row.name)} ${row.timing} ${row.event} ON ${quoteIdent(row.table)} FOR EACH ROW ${row.statement}`,
      comment: null,
      attrs: attrsOf({
        timing: row.timing,
        event: row.event,
        statement: row.statement,
        order: Number(row.action_order),
        sqlMode: row.sql_mode ?? undefined,
        definer: ctx.privileges ? (row.definer ?? undefined) : undefined,
      }),
    },
  }));
}
