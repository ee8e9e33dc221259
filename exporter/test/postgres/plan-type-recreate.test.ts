/**
 * Recreating an enum or a range type that other types are built on: a domain's base type cannot be altered, so the
 * planner must refuse with a PlanError naming the dependent type rather than emit a plan that fails half way.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/core/errors.ts';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { postgresHooks } from '../../src/dialects/postgres/hooks.ts';
import { inspectPostgres } from '../../src/dialects/postgres/inspect.ts';
import { planPostgres } from '../../src/dialects/postgres/plan.ts';
import { createTempPgDatabase, type TempDatabase } from '../support/servers.ts';

async function inspect(db: TempDatabase) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await inspectPostgres(client);
  } finally {
    await client.end();
  }
}

const CASES = [
  {
    label: 'domain over the enum',
    current: `CREATE TYPE public.mood AS ENUM ('a', 'b'); CREATE DOMAIN public.mood_d AS public.mood NOT NULL;`,
    desired: `CREATE TYPE public.mood AS ENUM ('b', 'a'); CREATE DOMAIN public.mood_d AS public.mood NOT NULL;`,
    names: /domain public\.mood_d/,
  },
  {
    label: 'domain over an array of the enum, and a composite',
    current: `CREATE TYPE public.mood AS ENUM ('a', 'b', 'c'); CREATE DOMAIN public.moods AS public.mood[];
      CREATE TYPE public.pair AS (m public.mood, n int);`,
    desired: `CREATE TYPE public.mood AS ENUM ('a', 'b'); CREATE DOMAIN public.moods AS public.mood[];
      CREATE TYPE public.pair AS (m public.mood, n int);`,
    names: /domain public\.moods, composite public\.pair are built on it/,
  },
  {
    label: 'domain over a changed range',
    current: `CREATE TYPE public.fr AS RANGE (subtype = float8); CREATE DOMAIN public.fr_d AS public.fr;`,
    desired: `CREATE TYPE public.fr AS RANGE (subtype = numeric); CREATE DOMAIN public.fr_d AS public.fr;`,
    names: /domain public\.fr_d/,
  },
];

describe('recreating a type other types are built on', () => {
  it.each(CASES)('$label: PlanError naming the dependent type', async ({ current, desired, names }) => {
    const a = await createTempPgDatabase('sdrecr');
    const b = await createTempPgDatabase('sdrecr');
    try {
      await a.exec(current);
      await b.exec(desired);
      const [before, after] = [await inspect(a), await inspect(b)];
      const changes = diffSchemas({ current: before, desired: after, hooks: postgresHooks });
      expect(changes.some((c) => c.type === 'type' && c.action === 'changed')).toBe(true);
      const plan = () => planPostgres(changes, { current: before, desired: after });
      expect(plan).toThrow(PlanError);
      expect(plan).toThrow(names);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
