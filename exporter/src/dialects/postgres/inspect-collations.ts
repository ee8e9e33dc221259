/**
 * User-defined collations (`CREATE COLLATION`) of the included schemas. The built-in ones live in `pg_catalog` and
 * extension members are skipped, so only what migrations (or people) created is read.
 *
 * Where the locale lives depends on the version: 13–14 keep an ICU locale in `collcollate`/`collctype`; 15–16 have
 * `colliculocale` (and NULL libc fields for ICU); 17+ rename it `colllocale` (also used by the `builtin` provider).
 */
import type { Collation } from '../../core/model/schema.ts';
import { catalogQuery, commentOf, type InspectContext, notExtensionMember } from './inspect-common.ts';

interface RawCollation {
  schema: string;
  name: string;
  provider: string;
  locale: string | null;
  lc_collate: string | null;
  lc_ctype: string | null;
  deterministic: boolean;
  comment: string | null;
}

const PROVIDERS: Record<string, string> = { c: 'libc', i: 'icu', b: 'builtin', d: 'default' };

/** One query for all collations of the included schemas. */
export async function inspectCollations(ctx: InspectContext): Promise<Collation[]> {
  const rows = await catalogQuery<RawCollation>(ctx, 'collations', collationsSql(ctx.version));
  return rows.map((r) => {
    const provider = PROVIDERS[r.provider] ?? r.provider;
    const libc = provider === 'libc';
    return {
      schema: r.schema,
      name: r.name,
      provider,
      // Before 15 an ICU collation's locale is in the libc fields.
      locale: libc ? null : (r.locale ?? r.lc_collate),
      lcCollate: libc ? r.lc_collate : null,
      lcCtype: libc ? r.lc_ctype : null,
      deterministic: r.deterministic,
      comment: r.comment,
    };
  });
}

function collationsSql(version: number): string {
  const locale = version >= 170000 ? 'c.colllocale::text' : version >= 150000 ? 'c.colliculocale::text' : 'NULL::text';
  return `SELECT n.nspname::text AS schema, c.collname::text AS name, c.collprovider::text AS provider,
       ${locale} AS locale, c.collcollate::text AS lc_collate, c.collctype::text AS lc_ctype,
       c.collisdeterministic AS deterministic, ${commentOf('c.oid', 'pg_catalog.pg_collation')} AS comment
     FROM pg_catalog.pg_collation c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
     WHERE n.nspname = ANY ($1::text[]) AND ${notExtensionMember('pg_catalog.pg_collation', 'c.oid')}
     ORDER BY 1, 2`;
}
