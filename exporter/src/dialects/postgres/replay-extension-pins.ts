/**
 * Which extension versions a migration directory asks for. A replay installs `CREATE EXTENSION x` at whatever version
 * the replay engine (PGlite or the dev server) ships, which is no statement about the version production should
 * run: only a version written in the migrations (`CREATE EXTENSION x VERSION '1.2'`, `ALTER EXTENSION x UPDATE TO
 * '1.3'`) is. Extensions of the replayed snapshot whose version no migration named are marked
 * `versionUnpinned`, and the differ leaves their version out.
 */
import type { SchemaSnapshot } from '../../core/model/schema.ts';
import type { SqlStatement } from './split.ts';

const NAME = String.raw`("(?:[^"]|"")+"|[^\s;"]+)`;
const CREATE = new RegExp(String.raw`^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}([\s\S]*)$`, 'i');
const UPDATE_TO = new RegExp(String.raw`^ALTER\s+EXTENSION\s+${NAME}\s+UPDATE\s+TO\b`, 'i');
const DROP = /^DROP\s+EXTENSION\s+(?:IF\s+EXISTS\s+)?([\s\S]*?)(?:\s+(?:CASCADE|RESTRICT))?$/i;

/** An identifier as PostgreSQL folds it: quoted names kept (with `""` unescaped), bare ones lower-cased. */
function identifier(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replaceAll('""', '"') : token.toLowerCase();
}

/**
 * Names of the extensions whose version the statements pin, in run order: the last statement about an extension
 * decides (a later `DROP EXTENSION` or a `CREATE EXTENSION` without `VERSION` unpins it).
 */
export function pinnedExtensionVersions(statements: Iterable<Pick<SqlStatement, 'sql'>>): Set<string> {
  const pinned = new Set<string>();
  for (const { sql } of statements) {
    const create = CREATE.exec(sql);
    if (create?.[1] !== undefined) {
      const name = identifier(create[1]);
      // Options are `SCHEMA s`, `VERSION v`, `CASCADE` (and the noise word WITH); a schema named "version" is quoted.
      if (/(?:^|\s)VERSION\s/i.test(create[2] ?? '')) pinned.add(name);
      else pinned.delete(name);
      continue;
    }
    const update = UPDATE_TO.exec(sql);
    if (update?.[1] !== undefined) {
      pinned.add(identifier(update[1]));
      continue;
    }
    const drop = DROP.exec(sql);
    if (drop?.[1] !== undefined) for (const token of drop[1].split(',')) pinned.delete(identifier(token.trim()));
  }
  return pinned;
}

/** The replayed snapshot with every extension whose version is not in `pinned` marked `versionUnpinned`. */
export function markUnpinnedExtensions(snapshot: SchemaSnapshot, pinned: ReadonlySet<string>): SchemaSnapshot {
  if (!snapshot.extensions.some((e) => !pinned.has(e.name))) return snapshot;
  return { ...snapshot, extensions: snapshot.extensions.map((e) => (pinned.has(e.name) ? e : { ...e, versionUnpinned: true })) };
}
