/**
 * The objects a migration script creates or redefines, read from its `CREATE` statements without parsing SQL: what a
 * check leaves out of the comparison while a changed re-runnable migration (a Flyway repeatable) is pending. Its new
 * text is not deployed, and its deployed text is not kept anywhere we can read, so neither version of what it defines
 * can be compared; everything else still is.
 *
 * Names are taken unqualified (a schema-qualified `reporting.v` leaves out every view `v`), unquoted as written and
 * also lower-cased, so both PostgreSQL's folding and MySQL's case-sensitive names are covered: leaving out one object
 * too many is a smaller harm than a pending migration reported as drift.
 */
import type { FilterKind } from '../core/diff/filter.ts';

const KINDS: Readonly<Record<string, FilterKind>> = {
  VIEW: 'view',
  FUNCTION: 'routine',
  PROCEDURE: 'routine',
  AGGREGATE: 'routine',
  TRIGGER: 'trigger',
  TABLE: 'table',
  TYPE: 'type',
  DOMAIN: 'type',
  SEQUENCE: 'sequence',
  INDEX: 'index',
  POLICY: 'policy',
  EVENT: 'event',
};

const PART = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|[\p{L}_][\p{L}\p{N}_$]*)`;
/** CREATE, its modifiers in any order (PostgreSQL's and MySQL's), the object kind, IF NOT EXISTS, the name. */
const CREATE = new RegExp(
  String.raw`\bCREATE\s+(?:(?:OR\s+REPLACE|TEMP(?:ORARY)?|UNLOGGED|RECURSIVE|MATERIALIZED|CONSTRAINT|UNIQUE|` +
    String.raw`DEFINER\s*=\s*\S+|ALGORITHM\s*=\s*\w+|SQL\s+SECURITY\s+\w+)\s+)*` +
    String.raw`(VIEW|FUNCTION|PROCEDURE|AGGREGATE|TRIGGER|TABLE|TYPE|DOMAIN|SEQUENCE|INDEX|POLICY|EVENT)\s+` +
    String.raw`(?:IF\s+NOT\s+EXISTS\s+)?(?:CONCURRENTLY\s+)?(${PART}(?:\s*\.\s*${PART})*)`,
  'giu',
);

/** Exclude globs, per filter kind, for every object `sql` creates or redefines. */
export function definedObjects(sql: string): Partial<Record<FilterKind, string[]>> {
  const found = new Map<FilterKind, Set<string>>();
  for (const match of withoutLiterals(sql).matchAll(CREATE)) {
    const kind = KINDS[(match[1] as string).toUpperCase()] as FilterKind;
    const parts = (match[2] as string).split(new RegExp(String.raw`\s*\.\s*(?=${PART}$)`, 'u'));
    const name = unquote((parts.at(-1) as string).trim());
    const names = found.get(kind) ?? new Set<string>();
    names.add(escapeGlob(name.text));
    if (!name.quoted) names.add(escapeGlob(name.text.toLowerCase()));
    found.set(kind, names);
  }
  return Object.fromEntries([...found].map(([kind, names]) => [kind, [...names]]));
}

function unquote(part: string): { text: string; quoted: boolean } {
  if (part.startsWith('"')) return { text: part.slice(1, -1).replaceAll('""', '"'), quoted: true };
  if (part.startsWith('`')) return { text: part.slice(1, -1).replaceAll('``', '`'), quoted: true };
  return { text: part, quoted: false };
}

/** picomatch reads these characters as patterns; a name is matched as written. */
function escapeGlob(name: string): string {
  return name.replace(/[\\*?[\]{}()!+@|]/g, (c) => `\\${c}`);
}

/**
 * `sql` with comments, string literals and dollar-quoted bodies blanked, so that a commented-out CREATE, one in a
 * string or one a function body runs does not count.
 */
function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|\$([\p{L}_]*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\//gu, ' ');
}
