/**
 * The real migrators of `fixtures/command/` (installed from npm as devDependencies), run the way a team runs them:
 * their own CLI, in their project folder, with `DATABASE_URL` naming the database. `deploy` plays the team's deploy on
 * a live test database; `command` is what a target's `desired.command` runs against the scratch database.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = path.join(REPO, 'exporter/test/fixtures/command');
/** The tools' CLIs, run with this Node (a clean PATH need not have it). */
export const KNEX_CLI = path.join(REPO, 'node_modules/knex/bin/cli.js');
export const NODE_PG_MIGRATE_CLI = path.join(REPO, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js');

/** A migrator's project and how to run it. */
export interface MigratorProject {
  readonly name: string;
  /** Project folder: the command's working directory. */
  readonly dir: string;
  /** Deploys the whole project, as `desired.command` builds it. */
  readonly command: readonly string[];
  /** Deploys only the first two of the three migrations. */
  readonly upToSecond: readonly (readonly string[])[];
  /** The version of the third migration, as the tool's revision table records it. */
  readonly lastVersion: string;
  /** The migrator's own tables, which must never show up in a diff. */
  readonly bookkeeping: RegExp;
}

export const KNEX: MigratorProject = {
  name: 'knex',
  dir: path.join(FIXTURES, 'knex'),
  command: [process.execPath, KNEX_CLI, '--knexfile', 'knexfile.cjs', 'migrate:latest'],
  upToSecond: [
    [process.execPath, KNEX_CLI, '--knexfile', 'knexfile.cjs', 'migrate:up'],
    [process.execPath, KNEX_CLI, '--knexfile', 'knexfile.cjs', 'migrate:up'],
  ],
  lastVersion: '20240103000000_order_status.cjs',
  bookkeeping: /knex_migrations/,
};

/**
 * Knex up to the deployed version: `migrate:up <name>` runs that one migration, so each file is run in name order until
 * `{{version}}` (the recorded file name); empty (the second run, to the latest) runs `migrate:latest`.
 */
export const KNEX_TO_VERSION =
  `K() { "${process.execPath}" "${KNEX_CLI}" --knexfile knexfile.cjs "$@"; }; ` +
  `if [ -z {{version}} ]; then K migrate:latest; else for f in $(ls migrations | sort); do K migrate:up "$f" || exit 1; ` +
  `[ "$f" = {{version}} ] && break; done; fi`;

export const NODE_PG_MIGRATE: MigratorProject = {
  name: 'node-pg-migrate',
  dir: path.join(FIXTURES, 'node-pg-migrate'),
  command: [process.execPath, NODE_PG_MIGRATE_CLI, 'up'],
  upToSecond: [[process.execPath, NODE_PG_MIGRATE_CLI, 'up', '2']],
  lastVersion: '1704240000000_order-status',
  bookkeeping: /pgmigrations/,
};

/**
 * node-pg-migrate up to the deployed version: `up --timestamp N` runs the migrations whose timestamp is at most N, and
 * `{{version}}` is the recorded name (`<timestamp>_<name>`), so the shell keeps its timestamp. Empty (the second run,
 * to the latest) leaves `--timestamp` without a number, which runs them all.
 */
export const NODE_PG_MIGRATE_TO_VERSION = `"${process.execPath}" "${NODE_PG_MIGRATE_CLI}" up --timestamp $(echo {{version}} | cut -d_ -f1)`;

/** Runs `argv` in the project with `DATABASE_URL` (and nothing else of ours) naming `url`. */
export async function runMigrator(project: MigratorProject, argv: readonly string[], url: string): Promise<void> {
  const [file, ...args] = argv;
  await run(file ?? '', args, { cwd: project.dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: url } });
}

/** The team's deploy: the whole project, or (`'second'`) its first two migrations. */
export async function deploy(project: MigratorProject, url: string, upTo: 'all' | 'second' = 'all'): Promise<void> {
  for (const argv of upTo === 'all' ? [project.command] : project.upToSecond) await runMigrator(project, argv, url);
}
