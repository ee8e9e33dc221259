/**
 * The exporter's one-line `details` ("type: expected character varying(320), actual text; nullable: expected false,
 * actual true", docs/report-format.md) split back into attribute rows for the drawer and tooltips.
 */

/** One differing attribute. */
export interface AttributeDiff {
  name: string;
  expected: string;
  actual: string;
}

const ATTRIBUTE = /^([^:]+): expected (.*), actual (.*)$/s;

/**
 * Attribute rows of a `details` string; a part that does not read as `name: expected X, actual Y` is returned with
 * the whole part as `expected` and an empty `actual`, so nothing the exporter said is lost.
 */
export function parseDetails(details: string): AttributeDiff[] {
  if (!details.trim()) return [];
  return details.split('; ').map((part) => {
    const match = ATTRIBUTE.exec(part);
    if (!match) return { name: '', expected: part, actual: '' };
    return { name: match[1]?.trim() ?? '', expected: match[2] ?? '', actual: match[3] ?? '' };
  });
}
