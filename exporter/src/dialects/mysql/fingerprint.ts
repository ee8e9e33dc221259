/**
 * The MySQL/MariaDB schema fingerprint the watch reads (`agent/watch.ts`): one read-only `information_schema` query
 * over the target database that changes with every DDL statement on it and with nothing else.
 *
 * MySQL and MariaDB keep no row versions a client can read, and their server counters (`Com_alter_table`, ...) count
 * statements on every database of the server, our own replays on a shared dev server included. So the fingerprint is
 * a count and a CRC32 sum, per `information_schema` view, of the columns a definition is made of, leaving out what
 * changes without DDL: `TABLE_ROWS`, `AVG_ROW_LENGTH`, `DATA_LENGTH`, `INDEX_LENGTH`, `DATA_FREE`, `AUTO_INCREMENT`,
 * `UPDATE_TIME`, `CHECK_TIME`, `CREATE_TIME` (`OPTIMIZE TABLE` rebuilds), `CARDINALITY` (`ANALYZE TABLE`), and an
 * event's `LAST_EXECUTED`. `CHECK_CONSTRAINTS` needs MariaDB 10.2 or MySQL 8.0.16.
 *
 * Not seen: MariaDB's `ALTER SEQUENCE` (a sequence's options live in the sequence itself, and MariaDB 10.11 has no
 * `information_schema.SEQUENCES`; reading each sequence is what the inspector does, not a cheap query). The next
 * scheduled check finds it.
 *
 * Each view is filtered on the column the server can look up without opening every database's tables (MariaDB:
 * `TABLE_SCHEMA` of `TABLE_CONSTRAINTS` and `KEY_COLUMN_USAGE` rather than their `CONSTRAINT_SCHEMA`, which made the
 * query 40 times slower on a server with a few thousand tables elsewhere).
 */

/** `?` × {@link FINGERPRINT_PARAMS}: the database, once per view. One row: `fingerprint` (md5 of the parts) and `classes` (tables and views). */
export const FINGERPRINT_SQL = `
SELECT MD5(CONCAT_WS(',',
  (SELECT CONCAT('tables=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, TABLE_TYPE, ENGINE, ROW_FORMAT,
     TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT))), 0)) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('columns=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION,
     COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT,
     GENERATION_EXPRESSION))), 0)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('statistics=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX,
     COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, INDEX_COMMENT))), 0)) FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('partitions=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, PARTITION_NAME,
     SUBPARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD, SUBPARTITION_METHOD, PARTITION_EXPRESSION,
     SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT))), 0)) FROM information_schema.PARTITIONS
     WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('constraints=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME,
     CONSTRAINT_TYPE))), 0)) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('keys=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME,
     ORDINAL_POSITION, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME))), 0))
     FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('references=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, CONSTRAINT_NAME,
     UNIQUE_CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE))), 0)) FROM information_schema.REFERENTIAL_CONSTRAINTS
     WHERE CONSTRAINT_SCHEMA = ?),
  (SELECT CONCAT('checks=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', CONSTRAINT_NAME, CHECK_CLAUSE))), 0))
     FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?),
  (SELECT CONCAT('views=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION,
     SECURITY_TYPE, DEFINER))), 0)) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?),
  (SELECT CONCAT('routines=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', ROUTINE_NAME, ROUTINE_TYPE, CREATED,
     LAST_ALTERED, ROUTINE_DEFINITION, SECURITY_TYPE, SQL_MODE, DEFINER))), 0)) FROM information_schema.ROUTINES
     WHERE ROUTINE_SCHEMA = ?),
  (SELECT CONCAT('triggers=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', TRIGGER_NAME, EVENT_MANIPULATION,
     EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_ORDER, ACTION_STATEMENT, CREATED))), 0)) FROM information_schema.TRIGGERS
     WHERE TRIGGER_SCHEMA = ?),
  (SELECT CONCAT('events=', COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE,
     EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, STATUS, ON_COMPLETION, LAST_ALTERED))), 0))
     FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?)
)) AS fingerprint,
(SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?) AS classes`;

/** How many times {@link FINGERPRINT_SQL} takes the database name. */
export const FINGERPRINT_PARAMS = 13;
