/**
 * A small drifted schema, inspected for real in PGlite: the desired side as migrations would leave it, the current
 * side after hand edits. Both are diffed and planned by the real engine, so report tests see real changes.
 */
import { PGlite } from '@electric-sql/pglite';
import type { Plan } from '../../src/core/model/plan.ts';
import type { SchemaSnapshot } from '../../src/core/model/schema.ts';
import { postgresDialect } from '../../src/dialects/postgres/index.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { compare, reportParts, type ReportParts } from '../../src/engine/compare.ts';
import type { ReportFacts, ReportInput } from '../../src/core/report/build.ts';

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

/** Inspected snapshots, the real diff and plan with its script, and both sides' DDL. */
export type DriftFixture = Omit<ReportParts, 'plan' | 'reconcileSql' | 'planError'> & { readonly plan: Plan; readonly reconcileSql: string };

/** Inspects `sql` in a fresh `public` schema of `db`. */
export async function inspectSql(db: PGlite, sql: string): Promise<SchemaSnapshot> {
  await db.exec('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await db.exec(sql);
  return inspectPostgres(db, { schemas: ['public'], source: { description: 'pglite' } });
}

/** Compares two snapshots with the engine's PostgreSQL pipeline, as a check does. */
export function diffAndPlan(desired: SchemaSnapshot, current: SchemaSnapshot): DriftFixture {
  const parts = reportParts(postgresDialect, compare(postgresDialect, { current, desired }));
  if (parts.plan === undefined) throw new Error(`the fixture did not plan: ${parts.planError}`);
  return parts;
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
export function reportInput(fixture: DriftFixture, over: Partial<ReportFacts> & ReportReconcileOverride = {}): ReportInput {
  return {
    target: 'production',
    labels: { environment: 'production' },
    startedAt: STARTED,
    finishedAt: FINISHED,
    current: fixture.current,
    desired: fixture.desired,
    changes: fixture.changes,
    plan: fixture.plan,
    reconcileSql: fixture.reconcileSql,
    ddl: fixture.ddl,
    revision: null,
    pending: [],
    engine: { dialect: 'postgres', replay: 'pglite', targetServerVersion: '18.6', replayServerVersion: '18.6', cached: false },
    warnings: [],
    ...over,
  } as ReportInput;
}

/** A test may replace the plan with a planner's error (`plan: undefined, planError`). */
type ReportReconcileOverride = { readonly plan?: Plan; readonly planError?: string; readonly reconcileSql?: string };
