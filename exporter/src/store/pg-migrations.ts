/**
 * The PostgreSQL store's tables, versioned like `migrations.ts` does for SQLite: every step runs in one transaction
 * with the bump of `store_version`, so a crash mid-migration leaves the previous version and the step runs again.
 *
 * Several replicas may start at once: the whole migration runs under a transaction-level advisory lock keyed by the
 * schema's name, so one replica migrates and the others, once it commits, find the version current and do nothing.
 * Everything lives in a schema of its own (default `schema_drift`); a schema that holds other tables but no
 * `store_version` is refused rather than written into.
 */
import type pg from 'pg';

/** The first key of every advisory lock the store takes ("SDRF" as an int4), the second being a hash. */
export const STORE_LOCK_CLASS = 0x53445246;

/** One step; `{schema}` is replaced by the quoted schema name. */
interface PgStoreMigration {
  readonly version: number;
  readonly sql: string;
}

/**
 * Version 1. `reports` mirrors the SQLite table (ISO text timestamps so ordering and retention read the same); a body
 * is plain JSON text (`report_text`) or brotli bytes (`report_bytes`), per `report_encoding`. `schedule` holds each
 * target's next due round and who claimed the last one (`agent/claims` in the README); `desired_cache` the replayed
 * desired schemas keyed by `canonicalKey`'s hash, shared by every replica.
 */
const V1 = `
CREATE TABLE {schema}.reports (
  id bigint PRIMARY KEY,
  target text NOT NULL,
  status text NOT NULL CHECK (status IN ('error', 'deploying', 'dirty', 'drift', 'pending', 'in_sync')),
  prev_status text CHECK (prev_status IN ('error', 'deploying', 'dirty', 'drift', 'pending', 'in_sync')),
  status_since text NOT NULL,
  drift_since text,
  started_at text NOT NULL,
  finished_at text NOT NULL,
  duration_ms bigint NOT NULL,
  changes_total integer NOT NULL,
  extra integer NOT NULL,
  missing integer NOT NULL,
  changed integer NOT NULL,
  pending integer NOT NULL,
  error_reason text,
  error_message text,
  report_encoding text NOT NULL CHECK (report_encoding IN ('json', 'br')),
  report_text text,
  report_bytes bytea,
  CHECK ((report_encoding = 'json') = (report_text IS NOT NULL) AND (report_encoding = 'br') = (report_bytes IS NOT NULL))
);
CREATE SEQUENCE {schema}.reports_id_seq OWNED BY {schema}.reports.id;
CREATE INDEX reports_target_id ON {schema}.reports (target, id);
CREATE INDEX reports_transitions ON {schema}.reports (target, id) WHERE prev_status IS NULL OR prev_status <> status;
CREATE TABLE {schema}.schedule (
  target text PRIMARY KEY,
  next_due timestamptz NOT NULL,
  claimed_by text,
  claimed_at timestamptz
);
CREATE TABLE {schema}.desired_cache (
  key_hash text PRIMARY KEY,
  key text NOT NULL,
  value text NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now()
);
`;

const STEPS: readonly PgStoreMigration[] = [{ version: 1, sql: V1 }];

/** The store schema version this build writes. */
export const PG_STORE_SCHEMA_VERSION = STEPS.length;

/** Quotes a schema name already checked against `SCHEMA_NAME`. */
export function quoteSchema(schema: string): string {
  return `"${schema}"`;
}

/** Names the store's schema may have: lower-case identifiers, so quoting never changes them. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates the schema when missing and brings it to {@link PG_STORE_SCHEMA_VERSION}; returns the version found.
 * Throws (plain `Error`, wrapped by the caller) when the schema belongs to something else or is newer than this build.
 */
export async function migratePgStore(client: pg.ClientBase, schema: string): Promise<number> {
  const q = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STORE_LOCK_CLASS, `migrate:${schema}`]);
    const from = await currentVersion(client, schema);
    if (from > PG_STORE_SCHEMA_VERSION) {
      throw new Error(`store schema version ${from} was written by a newer schema-drift (this build knows up to ${PG_STORE_SCHEMA_VERSION})`);
    }
    if (from === 0) {
      // `CREATE SCHEMA IF NOT EXISTS` needs CREATE on the database even when the schema exists: a user given only a
      // schema it owns could not open the store. Created only when missing.
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${q}`);
      await client.query(`CREATE TABLE ${q}.store_version (version integer NOT NULL)`);
      await client.query(`INSERT INTO ${q}.store_version VALUES (0)`);
    }
    for (const step of STEPS) {
      if (step.version <= from) continue;
      await client.query(step.sql.replaceAll('{schema}', q));
      await client.query(`UPDATE ${q}.store_version SET version = $1`, [step.version]);
    }
    await client.query('COMMIT');
    return from;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function currentVersion(client: pg.ClientBase, schema: string): Promise<number> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schema],
  );
  const names = tables.rows.map((r) => r.name);
  if (names.length === 0) return 0;
  if (!names.includes('store_version')) {
    throw new Error(`schema "${schema}" is not a schema-drift store (it holds other tables)`);
  }
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoteSchema(schema)}.store_version`);
  return rows[0]?.version ?? 0;
}
