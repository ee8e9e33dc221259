/**
 * runCheck statuses that read the same on every dialect: a database behind the migration directory is pending (not
 * drift), a failed golang-migrate run is dirty, a broken migration file is an error/replay naming its file and line.
 * Written once, run on every dialect against its real server with its bundled example migrations. What differs by
 * dialect (in sync, drift, connection errors, engines, events) stays in check/run-check.test.ts and
 * mysql/run-check.test.ts.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck, type DesiredSchema } from '../../src/agent/run-check.ts';
import type { TargetConfig } from '../../src/config/types.ts';
import type { DialectName } from '../../src/core/model/schema.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES } from '../support/dialects.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import type { TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

/** How each dialect's replay words a syntax error, after the `file:line: ` every dialect starts with. */
const SYNTAX_ERROR: Record<DialectName, RegExp> = {
  postgres: /^000005_broken\.up\.sql:3: syntax error/,
  mysql: /^000005_broken\.up\.sql:3: .*\(ER_\w+ \d+\)$/,
};

describe.each(DIALECT_HARNESSES)('runCheck on $server ($name)', (harness) => {
  const example = EXAMPLE_MIGRATIONS[harness.name];
  // One cache per dialect: the example directory is replayed once per replay bound, as in the agent.
  const cache = new DesiredCache<DesiredSchema>();
  const databases: TempDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  /** A target whose desired schema is `dir` (default: the example), replayed where the dialect replays. */
  function targetFor(name: string, url: string, dir = example): TargetConfig {
    return testTarget(name, url, { desired: { dir, format: 'golang-migrate', ...(harness.devUrl ? { devUrl: harness.devUrl } : {}) } });
  }

  async function database(): Promise<TempDatabase> {
    const db = await harness.createDatabase('sdcheck');
    databases.push(db);
    return db;
  }

  it('reports pending (not drift) when the revision table is at version 3', async () => {
    const db = await deployExample(harness.name, await database(), 3);
    const report = await runCheck(targetFor('behind', db.url), { cache });
    expect(report.status).toBe('pending');
    expect(report.counts.total).toBe(0);
    expect(report.pending).toEqual([{ version: '000004', path: '000004_invoices.up.sql' }]);
  }, 60_000);

  it('reports dirty when golang-migrate recorded a failed migration', async () => {
    const db = await deployExample(harness.name, await database(), 4, { dirty: true });
    const report = await runCheck(targetFor('dirty', db.url), { cache });
    expect(report.status).toBe('dirty');
    expect(report.revision).toMatchObject({ dirty: true, failedVersion: '4' });
  }, 60_000);

  it('reports error/replay naming the file and line of a failing migration', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sd-check-bad-'));
    try {
      await cp(example, dir, { recursive: true });
      await writeFile(path.join(dir, '000005_broken.up.sql'), '-- a typo\n\nALTER TABLE invoices ADD COLUM note text;\n');
      await writeFile(path.join(dir, '000005_broken.down.sql'), '');
      // Without a revision table every file is replayed, the broken one included.
      const db = await database();
      const report = await runCheck(targetFor('broken', db.url, dir), { cache });
      expect(report.status).toBe('error');
      expect(report.error?.reason).toBe('replay');
      expect(report.error?.message).toMatch(SYNTAX_ERROR[harness.name]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
