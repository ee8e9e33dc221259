/**
 * Sqitch projects: the plan parsed as App::Sqitch::Plan parses it, change ids equal to the ones Sqitch computes
 * (vectors printed by `sqitch plan --format raw`, sqitch 1.3.1), deploy scripts in plan order (a reworked change's
 * earlier occurrence from `<name>@<tag>.sql`), `sqitch.conf` paths, errors naming the plan line, and what the
 * registry rows mean (deployed change ids, an unresolved `fail` event = dirty).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { parseGitConfig, sqitchLayout } from '../../src/migrations/format-sqitch.ts';
import { canonicalUri, parseSqitchPlan } from '../../src/migrations/sqitch-plan.ts';
import { deployedState } from '../../src/revision/deployed.ts';
import { revisionExcludeFilter } from '../../src/revision/revision-state.ts';
import { sqitchState } from '../../src/revision/sqitch-state.ts';
import { useTempDirs } from '../support/temp-dirs.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const FLIPR = path.join(FIXTURES, 'migrations', 'sqitch');
const tempDir = useTempDirs('sd-sqitch-');

const fail = (message: string, line: number): Error => new Error(`${line}: ${message}`);
const PLANNER = '2024-01-01T00:00:00Z Ann <ann@example.com>';

/** The fixture's ids as `sqitch plan --format raw` (sqitch 1.3.1) prints them. */
const FLIPR_IDS = [
  'c90bb36a95779c502e369199f6d12c1bef884100',
  '70734b343fe0d49cd7b7b3f3e505da054ed34991',
  '46bf371b7d475afd7ee60f91e5482653ba43a3df',
  'a684b346a4a4909d92f714414e2ef6849c5186bf',
  '9bef1050ab5827180fab6e93aa5eceb637d59af2',
];

/** Tag ids: `@alpha` of WIDGETS (SHA-1 of the info `sqitch show tag alpha` prints), `@v1.0.0-dev1` of the fixture
 * (`sqitch.tags.tag_id` after a real `sqitch deploy`, sqitch 1.3.1). */
const ALPHA_TAG_ID = '4d09f3b5dc5ce25a8042374f5679cd1818d6e802';
const FLIPR_TAG_ID = '527c7e7d9d659a7aa7437fab9b0c2e03b8e2b483';

/** A plan with every part the info covers: uri to canonicalise, non-ASCII planner, escaped note, cross-project and
 * conflict dependencies, a change reworked twice, a nested name. */
const WIDGETS = `%syntax-version=1.0.0
%project=widgets
%uri=HTTPS://Example.COM:443

# a comment line
base 2023-05-01T00:00:00Z Zoë Ünicode <zoe@example.com> # Base: with a \\\\ backslash and a \\n newline
+extra [base !legacy other:thing widgets:base] 2023-05-02T00:00:00Z Bob <bob@example.com>
@alpha 2023-05-03T00:00:00Z Bob <bob@example.com> # first tag
fn [extra@alpha] 2023-05-04T00:00:00Z Bob <bob@example.com>    #   spaced note   
@beta 2023-05-05T00:00:00Z Bob <bob@example.com>
extra [extra@beta] 2023-05-06T00:00:00Z Bob <bob@example.com> # rework 1
@gamma 2023-05-07T00:00:00Z Bob <bob@example.com>
extra [extra@gamma] 2023-05-08T00:00:00Z Bob <bob@example.com>
dir/nested 2023-05-09T00:00:00Z Bob <bob@example.com>
`;

describe('parseSqitchPlan', () => {
  it('computes the change ids Sqitch computes (uri, unicode, escaped notes, dependencies, reworks)', () => {
    const plan = parseSqitchPlan(WIDGETS, fail);
    expect(plan.project).toBe('widgets');
    expect(plan.changes.map((c) => [c.name, c.id])).toEqual([
      ['base', 'e07948b1bdd75602645370473ed7f02021d2a3fb'],
      ['extra', '5c2f5dff1fa4b3e5b3055c232bf4c5128d6b1a20'],
      ['fn', '5ff0572b3a76c5cbf3987ac0091dd10664a271a3'],
      ['extra', 'ad01206eefd468349ae15e2f705f8024f67c6df9'],
      ['extra', 'c88fff5256aa77e933e50352cbbee50fe369eb44'],
      ['dir/nested', '78550d12efba4010a8a290a95388bc87330af099'],
    ]);
    const [base, extra, fn] = plan.changes;
    expect(base?.note).toBe('Base: with a \\ backslash and a \n newline');
    expect(extra).toMatchObject({ requires: ['base', 'other:thing', 'base'], conflicts: ['legacy'] });
    expect(extra?.tags.map((t) => [t.name, t.id])).toEqual([['alpha', ALPHA_TAG_ID]]);
    expect(fn?.note).toBe('spaced note');
    // Rework tags: those after the occurrence (latest first), then its own.
    expect(plan.changes.map((c) => c.reworkTags)).toEqual([[], ['beta', 'alpha'], [], ['gamma'], [], []]);
  });

  it('computes the fixture project ids', async () => {
    const { readFile } = await import('node:fs/promises');
    const plan = parseSqitchPlan(await readFile(path.join(FLIPR, 'sqitch.plan'), 'utf8'), fail);
    expect(plan.changes.map((c) => c.id)).toEqual(FLIPR_IDS);
    expect(plan.changes[2]?.tags).toEqual([
      {
        name: 'v1.0.0-dev1',
        planned: '2024-01-04T08:00:00Z',
        plannerName: 'Ada Lovelace',
        plannerEmail: 'ada@example.com',
        note: 'Tag v1.0.0-dev1.',
        id: FLIPR_TAG_ID,
      },
    ]);
  });

  it('canonicalises the %uri pragma as Perl URI does', () => {
    expect(canonicalUri('HTTPS://Example.COM:443')).toBe('https://example.com/');
    expect(canonicalUri('http://example.com:8080/x')).toBe('http://example.com:8080/x');
    expect(canonicalUri('urn:Foo:bar')).toBe('urn:Foo:bar');
  });

  it.each([
    ['%project=p\n\na', '3: missing timestamp and planner name and email'],
    ['%project=p\n\na 2024-01-01T00:00:00Z', '3: missing planner name and email'],
    ['%project=p\n\na Ann <a@x>', '3: missing timestamp'],
    [`%project=p\n\na ${PLANNER}\na ${PLANNER}`, '4: change "a" duplicates earlier declaration on line 3'],
    [`%project=p\n\n@t ${PLANNER}`, '3: tag "t" declared without a preceding change'],
    [`%project=p\n\na [b] ${PLANNER}`, '3: unknown change "b" required by change "a" in project p'],
    [`%project=p\n\na [!!b] ${PLANNER}`, '3: "!!b" is not a valid dependency specification'],
    [`%project=p\n\n-a ${PLANNER}`, '3: change "a" is planned as a revert ("-"); only deploy lines are supported'],
    [`%syntax-version=1.0.0\n\na ${PLANNER}`, '1: missing %project pragma'],
    [`%project=p\na ${PLANNER}`, '2: invalid pragma; a blank line must come between pragmas and changes'],
  ])('refuses %j', (text, message) => {
    expect(() => parseSqitchPlan(text, fail)).toThrow(message);
  });

  it('accepts a change reworked after a tag, and a dependency on a change before a tag', () => {
    const plan = parseSqitchPlan(`%project=p\n\na ${PLANNER}\n@v1 ${PLANNER}\na [a@v1] ${PLANNER}\n`, fail);
    expect(plan.changes.map((c) => c.reworkTags)).toEqual([['v1'], []]);
  });
});

describe('sqitch.conf', () => {
  it('engine settings over core ones, paths relative to the project', () => {
    const config = parseGitConfig('[core]\n\tengine = pg\n\ttop_dir = db ; comment\n[engine "pg"]\n\tdeploy_dir = "db/up"\n[engine "mysql"]\n\ttop_dir = other\n');
    expect(sqitchLayout(config)).toEqual({
      engine: 'pg',
      planFile: 'db/sqitch.plan',
      deployDir: 'db/up',
      reworkedDeployDir: 'db/deploy',
      extension: 'sql',
    });
  });
});

describe('reading a Sqitch project directory', () => {
  it('detects it from sqitch.plan, replays deploy scripts in plan order, keys them by change id', async () => {
    const dir = await readMigrationDirectory(FLIPR);
    expect(dir.format).toBe('sqitch');
    expect(dir.files.map((f) => [f.version, f.path, f.key])).toEqual([
      ['1', 'deploy/appschema.sql', FLIPR_IDS[0]],
      ['2', 'deploy/users.sql', FLIPR_IDS[1]],
      ['3', 'deploy/insert_user@v1.0.0-dev1.sql', FLIPR_IDS[2]],
      ['4', 'deploy/flips.sql', FLIPR_IDS[3]],
      ['5', 'deploy/insert_user.sql', FLIPR_IDS[4]],
    ]);
    expect(dir.files[2]?.sql).toContain('md5($2)');
    expect(dir.files[4]?.sql).toContain('md5($2 || $1)');
    expect(dir.provider).toEqual({ name: 'postgresql', file: 'sqitch.conf' });
    expect(dir.ignored).toEqual([
      { path: 'revert/', reason: 'Sqitch revert scripts (not replayed: only deploy scripts build the schema)' },
      { path: 'verify/', reason: 'Sqitch verify scripts (not replayed: only deploy scripts build the schema)' },
    ]);
  });

  it('a change whose deploy script is missing is an error naming the plan line', async () => {
    const dir = await tempDir({ 'sqitch.plan': `%project=p\n\na ${PLANNER}\nb ${PLANNER}\n`, 'deploy/a.sql': 'SELECT 1;' });
    const error = await readMigrationDirectory(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).message).toContain('deploy script deploy/b.sql of change "b" is missing');
    expect((error as ReplayError).context).toMatchObject({ file: path.join(dir, 'sqitch.plan'), line: 4 });
  });

  it('a plan syntax error names the plan file and line', async () => {
    const dir = await tempDir({ 'sqitch.plan': `%project=p\n\na ${PLANNER}\nb [zz] ${PLANNER}\n`, 'deploy/a.sql': '', 'deploy/b.sql': '' });
    const error = (await readMigrationDirectory(dir).catch((e: unknown) => e)) as ReplayError;
    expect(error.context).toMatchObject({ file: path.join(dir, 'sqitch.plan'), line: 4 });
  });

  it('follows sqitch.conf to a plan and scripts under top_dir; deploy scripts no change uses are warned about', async () => {
    const dir = await tempDir({
      'sqitch.conf': '[core]\n\tengine = mysql\n\ttop_dir = db\n',
      'db/sqitch.plan': `%project=p\n\nfns/a ${PLANNER}\n`,
      'db/deploy/fns/a.sql': 'CREATE TABLE a (id int);',
      'db/deploy/old.sql': 'CREATE TABLE old (id int);',
    });
    const read = await readMigrationDirectory(dir, { format: 'sqitch' });
    expect(read.files.map((f) => f.path)).toEqual(['db/deploy/fns/a.sql']);
    expect(read.provider).toEqual({ name: 'mysql', file: 'sqitch.conf' });
    expect(read.ignored).toContainEqual({ path: 'db/deploy/old.sql', reason: 'deploy script of no change in the plan (Sqitch never runs it)', warn: true });
  });
});

describe('sqitch registry state', () => {
  const rows = (n: number) => FLIPR_IDS.slice(0, n).map((changeId, i) => ({ changeId, change: `c${i}`, project: 'flipr' }));

  it('deployed change ids are the applied keys; the last one is the displayed version', () => {
    const state = sqitchState('sqitch.changes', rows(2), []);
    expect(state).toMatchObject({ tool: 'sqitch', version: 'c1', dirty: false, appliedKeys: FLIPR_IDS.slice(0, 2) });
  });

  it('an unresolved fail event is dirty and names the change; several projects are told apart', () => {
    const state = sqitchState(
      'sqitch.changes',
      [...rows(1), { changeId: 'x'.repeat(40), change: 'y', project: 'other' }],
      [{ change: 'users', project: 'flipr', committedAt: '2024-01-02 10:00:00+00' }],
    );
    expect(state).toMatchObject({ dirty: true, failedVersion: 'flipr:users', version: 'other:y' });
    expect(state.error).toContain('"users"');
  });

  it('against the fixture: the first reworked occurrence deployed, the rework pending', async () => {
    const dir = await readMigrationDirectory(FLIPR);
    const deployed = deployedState(dir, sqitchState('sqitch.changes', rows(4), []));
    expect(deployed.upToVersion).toBe('4');
    expect(deployed.pending.map((f) => f.path)).toEqual(['deploy/insert_user.sql']);
    expect(deployed.warnings).toEqual([]);
  });

  it('no change of this plan deployed but other ids are: the whole directory is compared, with a warning', async () => {
    const dir = await readMigrationDirectory(FLIPR);
    const deployed = deployedState(dir, sqitchState('sqitch.changes', [{ changeId: 'f'.repeat(40), change: 'z', project: 'zz' }], []));
    expect(deployed.upToVersion).toBeUndefined();
    expect(deployed.warnings[0]).toContain('f'.repeat(40));
  });

  it("the registry schema is excluded from every diff", () => {
    expect(revisionExcludeFilter().schema).toContain('sqitch');
  });
});
