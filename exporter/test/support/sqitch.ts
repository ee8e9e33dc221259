/**
 * Deploying a Sqitch fixture project as `sqitch deploy` does (Sqitch is a Perl tool the CI machines do not have; its
 * behaviour here follows App::Sqitch 1.3's Engine.pm, Role/DBIEngine.pm and its registry SQL, and the fixtures'
 * ids were checked against a real `sqitch deploy`):
 * - the registry: PostgreSQL the schema `sqitch` in the target database, MySQL the database `sqitch` on the server
 *   (Sqitch's default `registry`), with Sqitch's tables (`releases`, `projects`, `changes`, `tags`, `dependencies`,
 *   `events`) and columns; a `releases` row (1.1) and a `projects` row;
 * - each change not yet deployed, in plan order: its deploy script run as `psql`/`mysql` runs a file (statement by
 *   statement, the script's own BEGIN/COMMIT deciding transactions, stopping at the first error on a connection of its
 *   own), then its `changes` row, its `dependencies`, its `tags` and a `deploy` event;
 * - a script that fails gets a `fail` event and stops the run. The changes this run deployed before it would then be
 *   reverted (`deploy.mode` all); the tests fail only a run's first change, so there is nothing to revert.
 * The MySQL checkit() function and triggers of the registry are left out (they only guard `dependencies` rows).
 */
import type { DialectName } from '../../src/core/model/schema.ts';
import { splitMysqlStatements } from '../../src/dialects/mysql/split.ts';
import { splitPostgresStatements } from '../../src/dialects/postgres/split.ts';
import { readMigrationDirectory } from '../../src/migrations/index.ts';
import { parseSqitchPlan, type SqitchChange } from '../../src/migrations/sqitch-plan.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TempDatabase } from './servers.ts';
import { connectSql, type SqlClient } from './sql-client.ts';

/** The registry tables, as Sqitch's registry SQL creates them (registry 1.1). */
const REGISTRY: Record<DialectName, string[]> = {
  postgres: [
    'CREATE SCHEMA sqitch',
    `CREATE TABLE sqitch.releases (version REAL PRIMARY KEY, installed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
      installer_name TEXT NOT NULL, installer_email TEXT NOT NULL)`,
    `CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), creator_name TEXT NOT NULL, creator_email TEXT NOT NULL)`,
    `CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL,
      project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
      committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
      planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, script_hash))`,
    `CREATE TABLE sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL,
      project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
      change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
      committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
      planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, tag))`,
    `CREATE TABLE sqitch.dependencies (
      change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
      type TEXT NOT NULL, dependency TEXT NOT NULL,
      dependency_id TEXT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE CONSTRAINT dependencies_check CHECK (
        (type = 'require' AND dependency_id IS NOT NULL) OR (type = 'conflict' AND dependency_id IS NULL)),
      PRIMARY KEY (change_id, dependency))`,
    `CREATE TABLE sqitch.events (
      event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
      change_id TEXT NOT NULL, change TEXT NOT NULL,
      project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
      requires TEXT[] NOT NULL DEFAULT '{}', conflicts TEXT[] NOT NULL DEFAULT '{}', tags TEXT[] NOT NULL DEFAULT '{}',
      committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
      planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL,
      PRIMARY KEY (change_id, committed_at))`,
  ],
  mysql: [
    'CREATE DATABASE sqitch',
    `CREATE TABLE sqitch.releases (version FLOAT(4, 1) PRIMARY KEY, installed_at DATETIME(6) NOT NULL,
      installer_name VARCHAR(255) NOT NULL, installer_email VARCHAR(255) NOT NULL) ENGINE InnoDB, CHARACTER SET 'utf8'`,
    `CREATE TABLE sqitch.projects (project VARCHAR(255) PRIMARY KEY, uri VARCHAR(255) NULL UNIQUE,
      created_at DATETIME(6) NOT NULL, creator_name VARCHAR(255) NOT NULL, creator_email VARCHAR(255) NOT NULL)
      ENGINE InnoDB, CHARACTER SET 'utf8'`,
    `CREATE TABLE sqitch.changes (change_id VARCHAR(40) PRIMARY KEY, script_hash VARCHAR(40) NULL,
      \`change\` VARCHAR(255) NOT NULL, project VARCHAR(255) NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
      note TEXT NOT NULL, committed_at DATETIME(6) NOT NULL, committer_name VARCHAR(255) NOT NULL,
      committer_email VARCHAR(255) NOT NULL, planned_at DATETIME(6) NOT NULL, planner_name VARCHAR(255) NOT NULL,
      planner_email VARCHAR(255) NOT NULL, UNIQUE(project, script_hash)) ENGINE InnoDB, CHARACTER SET 'utf8'`,
    `CREATE TABLE sqitch.tags (tag_id VARCHAR(40) PRIMARY KEY, tag VARCHAR(255) NOT NULL,
      project VARCHAR(255) NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
      change_id VARCHAR(40) NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE, note VARCHAR(255) NOT NULL,
      committed_at DATETIME(6) NOT NULL, committer_name VARCHAR(255) NOT NULL, committer_email VARCHAR(255) NOT NULL,
      planned_at DATETIME(6) NOT NULL, planner_name VARCHAR(255) NOT NULL, planner_email VARCHAR(255) NOT NULL,
      UNIQUE(project, tag)) ENGINE InnoDB, CHARACTER SET 'utf8'`,
    `CREATE TABLE sqitch.dependencies (change_id VARCHAR(40) NOT NULL
        REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
      type VARCHAR(8) NOT NULL, dependency VARCHAR(255) NOT NULL,
      dependency_id VARCHAR(40) NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE,
      PRIMARY KEY (change_id, dependency)) ENGINE InnoDB, CHARACTER SET 'utf8'`,
    `CREATE TABLE sqitch.events (event ENUM ('deploy', 'fail', 'merge', 'revert') NOT NULL, change_id VARCHAR(40) NOT NULL,
      \`change\` VARCHAR(255) NOT NULL, project VARCHAR(255) NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
      note TEXT NOT NULL, requires TEXT NOT NULL, conflicts TEXT NOT NULL, tags TEXT NOT NULL, committed_at DATETIME(6) NOT NULL,
      committer_name VARCHAR(255) NOT NULL, committer_email VARCHAR(255) NOT NULL, planned_at DATETIME(6) NOT NULL,
      planner_name VARCHAR(255) NOT NULL, planner_email VARCHAR(255) NOT NULL, PRIMARY KEY (change_id, committed_at))
      ENGINE InnoDB, CHARACTER SET 'utf8'`,
  ],
};

const COMMITTER = ['Test Deployer', 'deployer@example.com'] as const;

/** Runs a deploy script as the command-line client does: statement by statement on a connection of its own. */
async function runScript(dialect: DialectName, url: string, sql: string): Promise<void> {
  const client = await connectSql(dialect, url);
  try {
    const statements = dialect === 'postgres' ? splitPostgresStatements(sql) : splitMysqlStatements(sql);
    for (const statement of statements) await client.query(statement.sql);
  } finally {
    await client.close();
  }
}

/** `sqitch deploy --to` the `count`-th change of the project in `dir`; returns the error a deploy script met. */
export async function deployWithSqitch(dialect: DialectName, db: TempDatabase, dir: string, count: number): Promise<Error | undefined> {
  const directory = await readMigrationDirectory(dir, { format: 'sqitch' });
  const plan = parseSqitchPlan(await readFile(path.join(dir, 'sqitch.plan'), 'utf8'), (m, l) => new Error(`sqitch.plan:${l}: ${m}`));
  const client = await connectSql(dialect, db.url);
  const now = dialect === 'postgres' ? 'clock_timestamp()' : 'utc_timestamp(6)';
  try {
    const registered = await client.query(
      `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'sqitch' AND table_name = 'changes'`,
    );
    if (Number(registered[0]?.n) === 0) {
      for (const ddl of REGISTRY[dialect]) await client.query(ddl);
      await client.query(`INSERT INTO sqitch.releases (version, installed_at, installer_name, installer_email) VALUES (1.1, ${now}, ?, ?)`, [...COMMITTER]);
    }
    const projects = await client.query('SELECT project FROM sqitch.projects WHERE project = ?', [plan.project]);
    if (projects.length === 0) {
      await client.query(`INSERT INTO sqitch.projects (project, uri, creator_name, creator_email, created_at) VALUES (?, ?, ?, ?, ${now})`, [
        plan.project,
        plan.uri ?? null,
        ...COMMITTER,
      ]);
    }
    const deployed = new Set((await client.query('SELECT change_id FROM sqitch.changes')).map((r) => String(r.change_id)));
    for (const [index, change] of plan.changes.slice(0, count).entries()) {
      if (deployed.has(change.id)) continue;
      const file = directory.files[index];
      if (!file) throw new Error(`no deploy script for ${change.name}`);
      try {
        await runScript(dialect, db.url, file.sql);
      } catch (err) {
        await logEvent(client, dialect, 'fail', plan.project, change, now);
        return err as Error;
      }
      const scriptHash = createHash('sha1').update(await readFile(path.join(dir, file.path))).digest('hex');
      await logDeploy(client, dialect, plan.project, plan.changes, change, scriptHash, now);
    }
    return undefined;
  } finally {
    await client.close();
  }
}

/** The rows `log_deploy_change` writes: `changes`, `dependencies`, `tags`, then a `deploy` event. */
async function logDeploy(
  client: SqlClient,
  dialect: DialectName,
  project: string,
  all: readonly SqitchChange[],
  change: SqitchChange,
  scriptHash: string,
  now: string,
): Promise<void> {
  const change_ = dialect === 'postgres' ? 'change' : '`change`';
  await client.query(
    `INSERT INTO sqitch.changes (change_id, script_hash, ${change_}, project, note, committer_name, committer_email,
       planned_at, planner_name, planner_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${now})`,
    [change.id, scriptHash, change.name, project, change.note, ...COMMITTER, plannedAt(dialect, change.planned), change.plannerName, change.plannerEmail],
  );
  const before = all.slice(0, all.indexOf(change));
  for (const [type, deps] of [['require', change.requires], ['conflict', change.conflicts]] as const) {
    for (const dependency of deps) {
      const [name, tag] = dependency.split('@');
      // A requirement resolves to the change deployed as of the tag (or the latest of that name before this one).
      const resolved = type === 'conflict' ? null : before.filter((c) => c.name === name && (!tag || c.line <= lineOfTag(all, tag))).at(-1)?.id;
      await client.query('INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES (?, ?, ?, ?)', [
        change.id,
        type,
        dependency,
        resolved ?? null,
      ]);
    }
  }
  for (const tag of change.tags) {
    await client.query(
      `INSERT INTO sqitch.tags (tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at,
         planner_name, planner_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${now})`,
      [tag.id, `@${tag.name}`, project, change.id, tag.note, ...COMMITTER, plannedAt(dialect, tag.planned), tag.plannerName, tag.plannerEmail],
    );
  }
  await logEvent(client, dialect, 'deploy', project, change, now);
}

function lineOfTag(all: readonly SqitchChange[], tag: string): number {
  const owner = all.find((c) => c.tags.some((t) => t.name === tag));
  return owner ? owner.line : Number.POSITIVE_INFINITY;
}

/** `_log_event`: PostgreSQL keeps requires/conflicts/tags as arrays, MySQL as `,`/` `-joined text. */
async function logEvent(client: SqlClient, dialect: DialectName, event: string, project: string, change: SqitchChange, now: string): Promise<void> {
  const tags = change.tags.map((t) => `@${t.name}`);
  const lists = dialect === 'postgres' ? [change.requires, change.conflicts, tags] : [change.requires.join(','), change.conflicts.join(','), tags.join(' ')];
  const change_ = dialect === 'postgres' ? 'change' : '`change`';
  await client.query(
    `INSERT INTO sqitch.events (event, change_id, ${change_}, project, note, requires, conflicts, tags, committer_name,
       committer_email, planned_at, planner_name, planner_email, committed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${now})`,
    [event, change.id, change.name, project, change.note, ...lists, ...COMMITTER, plannedAt(dialect, change.planned), change.plannerName, change.plannerEmail],
  );
}

/** The plan's `2024-01-02T09:00:00Z` as each server takes a UTC timestamp. */
function plannedAt(dialect: DialectName, planned: string): string {
  return dialect === 'postgres' ? planned : planned.replace('T', ' ').replace('Z', '');
}

/** Drops MySQL's server-wide registry database (PostgreSQL's goes with its database). */
export async function dropMysqlRegistry(db: TempDatabase): Promise<void> {
  const client = await connectSql('mysql', db.url);
  try {
    await client.query('DROP DATABASE IF EXISTS sqitch');
  } finally {
    await client.close();
  }
}
