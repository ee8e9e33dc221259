/**
 * Flyway repeatables as re-runnable migrations, dialect-free: Flyway's checksum of a script, the objects a script
 * defines (left out of a comparison while it is pending), and which repeatables a history makes pending.
 */
import { describe, expect, it } from 'vitest';
import { definedObjects } from '../../src/migrations/defined-objects.ts';
import { flywayChecksum } from '../../src/migrations/formats.ts';
import { fileId, selectFiles } from '../../src/migrations/select.ts';
import type { MigrationDirectory, MigrationFile } from '../../src/migrations/types.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { flywayState, type FlywayRow } from '../../src/revision/revision-state.ts';

describe('flywayChecksum', () => {
  it('is the CRC32 of the lines without their breaks, as a signed 32-bit integer', () => {
    // The standard CRC-32 check value: crc32("123456789") = 0xCBF43926, which as a Java int is -873187034.
    expect(flywayChecksum('123456789')).toBe(-873187034);
    expect(flywayChecksum('1234\n56789\n')).toBe(-873187034);
  });

  it('does not change with line endings or a byte order mark, as Flyway reads lines', () => {
    const lf = flywayChecksum('CREATE VIEW v AS\nSELECT 1;\n');
    expect(flywayChecksum('CREATE VIEW v AS\r\nSELECT 1;\r\n')).toBe(lf);
    expect(flywayChecksum('CREATE VIEW v AS\rSELECT 1;')).toBe(lf);
    expect(flywayChecksum('\uFEFFCREATE VIEW v AS\nSELECT 1;\n')).toBe(lf);
    expect(flywayChecksum('CREATE VIEW v AS\nSELECT 2;\n')).not.toBe(lf);
  });
});

describe('definedObjects', () => {
  it('names what CREATE statements define, by filter kind, unqualified and unquoted', () => {
    const sql = `
      CREATE OR REPLACE VIEW reporting.active_users AS SELECT * FROM users;
      create materialized view if not exists "Totals" as select 1;
      CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE OR REPLACE ALGORITHM=MERGE DEFINER=\`app\`@\`%\` SQL SECURITY INVOKER VIEW \`Order Totals\` AS SELECT 1;
      -- CREATE VIEW commented_out AS SELECT 1;
      /* CREATE TABLE also_commented (a int); */
      SELECT 'CREATE TABLE in_a_string (a int)';
    `;
    expect(definedObjects(sql)).toEqual({
      view: ['active_users', 'Totals', 'Order Totals'],
      routine: ['touch'],
      trigger: ['users_touch'],
    });
  });

  it('escapes glob characters so a name matches only itself', () => {
    expect(definedObjects('CREATE VIEW "a*b" AS SELECT 1')).toEqual({ view: ['a\\*b'] });
  });

  it('keeps both spellings of an unquoted mixed-case name (PostgreSQL folds it, MySQL keeps it)', () => {
    expect(definedObjects('CREATE VIEW ActiveUsers AS SELECT 1')).toEqual({ view: ['ActiveUsers', 'activeusers'] });
  });
});

function file(path: string, version: string | null, sql: string): MigrationFile {
  const description = path.replace(/^[VR][^_]*__/, '').replace(/\.sql$/, '');
  return {
    path,
    version,
    description,
    repeatable: version === null,
    sql,
    startLine: 1,
    transaction: true,
    sha256: '',
    ...(version === null ? { rerun: { key: description, checksum: String(flywayChecksum(sql)) } } : {}),
  };
}

const VIEW_V2 = 'CREATE OR REPLACE VIEW v AS SELECT a, c FROM t;\n';
const DIR: MigrationDirectory = {
  dir: 'sql',
  format: 'flyway',
  files: [file('V1__t.sql', '1', 'CREATE TABLE t (a int);'), file('V2__c.sql', '2', 'ALTER TABLE t ADD c int;'), file('R__v.sql', null, VIEW_V2)],
  hash: 'x',
};

function row(version: string | null, description: string, checksum: number | null, success = true): FlywayRow {
  return { version, description, type: 'SQL', success, checksum: checksum === null ? null : String(checksum) };
}

describe('repeatables against a Flyway history', () => {
  const old = flywayChecksum('CREATE OR REPLACE VIEW v AS SELECT a FROM t;\n');

  it('deployed with the same checksum: replayed as deployed, nothing pending', () => {
    const state = flywayState('h', [row('1', 't', 1), row('2', 'c', 2), row(null, 'v', flywayChecksum(VIEW_V2))]);
    expect(deployedState(DIR, state)).toEqual({ upToVersion: '2', pending: [], leaveOut: [], unchecked: {}, warnings: [] });
  });

  it('changed together with a pending versioned migration: both pending, the view left out of the comparison', () => {
    const state = flywayState('h', [row('1', 't', 1), row(null, 'v', old)]);
    const deployed = deployedState(DIR, state);
    expect(deployed.pending.map((f) => f.path)).toEqual(['V2__c.sql', 'R__v.sql']);
    expect(deployed.leaveOut).toEqual([fileId(DIR.files[2] as MigrationFile)]);
    expect(deployed.unchecked).toEqual({ view: ['v'] });
    expect(deployed.warnings).toEqual([expect.stringMatching(/re-runnable migrations changed since .*: R__v\.sql/)]);
    const replayed = selectFiles(DIR.files, deployed.upToVersion, deployed.leaveOut);
    expect(replayed.applied.map((f) => f.path)).toEqual(['V1__t.sql']);
    expect(replayed.pending.map((f) => f.path)).toEqual(['V2__c.sql', 'R__v.sql']);
  });

  it('the latest successful run decides; a repeatable never run is pending', () => {
    const rerun = flywayState('h', [row('1', 't', 1), row('2', 'c', 2), row(null, 'v', flywayChecksum(VIEW_V2)), row(null, 'v', old)]);
    expect(deployedState(DIR, rerun).leaveOut).toHaveLength(1);
    const never = flywayState('h', [row('1', 't', 1), row('2', 'c', 2)]);
    expect(deployedState(DIR, never).pending.map((f) => f.path)).toEqual(['R__v.sql']);
    const failedRun = flywayState('h', [row('1', 't', 1), row('2', 'c', 2), row(null, 'v', flywayChecksum(VIEW_V2)), row(null, 'v', old, false)]);
    expect(deployedState(DIR, failedRun).leaveOut).toEqual([]);
  });

  it('no history: every file replayed, the repeatable too', () => {
    expect(deployedState(DIR, null)).toEqual({ upToVersion: undefined, pending: [], leaveOut: [], unchecked: {}, warnings: [] });
  });
});
