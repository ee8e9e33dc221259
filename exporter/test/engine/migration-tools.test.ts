/**
 * Prisma Migrate and drizzle-kit directories against databases their tools deployed, on every dialect's real server,
 * through both the agent's check (`runCheck`) and the CLI's `diff --format json`: fully deployed is in sync and no
 * tool object (revision table, drizzle's schema and sequence) shows up in the changes or the reconcile SQL; the last
 * migration not deployed is pending; a failed migration is dirty where the tool records failures (Prisma; drizzle
 * records none, so it shows as what it left behind); a hot-fix is drift naming it.
 *
 * drizzle-kit's journal layout is deployed by drizzle-orm's real migrator; Prisma (whose CLI needs a downloaded
 * engine) and drizzle-kit's folder layout (drizzle-orm 1.x, not released yet) are emulated as their sources do it
 * (`support/migration-tools.ts`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DesiredSchema } from '../../src/agent/run-check.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { DIALECT_HARNESSES, type DialectHarness } from '../support/dialects.ts';
import { expectHotFixDrift, scenarioChecks, type ScenarioSetup } from '../support/format-scenarios.ts';
import { deployWithTool, type ToolFormat } from '../support/migration-tools.ts';
import type { TempDatabase } from '../support/servers.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const FORMATS: readonly ToolFormat[] = ['prisma', 'drizzle', 'drizzle-folders'];
/** The last migration of every fixture, by format. */
const LAST: Record<ToolFormat, string> = {
  prisma: '20240103080000_order_status/migration.sql',
  drizzle: '0002_order_status.sql',
  'drizzle-folders': '20240103080000_order_status/migration.sql',
};
/** Whatever a tool owns; none of it may reach a diff or a plan. */
const TOOL_OBJECTS = /_prisma_migrations|__drizzle_migrations|drizzle/;

/** Something that makes the last migration fail on deploy: the object it creates, created by hand first. */
const CONFLICT: Record<string, string> = {
  postgres: `CREATE TYPE "order_status" AS ENUM ('pending', 'shipped')`,
  mysql: 'ALTER TABLE `orders` ADD COLUMN `status` varchar(20)',
};
const HOT_FIX = 'ALTER TABLE users ADD COLUMN nickname varchar(50)';

interface Scenario {
  readonly name: 'deployed' | 'pending' | 'failed' | 'hot-fix';
  /** Brings an empty database to the scenario's state; returns the tool's error when it is expected to fail. */
  setup(format: ToolFormat, harness: DialectHarness, db: TempDatabase, dir: string): Promise<Error | undefined>;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'deployed', setup: (format, h, db, dir) => deployWithTool(format, h.name, db, dir, 3) },
  { name: 'pending', setup: (format, h, db, dir) => deployWithTool(format, h.name, db, dir, 2) },
  {
    name: 'failed',
    async setup(format, h, db, dir) {
      expect(await deployWithTool(format, h.name, db, dir, 2)).toBeUndefined();
      await db.exec(CONFLICT[h.name] as string);
      return deployWithTool(format, h.name, db, dir, 3);
    },
  },
  {
    name: 'hot-fix',
    async setup(format, h, db, dir) {
      const error = await deployWithTool(format, h.name, db, dir, 3);
      await db.exec(HOT_FIX);
      return error;
    },
  },
];

describe.each(DIALECT_HARNESSES)('migration tools on $server ($name)', (harness: DialectHarness) => {
  const base = path.join(FIXTURES, harness.name === 'postgres' ? 'migrations' : 'migrations-mysql');
  // Shared like the agent's: checks of one directory at one deployed version replay it once.
  const cache = new DesiredCache<DesiredSchema>({});
  /** One database per format and scenario, checked by the agent and by the CLI. */
  const byFormat = new Map(
    FORMATS.map((format) => {
      const setups = Object.fromEntries(
        SCENARIOS.map((s) => [s.name, (h: DialectHarness, db: TempDatabase, dir: string) => s.setup(format, h, db, dir)]),
      ) as Record<Scenario['name'], ScenarioSetup>;
      const checks = scenarioChecks(harness, {
        dir: path.join(base, format),
        prefix: 'sdtools',
        target: format,
        setups,
        diff: { withSql: (name) => name === 'deployed' || name === 'hot-fix' },
        cache,
      });
      return [format, checks] as const;
    }),
  );

  const get = (format: ToolFormat, scenario: Scenario['name']) => {
    const checks = byFormat.get(format);
    if (!checks) throw new Error(`no case ${format}/${scenario}`);
    return checks(scenario);
  };

  describe.each(FORMATS)('%s', (format) => {
    it('fully deployed: in sync, and no tool object in the changes or the reconcile SQL', () => {
      const { report, cli: diff, deployError } = get(format, 'deployed');
      expect(deployError).toBeUndefined();
      expect(report.error).toBeNull();
      expect(report.status).toBe('in_sync');
      expect(report.changes).toEqual([]);
      expect(report.revision).toMatchObject({ tool: format === 'prisma' ? 'prisma' : 'drizzle', dirty: false });
      expect(report.reconcile.sql).not.toMatch(TOOL_OBJECTS);
      expect(diff.code).toBe(0);
      expect(diff.json.changes).toEqual([]);
      expect(diff.json.pending).toEqual([]);
      expect(diff.sql).toBe('');
    });

    it('last migration not deployed: pending, no changes, the same in agent and CLI', () => {
      const { report, cli: diff, deployError } = get(format, 'pending');
      expect(deployError).toBeUndefined();
      expect(report.status).toBe('pending');
      expect(report.changes).toEqual([]);
      expect(report.pending.map((p) => p.path)).toEqual([LAST[format]]);
      expect(diff.code).toBe(0);
      expect(diff.json.changes).toEqual([]);
      expect(diff.json.pending.map((p) => p.path)).toEqual([LAST[format]]);
      expect(diff.json.warnings).toEqual(report.warnings);
    });

    it('one hot-fix: drift naming it, and a reconcile script that touches no tool object', () => {
      expectHotFixDrift(get(format, 'hot-fix'), 'nickname', TOOL_OBJECTS);
    });
  });

  it('prisma, failed migration: dirty, naming the folder and the error Prisma logged', () => {
    const { report, cli: diff, deployError } = get('prisma', 'failed');
    expect(deployError).toBeDefined();
    expect(report.status).toBe('dirty');
    expect(report.revision).toMatchObject({ tool: 'prisma', dirty: true, failedVersion: '20240103080000_order_status' });
    expect(report.revision?.error).toBe(deployError?.message);
    expect(diff.json.revision).toMatchObject({ dirty: true, failedVersion: '20240103080000_order_status' });
  });

  it.each(['drizzle', 'drizzle-folders'] as const)(
    '%s, failed migration: drizzle records no failure, so the check shows what it left: pending plus the conflicting object',
    (format) => {
      const { report, cli: diff, deployError } = get(format, 'failed');
      expect(deployError).toBeDefined();
      expect(report.revision).toMatchObject({ tool: 'drizzle', dirty: false });
      expect(report.status).toBe('drift');
      expect(report.pending.map((p) => p.path)).toEqual([LAST[format]]);
      const extra = harness.name === 'postgres' ? 'extra type order_status' : 'extra column status';
      expect(report.changes.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual([extra]);
      expect(diff.json.changes).toEqual(report.changes);
      expect(diff.json.pending.map((p) => p.path)).toEqual([LAST[format]]);
    },
  );

  it('drizzle journal: the .sql file outside the journal is named in a warning, by agent and CLI', () => {
    const { report, cli: diff } = get('drizzle', 'deployed');
    expect(report.warnings).toContainEqual(expect.stringMatching(/never applies: 0003_scratch\.sql \(not in meta\/_journal\.json/));
    expect(diff.json.warnings).toEqual(report.warnings);
    expect(diff.stderr).toContain('0003_scratch.sql');
  });

  it('the deployed version is the tool\'s own identity: folder name (Prisma, drizzle 1.x) or journal `when` (drizzle 0.x)', () => {
    expect(get('prisma', 'pending').report.revision?.version).toBe('20240102090000_orders');
    expect(get('drizzle-folders', 'pending').report.revision?.version).toBe('20240102090000_orders');
    expect(get('drizzle', 'pending').report.revision?.version).toBe('1704186000000');
    expect(get('drizzle', 'pending').report.revision?.table).toEqual(harness.name === 'postgres' ? 'drizzle.__drizzle_migrations' : expect.stringMatching(/\.__drizzle_migrations$/));
  });
});
