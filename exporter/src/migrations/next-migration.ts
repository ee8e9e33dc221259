/**
 * The drift written as the next migration of a directory, in the directory's own format and naming, so that a team
 * keeping a hot-fix commits one file (plus the bookkeeping its tool keeps: Atlas's `atlas.sum`, drizzle-kit's
 * journal entry). Pure: the caller reads what the format rewrites and writes what comes back (`write-migration.ts`).
 *
 * Per format (each tool's documented layout):
 * - plain `<n>_<name>.sql`; golang-migrate `<n>_<name>.up.sql` + `.down.sql`; Flyway `V<n>__<name>.sql` (with
 *   `<file>.conf` `executeInTransaction=false` when a statement cannot run in a transaction);
 * - Atlas `<n>_<name>.sql` (its golang-migrate layout: `.up.sql` + `.down.sql`) and `atlas.sum` recomputed, with
 *   `-- atlas:txmode none` on the first line when needed;
 * - dbmate `-- migrate:up` / `-- migrate:down`, each with `transaction:false` when its own statements need it; goose
 *   `-- +goose Up` / `Down`, statements holding inner semicolons inside `StatementBegin`/`StatementEnd`,
 *   `NO TRANSACTION` (which covers the whole file) when either part needs it; node-pg-migrate `-- Up Migration` /
 *   `-- Down Migration` (its `-- no transaction` covers the whole file too);
 * - plain, golang-migrate, Prisma and drizzle-kit have no switch: the header says what to do instead of claiming
 *   the file runs outside a transaction;
 * - Prisma `<timestamp>_<name>/migration.sql`; drizzle-kit (journal layout) `<NNNN>_<name>.sql` with
 *   `--> statement-breakpoint` between statements and a `meta/_journal.json` entry.
 * - Sqitch: a plan line and `deploy/`, `revert/`, `verify/` scripts (`sqitch.conf`'s default folders only).
 * drizzle-kit's folder layout (it needs a `snapshot.json` only drizzle-kit writes), Liquibase (a changelog to edit)
 * and schema files (no versions) are refused with the reason.
 */
import { sqlComment } from '../core/render/sql-comment.ts';
import { ConfigError } from '../core/errors.ts';
import type { Hazard } from '../core/model/plan.ts';
import { ATLAS_SUM_FILE, type AtlasSumInput, computeAtlasSum, formatAtlasSum } from './atlas-sum.ts';
import { DRIZZLE_JOURNAL } from './format-drizzle.ts';
import { parseSqitchPlan } from './sqitch-plan.ts';
import { nextFlywayVersion, nextNumericVersion, slugName } from './next-version.ts';
import type { MigrationDirectory, MigrationFormat } from './types.ts';
import { compareVersions } from './versions.ts';

/** One statement of the migration (a planned statement). */
export interface MigrationStatement {
  readonly sql: string;
  readonly comment: string;
  readonly hazards: readonly Hazard[];
  /** The statement cannot run inside a transaction block. */
  readonly noTransaction?: boolean;
}

/** What to write: the up statements, the down ones (or why there are none), and the file's header. */
export interface NextMigrationRequest {
  readonly directory: Pick<MigrationDirectory, 'dir' | 'format' | 'files'>;
  /** The statements that turn the directory's schema into the database's. */
  readonly up: readonly MigrationStatement[];
  /** The statements that undo them (the reconcile plan), or why there are none. */
  readonly down: readonly MigrationStatement[] | { readonly error: string };
  /** Comment lines (without `-- `) at the top of the file: what it is and where it came from. */
  readonly header: readonly string[];
  /** The migration's name, as the user gave it (slugged here). */
  readonly name: string;
  readonly now: Date;
  /** Atlas: every `*.sql` file of the directory, as Atlas hashes them. */
  readonly atlasFiles?: readonly AtlasSumInput[];
  /** drizzle-kit: the journal's text. */
  readonly journal?: string;
  /** Sqitch: the plan's text and where the project keeps its files (`sqitch.conf`, default layout only). */
  readonly sqitch?: SqitchFiles;
}

/** A Sqitch project's plan and script folders, relative to the directory. */
export interface SqitchFiles {
  readonly planFile: string;
  readonly planText: string;
  readonly deployDir: string;
  readonly revertDir: string;
  readonly verifyDir: string;
  readonly engine?: string;
}

/** One file to write, relative to the directory. `replaces`: a bookkeeping file rewritten, not a new one. */
export interface MigrationFileOut {
  readonly path: string;
  readonly content: string;
  readonly replaces: boolean;
}

/** The files of the next migration, the migration file first. */
export interface NextMigration {
  readonly format: MigrationFormat;
  readonly version: string;
  readonly files: MigrationFileOut[];
}

/** Formats whose next migration is not written, and why (shown as the error). */
const REFUSED: Partial<Record<MigrationFormat, string>> = {
  'drizzle-folders': 'drizzle-kit 1.x folders need a snapshot.json that only drizzle-kit writes; run "drizzle-kit generate --custom" and paste the SQL of --format sql',
  liquibase: 'a Liquibase changeset must also be added to the master changelog; paste the SQL of --format sql into a new "--changeset" of your changelog',
  schema: 'a schema file has no migrations to add to; update it from "schema-drift inspect --format sql" of the database',
};

/** The formats {@link nextMigration} writes. */
export const WRITABLE_FORMATS: readonly MigrationFormat[] = [
  'plain', 'golang-migrate', 'flyway', 'atlas', 'dbmate', 'prisma', 'drizzle', 'goose', 'node-pg-migrate', 'sqitch',
];

/**
 * The next migration of `request.directory`.
 * @throws ConfigError (file = the directory) for a format that is not written, or an unreadable journal.
 */
export function nextMigration(request: NextMigrationRequest): NextMigration {
  const { format, dir } = request.directory;
  const refused = REFUSED[format];
  if (refused !== undefined || !WRITABLE_FORMATS.includes(format)) {
    throw new ConfigError(`cannot write a ${format} migration: ${refused ?? 'format not supported'}`, { file: dir });
  }
  const name = slugName(request.name);
  switch (format) {
    case 'flyway':
      return flyway(request, name);
    case 'atlas':
      return atlas(request, name);
    case 'drizzle':
      return drizzle(request, name);
    case 'sqitch':
      return sqitch(request, name);
    default:
      return numbered(request, format, name);
  }
}

/** plain, golang-migrate, dbmate, goose, node-pg-migrate, Prisma: `<version><sep><name>` after the highest version. */
function numbered(request: NextMigrationRequest, format: MigrationFormat, name: string): NextMigration {
  const version = nextNumericVersion(highestLeadingNumber(request), request.now);
  const up = request.up;
  const header = headerLines(request, format);
  const down = downText(request);
  const downNoTx = needsNoTransaction(downStatements(request));
  const files: MigrationFileOut[] = [];
  const add = (path: string, content: string): void => void files.push({ path, content, replaces: false });
  switch (format) {
    case 'plain':
      add(`${version}${plainSeparator(request)}${name}.sql`, `${header}\n${body(up)}`);
      break;
    case 'golang-migrate':
      add(`${version}_${name}.up.sql`, `${header}\n${body(up)}`);
      add(`${version}_${name}.down.sql`, downFile(down, downNoTx ? [noSwitchNote('golang-migrate', downStatements(request))] : []));
      break;
    case 'dbmate': {
      // dbmate reads the options of each section on its own marker line.
      const options = needsNoTransaction(up) ? ' transaction:false' : '';
      const downOptions = downNoTx ? ' transaction:false' : '';
      add(`${version}_${name}.sql`, `-- migrate:up${options}\n${header}\n${body(up)}\n-- migrate:down${downOptions}\n${down}`);
      break;
    }
    case 'goose': {
      // NO TRANSACTION applies to the whole file, the Down part included (goose's documentation).
      const noTx = needsNoTransaction(up) || downNoTx ? '-- +goose NO TRANSACTION\n' : '';
      add(`${version}_${name}.sql`, `${noTx}-- +goose Up\n${header}\n${gooseBody(up)}\n-- +goose Down\n${downGoose(request)}`);
      break;
    }
    case 'node-pg-migrate': {
      // Like goose's, the directive covers the whole file.
      const noTx = needsNoTransaction(up) || downNoTx ? '-- no transaction\n' : '';
      add(`${version}_${name}.sql`, `${noTx}-- Up Migration\n${header}\n${body(up)}\n-- Down Migration\n${down}`);
      break;
    }
    case 'prisma':
      add(`${version}_${name}/migration.sql`, `${header}\n${body(up)}`);
      break;
    default:
      throw new ConfigError(`internal: no numbered layout for format ${format}`);
  }
  return { format, version, files };
}

function flyway(request: NextMigrationRequest, name: string): NextMigration {
  let highest: { normalised: string; raw: string } | undefined;
  for (const file of request.directory.files) {
    const raw = /^V(.+?)__/.exec(file.path)?.[1];
    if (raw === undefined || file.version === null) continue;
    if (!highest || compareVersions(file.version, highest.normalised) > 0) highest = { normalised: file.version, raw };
  }
  const version = nextFlywayVersion(highest?.raw, request.now);
  const path = `V${version}__${name}.sql`;
  const files: MigrationFileOut[] = [{ path, content: `${headerLines(request, 'flyway')}\n${body(request.up)}`, replaces: false }];
  // Flyway's script configuration file; the reader honours it too.
  if (needsNoTransaction(request.up)) files.push({ path: `${path}.conf`, content: 'executeInTransaction=false\n', replaces: false });
  return { format: 'flyway', version, files };
}

function atlas(request: NextMigrationRequest, name: string): NextMigration {
  const version = nextNumericVersion(highestLeadingNumber(request), request.now);
  // A directive must be on the first line for Atlas to read it.
  const txmode = needsNoTransaction(request.up) ? '-- atlas:txmode none\n\n' : '';
  const upText = `${txmode}${headerLines(request, 'atlas')}\n${body(request.up)}`;
  const golang = request.directory.files.some((f) => f.path.endsWith('.up.sql'));
  // The down file is a file of its own: its directive is decided by its own statements.
  const downTxmode = needsNoTransaction(downStatements(request)) ? '-- atlas:txmode none\n\n' : '';
  const files: MigrationFileOut[] = golang
    ? [
        { path: `${version}_${name}.up.sql`, content: upText, replaces: false },
        { path: `${version}_${name}.down.sql`, content: `${downTxmode}${downFile(downText(request), [])}`, replaces: false },
      ]
    : [{ path: `${version}_${name}.sql`, content: upText, replaces: false }];
  const inputs: AtlasSumInput[] = [
    ...(request.atlasFiles ?? []),
    ...files.map((f) => ({ name: f.path, bytes: Buffer.from(f.content, 'utf8') })),
  ];
  files.push({ path: ATLAS_SUM_FILE, content: formatAtlasSum(computeAtlasSum(inputs)), replaces: true });
  return { format: 'atlas', version, files };
}

/** drizzle-kit's journal: the fields it writes, kept as read (unknown ones included) for the rewrite. */
interface Journal {
  version?: string;
  entries: { idx?: number; version?: string; when: number; tag: string; breakpoints?: boolean }[];
  [key: string]: unknown;
}

function drizzle(request: NextMigrationRequest, name: string): NextMigration {
  const file = `${request.directory.dir}/${DRIZZLE_JOURNAL}`;
  let journal: Journal;
  try {
    journal = JSON.parse(request.journal ?? '') as Journal;
  } catch (cause) {
    throw new ConfigError(`${DRIZZLE_JOURNAL} is not valid JSON`, { file }, { cause });
  }
  if (!journal || !Array.isArray(journal.entries)) throw new ConfigError(`${DRIZZLE_JOURNAL} has no entries list`, { file });
  const last = journal.entries.at(-1);
  const idx = journal.entries.length;
  const width = last ? (/^(\d+)_/.exec(last.tag)?.[1]?.length ?? 4) : 4;
  const tag = `${String(idx).padStart(width, '0')}_${name}`;
  const when = Math.max(request.now.getTime(), (last?.when ?? 0) + 1);
  const entry = { idx, version: last?.version ?? journal.version ?? '7', when, tag, breakpoints: true };
  const updated = { ...journal, entries: [...journal.entries, entry] };
  const indent = /\n\t/.test(request.journal ?? '') ? '\t' : 2;
  const statements = request.up.map(statementText);
  const content = `${headerLines(request, 'drizzle')}\n${statements.join('--> statement-breakpoint\n')}`;
  return {
    format: 'drizzle',
    version: String(when),
    files: [
      { path: `${tag}.sql`, content, replaces: false },
      { path: DRIZZLE_JOURNAL, content: `${JSON.stringify(updated, null, indent)}\n`, replaces: true },
    ],
  };
}

/**
 * Sqitch: a change line appended to the plan (planner as the plan's last change names, no dependencies: the plan's
 * order applies it last), and its deploy, revert and verify scripts in Sqitch's own shape (`sqitch add`'s templates:
 * a `-- Deploy project:change to engine` line, the body between `BEGIN;` and `COMMIT;` unless a statement cannot run
 * in a transaction). The change id is Sqitch's to compute from the line, as the reader does.
 */
function sqitch(request: NextMigrationRequest, name: string): NextMigration {
  const files = request.sqitch;
  const { dir } = request.directory;
  if (!files) throw new ConfigError('internal: the Sqitch plan was not read', { file: dir });
  const plan = parseSqitchPlan(files.planText, (message, line) => new ConfigError(message, { file: `${dir}/${files.planFile}`, line }));
  if (plan.changes.some((c) => c.name === name)) {
    throw new ConfigError(`the Sqitch plan has a change named "${name}" already (reworking it needs a tag): give another --name`, { file: `${dir}/${files.planFile}` });
  }
  const last = plan.changes.at(-1);
  const planner = last ? `${last.plannerName} <${last.plannerEmail}>` : 'schema-drift <schema-drift@localhost>';
  const planned = request.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const line = `${name} ${planned} ${planner} # Keeps a hot-fix as a change (schema-drift).`;
  const planText = `${files.planText}${files.planText.endsWith('\n') || files.planText === '' ? '' : '\n'}${line}\n`;
  const engine = files.engine ?? 'pg';
  // Deploy and revert are scripts of their own: each is wrapped unless one of its own statements cannot be.
  const wrap = (kind: string, text: string, tx: boolean): string =>
    tx ? `-- ${kind} ${plan.project}:${name} to ${engine}\n\nBEGIN;\n\n${text}\nCOMMIT;\n` : `-- ${kind} ${plan.project}:${name} to ${engine}\n\n${text}`;
  return {
    format: 'sqitch',
    version: String(plan.changes.length + 1),
    files: [
      { path: `${files.deployDir}/${name}.sql`, content: wrap('Deploy', `${headerLines(request, 'sqitch')}\n${body(request.up)}`, !needsNoTransaction(request.up)), replaces: false },
      { path: `${files.revertDir}/${name}.sql`, content: wrap('Revert', downText(request), !needsNoTransaction(downStatements(request))), replaces: false },
      // The drift is what the database has already; verify only that the session works, as sqitch add's template.
      { path: `${files.verifyDir}/${name}.sql`, content: `-- Verify ${plan.project}:${name} on ${engine}\n\nBEGIN;\n\nSELECT 1;\n\nROLLBACK;\n`, replaces: false },
      { path: files.planFile, content: planText, replaces: true },
    ],
  };
}

/** The highest leading number of the migrations' first path segment (`<n>_x.sql`, `<n>_x/migration.sql`). */
function highestLeadingNumber(request: NextMigrationRequest): string | undefined {
  let highest: string | undefined;
  for (const file of request.directory.files) {
    const digits = /^(\d+)/.exec(file.path.split('/')[0] ?? '')?.[1];
    if (digits !== undefined && (highest === undefined || compareVersions(digits, highest) > 0)) highest = digits;
  }
  return highest;
}

/** The separator of the last plain file name (`1_init.sql`, `002-users.sql`). */
function plainSeparator(request: NextMigrationRequest): string {
  const last = request.directory.files.at(-1)?.path ?? '';
  return /^\d+([_\-. ]+)/.exec(last)?.[1] ?? '_';
}

function needsNoTransaction(statements: readonly MigrationStatement[]): boolean {
  return statements.some((s) => s.noTransaction === true);
}

/** The down part's statements (none when it could not be planned). */
function downStatements(request: NextMigrationRequest): readonly MigrationStatement[] {
  return 'error' in request.down ? [] : request.down;
}

/** Formats whose tool has no switch to run a file outside a transaction: the header says what to do instead. */
const NO_SWITCH: Partial<Record<MigrationFormat, string>> = {
  plain: 'plain SQL',
  'golang-migrate': 'golang-migrate',
  prisma: 'Prisma',
  // drizzle-kit's migrator applies every pending migration in one transaction.
  drizzle: 'drizzle-kit',
};

/** What to do with statements that cannot run in a transaction, for a tool without a switch for it. */
function noSwitchNote(tool: string, statements: readonly MigrationStatement[]): string {
  const which = statements.filter((s) => s.noTransaction === true).map((s) => s.comment).join('; ');
  return sqlComment(
    `NOTE: ${tool} has no switch to run a file outside a transaction, and this cannot run inside one (${which}): ` +
      'keep such a statement alone in a migration file of its own (split this file if it holds others), or apply it by hand.',
  );
}

/** The header's line about transactions: what the format's switch does, or what the user must do without one. */
function transactionLine(request: NextMigrationRequest, format: MigrationFormat): string | undefined {
  const up = needsNoTransaction(request.up);
  const down = needsNoTransaction(downStatements(request));
  const noSwitch = NO_SWITCH[format];
  if (noSwitch !== undefined) return up ? noSwitchNote(noSwitch, request.up) : undefined;
  // goose and node-pg-migrate switch the whole file: a down statement takes the up part out of the transaction too.
  if (format === 'goose' || format === 'node-pg-migrate') {
    if (!up && !down) return undefined;
    const part = up && down ? 'the up and the down part' : up ? 'the up part' : 'the down part';
    return `-- Runs outside a transaction, up and down alike (the switch covers the whole file): a statement in ${part} cannot run inside one.`;
  }
  return up ? '-- Runs outside a transaction: a statement in it cannot run inside one.' : undefined;
}

/** The header: what the file is, then each statement with a hazard (data loss first), as comments. */
function headerLines(request: NextMigrationRequest, format: MigrationFormat): string {
  const lines = request.header.map((l) => sqlComment(l));
  const hazardous = request.up.filter((s) => s.hazards.length > 0);
  const order = (s: MigrationStatement): number => (s.hazards.includes('data_loss') ? 0 : 1);
  for (const s of [...hazardous].sort((a, b) => order(a) - order(b))) {
    lines.push(sqlComment(`HAZARD ${s.hazards.join(', ')}: ${s.comment}`));
  }
  const transaction = transactionLine(request, format);
  if (transaction !== undefined) lines.push(transaction);
  return `${lines.join('\n')}\n`;
}

function commentLines(statement: MigrationStatement): string[] {
  const lines = [sqlComment(statement.comment)];
  if (statement.hazards.length) lines.push(`-- hazards: ${statement.hazards.join(', ')}`);
  return lines;
}

function statementText(statement: MigrationStatement): string {
  return `${[...commentLines(statement), statement.sql.trim()].join('\n')}\n`;
}

function body(statements: readonly MigrationStatement[]): string {
  return statements.map(statementText).join('\n');
}

/** The down section's text: the reverse plan, or a comment saying why there is none. */
function downText(request: NextMigrationRequest): string {
  if ('error' in request.down) return `${sqlComment(`no down migration: ${request.down.error}`)}\n`;
  return request.down.length ? body(request.down) : '-- nothing to undo\n';
}

function downFile(down: string, notes: readonly string[]): string {
  const head = ['-- undoes the up migration beside it: the database as its migrations had it, without the hot-fix', ...notes];
  return `${head.join('\n')}\n\n${down}`;
}

/**
 * goose sends each statement at a line ending in `;`: a statement with such a line before its end (a function body)
 * is wrapped in `StatementBegin`/`StatementEnd`, as goose requires.
 */
function gooseBody(statements: readonly MigrationStatement[]): string {
  return statements
    .map((s) => {
      const lines = s.sql.trim().split('\n');
      const inner = lines.slice(0, -1).some((l) => /;\s*$/.test(l.replace(/--.*$/, '')));
      if (!inner) return statementText(s);
      return `${commentLines(s).join('\n')}\n-- +goose StatementBegin\n${s.sql.trim()}\n-- +goose StatementEnd\n`;
    })
    .join('\n');
}

function downGoose(request: NextMigrationRequest): string {
  return 'error' in request.down || request.down.length === 0 ? downText(request) : gooseBody(request.down);
}
