/**
 * Each migration tool's revision table (Atlas, Flyway, golang-migrate, dbmate) read through the dialect contract
 * (`connect().readRevision()`), on every dialect against its real server. The tables come from each tool's own DDL for
 * that dialect; the rows and the expected RevisionState are written once (`support/revision-tables.ts`). What only
 * one dialect has stays in its folder: PostgreSQL's privilege error, MySQL's database argument and Atlas' own
 * database (`test/{postgres,mysql}/revision.test.ts`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RevisionState } from '../../src/revision/revision-state.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { revisionCasesFor, TOOL_TABLES } from '../support/revision-tables.ts';
import type { TempDatabase } from '../support/servers.ts';

/** The revision state as a check reads it: one read-only session, closed afterwards. */
async function readRevision(harness: DialectHarness, db: TempDatabase, target?: string): Promise<RevisionState | null> {
  const session = await harness.dialect.connect({ url: db.url, ...(target ? { target } : {}) });
  try {
    return await session.readRevision();
  } finally {
    await session.close();
  }
}

describe.each(DIALECT_HARNESSES)('revision tables on $server ($name)', (harness) => {
  const tables = TOOL_TABLES[harness.name];
  // A fresh database per case: the session reads committed tables, and no case sees another's.
  let db: TempDatabase;
  beforeEach(async () => {
    db = await harness.createDatabase('sdrev');
  });
  afterEach(async () => {
    await db?.drop();
  });

  it.each(revisionCasesFor(harness.name))('$name', async ({ setup, expected }) => {
    await db.exec(setup(tables));
    expect(await readRevision(harness, db)).toEqual(expected(tables.located(db.name), tables));
  });

  it('reports a broken revision table as an InspectError naming it', async () => {
    await db.exec('CREATE TABLE flyway_schema_history (installed_rank int);');
    const err = await readRevision(harness, db, 'prod').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InspectError', context: { target: 'prod' } });
    expect((err as Error).message).toContain(`reading revision table ${tables.located(db.name).flyway}`);
  });
});
