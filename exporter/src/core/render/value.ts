/**
 * An attribute's value as a person reads it on one line (the `text` output of `diff`, the `details` of the flat views
 * the panel shows): short, one line, and the shapes people know rendered as they know them — an index's key parts as
 * the SQL list they were written as (`(lower(email), created_at DESC)`), not as JSON.
 */
import type { IndexPart } from '../model/schema.ts';

/** How a value is shown. */
export interface ValueFormat {
  /** Longest text; longer is cut with `…` (the JSON outputs have it whole). */
  readonly maxLength: number;
  /** Strings in JSON quotes (`"text"`, the CLI, where a trailing space must show) or bare (the panel's table). */
  readonly quoteStrings: boolean;
}

/** `value` on one line: `none` for a missing one, index parts as SQL, strings per `format`, the rest as JSON. */
export function formatValue(value: unknown, format: ValueFormat): string {
  if (value === undefined) return 'none';
  let text: string;
  if (isIndexParts(value)) text = `(${value.map(indexPartSql).join(', ')})`;
  else if (typeof value === 'string' && !format.quoteStrings) text = value;
  else text = JSON.stringify(value) ?? String(value);
  // Quoted: JSON's escaped line breaks become spaces. Bare: every run of white space is one space.
  text = format.quoteStrings ? text.replace(/\\n\s*/g, ' ') : text.replace(/\s+/g, ' ').trim();
  return text.length > format.maxLength ? `${text.slice(0, format.maxLength - 1)}…` : text;
}

function isIndexParts(value: unknown): value is IndexPart[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((p) => typeof p === 'object' && p !== null && (typeof p.column === 'string' || typeof p.expression === 'string'))
  );
}

/** One key part as written in `CREATE INDEX`: the column or the expression, then its options. */
function indexPartSql(part: IndexPart): string {
  const key = part.column ?? `(${part.expression})`;
  return [
    part.prefixLength !== undefined ? `${key}(${part.prefixLength})` : key,
    part.collation ? `COLLATE ${part.collation}` : '',
    part.opclass ?? '',
    part.descending ? 'DESC' : '',
    part.nullsFirst === undefined ? '' : part.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST',
  ]
    .filter((s) => s !== '')
    .join(' ');
}
