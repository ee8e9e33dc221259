/**
 * A small drifted schema, inspected for real in PGlite: the desired side as migrations would leave it, the current
 * side after hand edits. Both are diffed and planned by the real engine, so report tests see real changes.
 */
import { PGlite } from '@electric-sql/pglite';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import type { Change } from '../../src/core/model/change.ts';
import type { Plan } from '../../src/core/model/plan.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { renderPostgresDdl } from '../../src/dialects/postgres/ddl.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres } from '../../src/dialects/postgres/plan.ts';
import type { ReportInput } from '../../src/core/report/build.ts';

/** Shared by both sides: unchanged tables, a view and a partitioned table. */
const COMMON = `
CREATE TABLE public.products (id integer PRIMARY KEY, sku text NOT NULL);
CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
`;

/** What the migrations produce. */
export const DESIRED_SQL = `
CREATE TABLE public.users (id bigint PRIMARY KEY, email varchar(320) NOT NULL, name text);
CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL CONSTRAINT orders_user_id_fkey REFERENCES public.users (id),
  total numeric(10,2) NOT NULL CONSTRAINT orders_total_check CHECK (total >= 0)
);
CREATE TABLE public.invoices (id bigint PRIMARY KEY, order_id bigint CONSTRAINT invoices_order_id_fkey REFERENCES public.orders (id), note text);
CREATE VIEW public.user_emails AS SELECT id, email FROM public.users;
${COMMON}`;

/**
 * The live database: `users.email` retyped by hand, `users.name` dropped, `users.nickname` added; `orders` lost its
 * foreign key and check; `invoices` never created; an `audit_log` table added by hand with a foreign key to users.
 */
export const CURRENT_SQL = `
CREATE TABLE public.users (id bigint PRIMARY KEY, email text NOT NULL, nickname text);
CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric(10,2) NOT NULL);
CREATE TABLE public.audit_log (id integer PRIMARY KEY, user_id bigint CONSTRAINT audit_log_user_id_fkey REFERENCES public.users (id));
CREATE VIEW public.user_emails AS SELECT id, email FROM public.users;
${COMMON}`;

/** Inspected snapshots, the real diff and plan, and both sides' DDL. */
export interface DriftFixture {
  readonly desired: SchemaSnapshot;
  readonly current: SchemaSnapshot;
  readonly changes: Change[];
  readonly plan: Plan;
  readonly ddl: { desired: string; current: string };
}

/** Inspects `sql` in a fresh `public` schema of `db`. */
export async function inspectSql(db: PGlite, sql: string): Promise<SchemaSnapshot> {
  await db.exec('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await db.exec(sql);
  return inspectPostgres(db, { schemas: ['public'], source: { description: 'pglite' } });
}

/** Diffs and plans two snapshots with the real PostgreSQL engine. */
export function diffAndPlan(desired: SchemaSnapshot, current: SchemaSnapshot): DriftFixture {
  const changes = diffSchemas({ current, desired, hooks: postgresHooks });
  const plan = planPostgres(changes, { current, desired });
  return { desired, current, changes, plan, ddl: { desired: renderPostgresDdl(desired), current: renderPostgresDdl(current) } };
}

/** Builds the drifted fixture in one PGlite instance (closed before returning). */
export async function loadDriftFixture(): Promise<{ drifted: DriftFixture; inSync: DriftFixture }> {
  const db = await PGlite.create();
  try {
    const desired = await inspectSql(db, DESIRED_SQL);
    const current = await inspectSql(db, CURRENT_SQL);
    return { drifted: diffAndPlan(desired, current), inSync: diffAndPlan(desired, desired) };
  } finally {
    await db.close();
  }
}

export const STARTED = new Date('2025-03-01T06:00:00.000Z');
export const FINISHED = new Date('2025-03-01T06:00:02.500Z');

/** A complete {@link ReportInput} over a fixture; tests override what they are about. */
export function reportInput(fixture: DriftFixture, over: Partial<ReportInput> = {}): ReportInput {
  return {
    target: 'production',
    labels: { environment: 'production' },
    startedAt: STARTED,
    finishedAt: FINISHED,
    current: fixture.current,
    desired: fixture.desired,
    changes: fixture.changes,
    plan: fixture.plan,
    ddl: fixture.ddl,
    revision: null,
    pending: [],
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '18.6', replayServerVersion: '18.6', cached: false },
    warnings: [],
    ...over,
  };
}
