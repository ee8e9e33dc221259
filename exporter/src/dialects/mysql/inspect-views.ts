/**
 * Views from `information_schema.VIEWS` (one query). Their columns come from the columns query
 * (`inspect-tables.ts`), their dependencies from the definition itself: the server writes every table reference as
 * `` `database`.`name` ``, which works the same on MySQL and MariaDB (MariaDB has no `VIEW_TABLE_USAGE`).
 */
import type { Attrs } from '../../core/model/schema.ts';
import { attrsOf, catalogQuery, compareText, type InspectContext } from './inspect-common.ts';

/** A view row before its columns are attached. */
export interface ViewRow {
  readonly name: string;
  /** The SELECT with the inspected database's own qualifier removed. */
  readonly definition: string;
  readonly dependsOn: string[];
  readonly owner?: string;
  readonly attrs: Attrs;
}

interface RawView {
  name: string;
  definition: string | null;
  check_option: string | null;
  security_type: string | null;
  algorithm: string | null;
  definer: string | null;
}

/**
 * Views of the database. `attrs`: `checkOption` (`CASCADED`/`LOCAL`, absent for NONE), `securityType`
 * (`DEFINER`/`INVOKER`), and on MariaDB `algorithm` (`UNDEFINED`/`MERGE`/`TEMPTABLE`); MySQL does not expose the
 * algorithm in `information_schema` (only `SHOW CREATE VIEW` has it), so it is absent there.
 *
 * `knownNames` are the database's tables and views: references to them become dependencies `schemaName.name`.
 */
export async function inspectViews(ctx: InspectContext, knownNames: ReadonlySet<string>): Promise<ViewRow[]> {
  const rows = await catalogQuery<RawView>(
    ctx,
    'views',
    `SELECT v.TABLE_NAME AS name, v.VIEW_DEFINITION AS definition, v.CHECK_OPTION AS check_option,
       v.SECURITY_TYPE AS security_type, ${ctx.catalogColumns.has('VIEWS.ALGORITHM') ? 'v.ALGORITHM' : 'NULL'} AS algorithm,
       v.DEFINER AS definer
     FROM information_schema.VIEWS v
     WHERE v.TABLE_SCHEMA = ?`,
  );
  return rows.map((row) => {
    const raw = row.definition ?? '';
    return {
      name: row.name,
      definition: stripOwnQualifier(raw, ctx.database),
      dependsOn: viewDependencies(raw, ctx, knownNames),
      ...(ctx.privileges && row.definer ? { owner: row.definer } : {}),
      attrs: attrsOf({
        checkOption: row.check_option && row.check_option !== 'NONE' ? row.check_option : undefined,
        securityType: row.security_type ?? undefined,
        algorithm: row.algorithm ?? undefined,
      }),
    };
  });
}

/**
 * Removes `` `database`. `` qualifiers of the inspected database from a server-written definition, so the same view
 * reads alike in the live database and in a scratch database with another name. Other databases stay qualified.
 */
export function stripOwnQualifier(definition: string, database: string): string {
  const quoted = `\`${database.replaceAll('`', '``')}\`.`;
  return definition.split(quoted).join('');
}

const QUALIFIED = /`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`(?!\.`)/g;

/** Tables and views of the inspected database a view reads, as sorted `schemaName.name`. */
function viewDependencies(definition: string, ctx: InspectContext, knownNames: ReadonlySet<string>): string[] {
  const deps = new Set<string>();
  for (const m of definition.matchAll(QUALIFIED)) {
    const schema = (m[1] ?? '').replaceAll('``', '`');
    const name = (m[2] ?? '').replaceAll('``', '`');
    // Only the own database: elsewhere `alias`.`column` looks the same as `database`.`table`.
    if (schema === ctx.database && knownNames.has(name)) deps.add(`${ctx.schemaName}.${name}`);
  }
  return [...deps].sort(compareText);
}
