/**
 * Stand-alone sequences. Identity sequences are left out: they belong to their column (`Column.identity`).
 */
import type { Sequence } from '../../core/model/schema.ts';
import {
  aclColumn,
  catalogQuery,
  commentOf,
  type InspectContext,
  notExtensionMember,
  ownerColumn,
  qualifiedKey,
} from './inspect-common.ts';

interface RawSequence {
  schema: string;
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  owner_schema: string | null;
  owner_table: string | null;
  owner_column: string | null;
  comment: string | null;
  acl: string[] | null;
  owner: string | null;
}

/** Sequences of the included schemas with their `OWNED BY` column (`pg_depend` deptype 'a'), if any. */
export async function inspectSequences(ctx: InspectContext): Promise<Sequence[]> {
  const rows = await catalogQuery<RawSequence>(
    ctx,
    'sequences',
    `SELECT n.nspname::text AS schema, c.relname::text AS name,
       pg_catalog.format_type(s.seqtypid, NULL)::text AS type, s.seqstart::text AS start,
       s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache,
       s.seqcycle AS cycle,
       tn.nspname::text AS owner_schema, t.relname::text AS owner_table, ta.attname::text AS owner_column,
       ${commentOf('c.oid', 'pg_catalog.pg_class')} AS comment, ${aclColumn('c.relacl', 's', 'c.relowner')} AS acl,
       ${ownerColumn('c.relowner')} AS owner
     FROM pg_catalog.pg_class c
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
     LEFT JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_class'::regclass AND dep.objid = c.oid
       AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjsubid > 0 AND dep.deptype IN ('a', 'i')
     LEFT JOIN pg_catalog.pg_class t ON t.oid = dep.refobjid
     LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
     LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
     WHERE c.relkind = 'S' AND n.nspname = ANY ($1::text[])
       AND (dep.deptype IS NULL OR dep.deptype = 'a')
       AND ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}`,
    [ctx.schemas, ctx.privileges],
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    type: r.type,
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
    ownedBy:
      r.owner_schema !== null && r.owner_table !== null && r.owner_column !== null
        ? `${qualifiedKey(r.owner_schema, r.owner_table)}.${r.owner_column}`
        : null,
    comment: r.comment,
    ...(r.acl ? { acl: r.acl } : {}),
    ...(r.owner ? { owner: r.owner } : {}),
  }));
}
