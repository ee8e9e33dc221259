/**
 * Sqitch project directories: the plan (`sqitch.plan`) decides which changes exist and their order; each change is
 * replayed from its deploy script, `deploy/<name>.sql` (an occurrence reworked later: `deploy/<name>@<tag>.sql`).
 * `revert/` and `verify/` are listed as not applied. Where the files are comes from `sqitch.conf` as Sqitch reads it
 * for the default target: `engine.<engine>.<key>` over `core.<key>` for `top_dir`, `plan_file`, `deploy_dir`,
 * `reworked_dir`, `reworked_deploy_dir` and `extension`, paths relative to the project directory.
 *
 * Each change is a `MigrationFile` numbered `1`, `2`, ... in plan order, keyed by its change id. Keying on the id
 * rather than on `project:name` is what Sqitch itself does (it looks the registry's latest change id up in the plan):
 * a reworked change has one name but an id per occurrence, so only the id tells which occurrence is deployed.
 * Deploy scripts usually hold their own `BEGIN;` … `COMMIT;`; the replays run them as they are (PostgreSQL ignores
 * the nested BEGIN and the outer COMMIT with a warning; MySQL runs them as statements).
 * Departures: target-level settings (`target.<name>.*`), `--set` variables in scripts, and `%syntax-version` other
 * than 1.0.0 are not read.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readContained } from './contained.ts';
import { type DirListing, type FormatResult, fileError, makeFile } from './entries.ts';
import { parseSqitchPlan, type SqitchChange } from './sqitch-plan.ts';
import type { DeclaredProvider, IgnoredFile, MigrationFile } from './types.ts';

/** The plan file at the top of a project directory (the detection sign). */
export const SQITCH_PLAN = 'sqitch.plan';
/** The project configuration. */
export const SQITCH_CONF = 'sqitch.conf';

/** The provider names (as Prisma's `migration_lock.toml` writes them) that Sqitch's engines stand for. */
const ENGINE_PROVIDERS: Record<string, string> = { pg: 'postgresql', mysql: 'mysql' };

/** Where Sqitch finds a project's files. */
export interface SqitchLayout {
  readonly engine?: string;
  readonly planFile: string;
  readonly deployDir: string;
  readonly reworkedDeployDir: string;
  readonly extension: string;
}

/** Reads a Sqitch project directory; a change whose deploy script is missing is an error naming its plan line. */
export async function readSqitch(dir: string, listing: DirListing): Promise<FormatResult> {
  const conf = listing.entries.find((e) => e.name === SQITCH_CONF);
  const layout = sqitchLayout(conf ? parseGitConfig(conf.text) : new Map());
  const planFile = await readContained(dir, path.join(dir, layout.planFile), layout.planFile);
  if (!planFile) throw fileError(dir, layout.planFile, 'cannot read the Sqitch plan: it does not exist');
  const planText = planFile.text;
  const plan = parseSqitchPlan(planText, (message, line) => fileError(dir, layout.planFile, message, line));
  const files: MigrationFile[] = [];
  const used = new Set<string>();
  for (const [index, change] of plan.changes.entries()) {
    const script = await deployScript(dir, layout, change);
    if (!script) {
      const expected = scriptCandidates(layout, change)[0] as string;
      throw fileError(dir, layout.planFile, `deploy script ${expected} of change "${change.name}" is missing`, change.line);
    }
    used.add(script.path);
    const entry = { name: script.path, bytes: script.bytes, text: script.bytes.toString('utf8') };
    files.push({ ...makeFile(entry, { version: String(index + 1), description: describe(change, script.path) }), key: change.id });
  }
  const ignored = [...(await unusedScripts(dir, layout.deployDir, used)), ...otherFiles(listing, layout)];
  const provider: DeclaredProvider | undefined = layout.engine
    ? { name: ENGINE_PROVIDERS[layout.engine] ?? layout.engine, file: SQITCH_CONF }
    : undefined;
  return { files, ignored, readsSubdirectories: true, ...(provider ? { provider } : {}) };
}

/** The layout from `sqitch.conf`'s settings (`section.key` → value). */
export function sqitchLayout(config: ReadonlyMap<string, string>): SqitchLayout {
  const engine = config.get('core.engine');
  const get = (key: string): string | undefined => (engine ? config.get(`engine.${engine}.${key}`) : undefined) ?? config.get(`core.${key}`);
  const top = get('top_dir') ?? '.';
  const reworked = get('reworked_dir') ?? top;
  const norm = (p: string): string => path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/$/, '');
  return {
    ...(engine ? { engine } : {}),
    planFile: norm(get('plan_file') ?? path.posix.join(top, SQITCH_PLAN)),
    deployDir: norm(get('deploy_dir') ?? path.posix.join(top, 'deploy')),
    reworkedDeployDir: norm(get('reworked_deploy_dir') ?? path.posix.join(reworked, 'deploy')),
    extension: get('extension') ?? 'sql',
  };
}

/**
 * The few Git-config rules `sqitch.conf` uses: `[section]` and `[section "sub"]` headers, `key = value` lines,
 * `#`/`;` comments, double-quoted values. Keys are `section.key` or `section.sub.key`, section and key lower-cased.
 */
export function parseGitConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\s\]"]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]$/.exec(line);
    if (header) {
      section = header[2] === undefined ? (header[1] as string).toLowerCase() : `${(header[1] as string).toLowerCase()}.${header[2]}`;
      continue;
    }
    const pair = /^([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!pair || section === '') continue;
    values.set(`${section}.${(pair[1] as string).toLowerCase()}`, configValue(pair[2] ?? 'true'));
  }
  return values;
}

/** A value without its trailing comment and with quotes removed. */
function configValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < raw.length) out += raw[++i];
    else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return out.trim();
}

/** The paths Sqitch tries for a change's deploy script, in order. */
function scriptCandidates(layout: SqitchLayout, change: SqitchChange): string[] {
  const ext = `.${layout.extension}`;
  if (change.reworkTags.length === 0) return [path.posix.join(layout.deployDir, `${change.name}${ext}`)];
  return change.reworkTags.map((tag) => path.posix.join(layout.reworkedDeployDir, `${change.name}@${tag}${ext}`));
}

async function deployScript(dir: string, layout: SqitchLayout, change: SqitchChange): Promise<{ path: string; bytes: Buffer } | undefined> {
  for (const candidate of scriptCandidates(layout, change)) {
    const script = await readContained(dir, path.join(dir, candidate), candidate);
    if (script) return { path: candidate, bytes: script.bytes };
  }
  return undefined;
}

function describe(change: SqitchChange, script: string): string {
  return script.includes('@') ? `${change.name} (before its rework)` : change.name;
}

/** Scripts in the deploy directory that no plan change uses: Sqitch never runs them. */
async function unusedScripts(dir: string, deployDir: string, used: ReadonlySet<string>): Promise<IgnoredFile[]> {
  const names = await readdir(path.join(dir, deployDir), { recursive: true, withFileTypes: true }).catch(() => []);
  return names
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .map((d) => path.posix.join(deployDir, path.relative(path.join(dir, deployDir), path.join(d.parentPath, d.name)).split(path.sep).join('/')))
    .filter((p) => !used.has(p))
    .map((p) => ({ path: p, reason: 'deploy script of no change in the plan (Sqitch never runs it)', warn: true }));
}

/** The directory's other files and folders: revert/ and verify/ are Sqitch's, the rest is not read. */
function otherFiles(listing: DirListing, layout: SqitchLayout): IgnoredFile[] {
  const top = (p: string): string => p.split('/')[0] as string;
  const usedTop = new Set([top(layout.planFile), top(layout.deployDir), top(layout.reworkedDeployDir), SQITCH_CONF]);
  const files = listing.entries.filter((e) => !usedTop.has(e.name)).map((e) => ({ path: e.name, reason: 'not a Sqitch plan or deploy script' }));
  const folders = listing.subdirectories
    .filter((s) => !usedTop.has(s.name))
    .map((s) => ({
      path: `${s.name}/`,
      reason:
        s.name === 'revert' || s.name === 'verify'
          ? `Sqitch ${s.name} scripts (not replayed: only deploy scripts build the schema)`
          : 'subdirectory (not read)',
    }));
  return [...files, ...folders];
}
