/**
 * What a revision state means for a migration directory (pending files, files the table does not list) and which
 * tables a check leaves out: dialect-free (`revision/revision-state.ts`). Reading the tables: `revision-tables.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationDirectory, MigrationFile } from '../../src/migrations/types.ts';
import { deployedState, revisionForDirectory } from '../../src/revision/deployed.ts';
import { pendingMigrations, revisionExcludeFilter, type RevisionState } from '../../src/revision/revision-state.ts';

function file(version: string | null, path: string): MigrationFile {
  return {
    path,
    version,
    description: path,
    repeatable: version === null,
    sql: 'SELECT 1;',
    startLine: 1,
    transaction: true,
    sha256: '',
  };
}

const DIR: MigrationDirectory = {
  dir: 'migrations',
  format: 'flyway',
  files: [file('001', 'V001__a.sql'), file('002', 'V002__b.sql'), file('003', 'V003__c.sql'), file(null, 'R__views.sql')],
  hash: 'x',
};

function state(tool: RevisionState['tool'], version: string | null, appliedVersions: string[]): RevisionState {
  return { tool, table: 'public.t', version, dirty: false, appliedVersions };
}

/** A directory of a tool that records identities (Liquibase, Sqitch): entries numbered in apply order, matched by key. */
const KEYED: MigrationDirectory = {
  dir: 'changelog',
  format: 'flyway',
  files: ['a', 'b', 'c', 'd'].map((key, i) => ({ ...file(String(i + 1), `${key}.sql`), key })),
  hash: 'x',
};

function keyed(appliedKeys: string[]): RevisionState {
  return { tool: 'liquibase', table: 'public.databasechangelog', version: null, dirty: false, appliedVersions: [], appliedKeys };
}

describe('pendingMigrations by key', () => {
  const paths = (files: MigrationFile[] | undefined) => files?.map((f) => f.path);

  it('replays up to the last deployed key; what follows is pending', () => {
    const result = pendingMigrations(KEYED, keyed(['b', 'a']));
    expect(result).toEqual({ upToVersion: '2', pending: [KEYED.files[2], KEYED.files[3]] });
  });

  it('names the entries before the last deployed one that the table does not list', () => {
    const result = pendingMigrations(KEYED, keyed(['a', 'c']));
    expect(result.upToVersion).toBe('3');
    expect(paths(result.notApplied)).toEqual(['b.sql']);
    expect(paths(result.pending)).toEqual(['d.sql']);
  });

  it('an empty table: nothing deployed, everything pending', () => {
    expect(pendingMigrations(KEYED, keyed([]))).toEqual({ upToVersion: null, pending: KEYED.files });
  });

  it('keys of another changelog only: the deployed key is unknown, so the whole directory is compared', () => {
    const result = pendingMigrations(KEYED, keyed(['x', 'y']));
    expect(result.unknownDeployed).toBe('y');
  });

  it('keys of another changelog besides ours do not matter', () => {
    const result = pendingMigrations(KEYED, keyed(['x', 'a']));
    expect(result).toEqual({ upToVersion: '1', pending: KEYED.files.slice(1) });
  });
});

describe('pendingMigrations', () => {
  const paths = (files: MigrationFile[] | undefined) => files?.map((f) => f.path);

  it.each([
    { name: 'no revision table: replay all, nothing pending', revision: null, upTo: undefined, pending: [] },
    {
      name: 'nothing deployed yet',
      revision: state('dbmate', null, []),
      upTo: null,
      pending: ['V001__a.sql', 'V002__b.sql', 'V003__c.sql'],
    },
    { name: 'middle version', revision: state('flyway', '002', ['001', '002']), upTo: '002', pending: ['V003__c.sql'] },
    { name: 'golang-migrate bigint matches 002', revision: state('golang-migrate', '2', ['2']), upTo: '2', pending: ['V003__c.sql'] },
    { name: 'latest version', revision: state('atlas', '003', ['001', '002', '003']), upTo: '003', pending: [] },
  ])('$name', ({ revision, upTo, pending }) => {
    const result = pendingMigrations(DIR, revision);
    expect(result.upToVersion).toBe(upTo);
    expect(paths(result.pending)).toEqual(pending);
    expect(result.unknownDeployed).toBeUndefined();
    expect(result.notApplied).toBeUndefined();
  });

  it('notes a deployed version the directory does not have', () => {
    const result = pendingMigrations(DIR, state('golang-migrate', '9', ['9']));
    expect(result).toMatchObject({ upToVersion: '9', pending: [], unknownDeployed: '9' });
  });

  it('lists out-of-order files the revision table does not record', () => {
    const result = pendingMigrations(DIR, state('dbmate', '003', ['001', '003']));
    expect(paths(result.notApplied)).toEqual(['V002__b.sql']);
    expect(result.pending).toEqual([]);
  });
});

describe('revisionExcludeFilter', () => {
  it('covers every table read, the Atlas schema, drizzle-orm\'s and Sqitch\'s registry', () => {
    const filter = revisionExcludeFilter();
    expect(filter.table).toEqual(
      expect.arrayContaining(['*.atlas_schema_revisions', '*.flyway_schema_history', '*.schema_migrations']),
    );
    expect(filter.schema).toEqual(['atlas_schema_revisions', 'drizzle', 'sqitch']);
  });
});

describe('revisionForDirectory', () => {
  const sqitch: RevisionState = { ...state('sqitch', 'flips', []), dirty: true, appliedKeys: ['a'] };

  it('ignores a Sqitch registry for a directory that is not a Sqitch project (MySQL: one registry per server)', () => {
    expect(revisionForDirectory(DIR, sqitch)).toBeNull();
    expect(deployedState(DIR, revisionForDirectory(DIR, sqitch))).toMatchObject({ upToVersion: undefined, warnings: [] });
  });

  it('keeps it for a Sqitch project, and every other tool whatever the format', () => {
    expect(revisionForDirectory({ ...DIR, format: 'sqitch' }, sqitch)).toBe(sqitch);
    const flyway = state('flyway', '002', ['001', '002']);
    expect(revisionForDirectory(DIR, flyway)).toBe(flyway);
    expect(revisionForDirectory(DIR, null)).toBeNull();
  });
});
