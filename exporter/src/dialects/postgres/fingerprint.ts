/**
 * The PostgreSQL schema fingerprint the watch reads (`agent/watch.ts`): one read-only catalog query that changes with
 * every DDL statement on the checked schemas and with nothing else.
 *
 * Every DDL statement writes new row versions into the system catalogs, and a new row version has a new `xmin` (the
 * writing transaction's id). So per catalog, over the rows of the checked schemas, `count(*)` and `sum(xmin)` change
 * when rows are added, dropped or rewritten. What does not write new row versions does not change them:
 * - `VACUUM`, `ANALYZE` and autovacuum update `pg_class.relpages`, `reltuples`, `relallvisible`, `relfrozenxid` in
 *   place (`heap_inplace_update`), and statistics go to `pg_statistic`, which is not read;
 * - freezing (`VACUUM FREEZE`, anti-wraparound autovacuum) sets hint bits and keeps the raw `xmin`, which is what the
 *   `xmin` column shows (PostgreSQL 9.4 and later);
 * - ordinary writes touch no catalog; `nextval` changes the sequence relation, not `pg_sequence`.
 * `pg_class` itself is different: `TRUNCATE`, `VACUUM FULL`, `CLUSTER` and `REINDEX` give a relation a new
 * `relfilenode` by a new row version, which is not a schema change. Its rows are therefore hashed on the columns a
 * definition is made of instead of their `xmin`, so those leave the fingerprint alone too.
 *
 * Rows of temporary schemas (`pg_temp_N`) are left out: an application's temporary tables are not the schema.
 * Comments (`pg_description`) are counted for every object created after initdb (oid 16384 and up), whatever its
 * schema: a comment names its object by class and oid, and finding each object's schema would cost more than the
 * rare extra check a comment elsewhere starts.
 * Catalogs read: the ones the inspector reads the schema from (`inspect-*.ts`).
 */

/**
 * `$1`: the configured schemas, or null for every user schema as the inspector reads them. One row, `fingerprint`
 * (an md5 of the per-catalog counts and sums) and `classes` (relations counted, for the bench and messages).
 */
export const FINGERPRINT_SQL = `
WITH ns AS (
  SELECT n.oid, n.xmin FROM pg_catalog.pg_namespace n
  WHERE CASE WHEN $1::text[] IS NULL
    THEN n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'
    ELSE n.nspname = ANY ($1::text[]) END
), cls AS (
  SELECT c.oid,
         pg_catalog.hashtextextended(concat_ws('|', c.oid, c.relname, c.relnamespace, c.reltype, c.relowner, c.relam,
           c.relkind, c.relpersistence, c.relnatts, c.relchecks, c.relhasrules, c.relhastriggers, c.relrowsecurity,
           c.relforcerowsecurity, c.relreplident, c.relispartition, c.reloftype, c.relacl::text, c.reloptions::text,
           c.relpartbound::text), 0) AS h
  FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
), parts AS (
  SELECT 'namespace' AS k, count(*) AS n, sum(xmin::text::int8) AS s FROM ns
  UNION ALL SELECT 'class', count(*), sum(h) FROM cls
  UNION ALL SELECT 'attribute', count(*), sum(a.xmin::text::int8)
    FROM pg_catalog.pg_attribute a JOIN cls ON cls.oid = a.attrelid
  UNION ALL SELECT 'attrdef', count(*), sum(d.xmin::text::int8)
    FROM pg_catalog.pg_attrdef d JOIN cls ON cls.oid = d.adrelid
  UNION ALL SELECT 'constraint', count(*), sum(c.xmin::text::int8)
    FROM pg_catalog.pg_constraint c JOIN ns ON ns.oid = c.connamespace
  UNION ALL SELECT 'index', count(*), sum(i.xmin::text::int8)
    FROM pg_catalog.pg_index i JOIN cls ON cls.oid = i.indexrelid
  UNION ALL SELECT 'trigger', count(*), sum(t.xmin::text::int8)
    FROM pg_catalog.pg_trigger t JOIN cls ON cls.oid = t.tgrelid
  UNION ALL SELECT 'policy', count(*), sum(p.xmin::text::int8)
    FROM pg_catalog.pg_policy p JOIN cls ON cls.oid = p.polrelid
  UNION ALL SELECT 'rewrite', count(*), sum(r.xmin::text::int8)
    FROM pg_catalog.pg_rewrite r JOIN cls ON cls.oid = r.ev_class
  UNION ALL SELECT 'sequence', count(*), sum(q.xmin::text::int8)
    FROM pg_catalog.pg_sequence q JOIN cls ON cls.oid = q.seqrelid
  UNION ALL SELECT 'proc', count(*), sum(p.xmin::text::int8)
    FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL SELECT 'type', count(*), sum(t.xmin::text::int8)
    FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
  UNION ALL SELECT 'enum', count(*), sum(e.xmin::text::int8)
    FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid JOIN ns ON ns.oid = t.typnamespace
  UNION ALL SELECT 'collation', count(*), sum(c.xmin::text::int8)
    FROM pg_catalog.pg_collation c JOIN ns ON ns.oid = c.collnamespace
  UNION ALL SELECT 'description', count(*), sum(d.xmin::text::int8)
    FROM pg_catalog.pg_description d WHERE d.objoid >= 16384
  UNION ALL SELECT 'extension', count(*), sum(x.xmin::text::int8) FROM pg_catalog.pg_extension x
)
SELECT md5(string_agg(k || '=' || n || ':' || coalesce(s, 0), ',' ORDER BY k)) AS fingerprint,
       (SELECT count(*) FROM cls)::int8 AS classes
FROM parts`;
