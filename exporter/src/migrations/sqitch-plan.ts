/**
 * Sqitch's plan file (`sqitch.plan`), as App::Sqitch::Plan parses it (sqitch 1.x, syntax version 1.0.0):
 * - a header of `%name=value` pragmas (`%syntax-version`, `%project` required, `%uri` optional) ended by the first
 *   blank line;
 * - then change lines `[+]name [deps] <timestamp> planner <email> # note` and tag lines `@tag <timestamp> planner
 *   <email> # note` (a tag labels the change before it); `#` starts a note anywhere, blank and comment lines are kept
 *   out; dependencies are `[a !b project:c d@tag]` (`!` conflicts, everything else requires).
 * - A change name may appear again after a tag (`sqitch rework`): each occurrence is its own change, the last one
 *   deployed from `deploy/<name>.sql`, the earlier ones from `deploy/<name>@<tag>.sql` (the first of the tags between
 *   the occurrence and its rework, latest first, whose file exists).
 *
 * Every change has an id: the SHA-1 Sqitch computes over the change's plan info (project, uri, name, the previous
 * change's id, planner, date, dependencies, note), which is what `sqitch.changes.change_id` holds. It chains like a
 * Git commit: editing an earlier line of the plan changes the ids of every change after it, and Sqitch itself then
 * stops (`Cannot find change <id> in the plan`).
 * Departure: a revert line (`-name`) is refused, not replayed backwards; a change name holding `[` or `]` is refused.
 */
import { createHash } from 'node:crypto';

/** One change line of the plan. */
export interface SqitchChange {
  readonly name: string;
  /** 1-based line in the plan file. */
  readonly line: number;
  /** Required dependencies as Sqitch writes them in the change info (`change`, `change@tag`, `other:change`). */
  readonly requires: readonly string[];
  readonly conflicts: readonly string[];
  /** `YYYY-MM-DDTHH:MM:SSZ`, as in the plan. */
  readonly planned: string;
  readonly plannerName: string;
  readonly plannerEmail: string;
  readonly note: string;
  /** Tags placed right after this change. */
  readonly tags: readonly SqitchTag[];
  /** The change id Sqitch records in `sqitch.changes.change_id`. */
  readonly id: string;
  /**
   * For an occurrence that was reworked later in the plan: the tags between it and its rework, latest first, then
   * its own tags; its deploy script is `<name>@<tag>.sql` for the first of them whose file exists. Empty otherwise.
   */
  readonly reworkTags: readonly string[];
}

/** One tag line: a label on the change before it. */
export interface SqitchTag {
  /** Without the `@`. */
  readonly name: string;
  readonly planned: string;
  readonly plannerName: string;
  readonly plannerEmail: string;
  readonly note: string;
  /** The tag id Sqitch records in `sqitch.tags.tag_id` (SHA-1 over the tag info, which names its change's id). */
  readonly id: string;
}

/** A parsed plan. */
export interface SqitchPlan {
  readonly project: string;
  readonly uri?: string;
  readonly changes: readonly SqitchChange[];
}

/** An error about one line of the plan. */
export type PlanFailure = (message: string, line: number) => Error;

/** Characters Sqitch counts as punctuation in names: `[:punct:]` without `_`. */
const PUNCT = String.raw`\-!"#$%&'()*+,./:;<=>?@[\\\]^\x60{|}~`;
const NAME = new RegExp(String.raw`^(?![${PUNCT}])[^\s:@#\\\[\]]+$`);
const NAME_END = new RegExp(String.raw`[${PUNCT}]$`);
const CHANGE_LINE =
  /^\s*(?:(@)|([+-])\s*)?([^\s[\]]+)(?:\s+|(?=\[)|$)(?:\[([^\]]+)\]\s*)?(?:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\s*)?(?:([^<]+)[ \t]+<([^>]+)>)?$/;
const PRAGMA = /^\s*%\s*([^\s=]+)(?:\s*=\s*(.+))?$/;
const DEPENDENCY = /^(!?)(?:([^\s:@#]+):)?(?:([0-9a-f]{40})|([^\s:@#]+)(?:@([^\s:@#]+))?|@([^\s:@#]+))$/;

interface MutableChange extends Omit<SqitchChange, 'tags' | 'reworkTags' | 'id'> {
  tags: SqitchTag[];
  reworkTags: string[];
  parent?: string;
  id: string;
}

/** Parses `text` (the contents of `sqitch.plan`); `fail` builds the error for a line Sqitch would refuse. */
export function parseSqitchPlan(text: string, fail: PlanFailure): SqitchPlan {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const pragmas = new Map<string, string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const { body, note } = splitNote(lines[i] as string);
    if (body.trim() === '') {
      if (note === '') break; // the first blank line ends the header
      continue;
    }
    const match = PRAGMA.exec(body);
    if (!match) throw fail('invalid pragma; a blank line must come between pragmas and changes', i + 1);
    pragmas.set(match[1] as string, (match[2] ?? '1').trim());
  }
  const project = pragmas.get('project');
  if (project === undefined) throw fail('missing %project pragma', 1);
  if (!validName(project)) throw fail(`invalid project name "${project}"`, 1);
  const uri = pragmas.get('uri');
  const changes: MutableChange[] = [];
  const sinceTag = new Set<string>(); // change names since the last tag: a second one is a duplicate
  const lineOf = new Map<string, number>();
  const tagLines = new Map<string, number>();
  const latest = new Map<string, MutableChange>();
  for (i += 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const { body, note } = splitNote(lines[i] as string);
    if (body.trim() === '') continue;
    const match = CHANGE_LINE.exec(body);
    if (!match) throw fail(`cannot parse "${body.trim()}" as a change or tag`, lineNo);
    const [, tagMark, operator, name = '', deps, planned, plannerName, plannerEmail] = match;
    if (!validName(name)) throw fail(`invalid name "${name}"`, lineNo);
    if (!planned && !plannerName) throw fail('missing timestamp and planner name and email', lineNo);
    if (!planned) throw fail('missing timestamp', lineNo);
    if (!plannerName || !plannerEmail) throw fail('missing planner name and email', lineNo);
    if (tagMark) {
      const previous = changes.at(-1);
      if (!previous) throw fail(`tag "${name}" declared without a preceding change`, lineNo);
      if (deps) throw fail('tags may not specify dependencies', lineNo);
      const at = tagLines.get(name);
      if (at !== undefined) throw fail(`tag "${name}" duplicates earlier declaration on line ${at}`, lineNo);
      tagLines.set(name, lineNo);
      const tag = { name, planned, plannerName, plannerEmail, note: unescapeNote(note) };
      previous.tags.push({ ...tag, id: tagId(project, uri, previous.id, tag) });
      sinceTag.clear();
      continue;
    }
    if (operator === '-') throw fail(`change "${name}" is planned as a revert ("-"); only deploy lines are supported`, lineNo);
    if (sinceTag.has(name)) throw fail(`change "${name}" duplicates earlier declaration on line ${lineOf.get(name)}`, lineNo);
    const { requires, conflicts } = parseDependencies(deps, project, lineNo, fail);
    const change: MutableChange = {
      name,
      line: lineNo,
      requires,
      conflicts,
      planned: planned as string,
      plannerName: plannerName as string,
      plannerEmail: plannerEmail as string,
      note: unescapeNote(note),
      tags: [],
      reworkTags: [],
      id: '',
      ...(changes.length > 0 ? { parent: (changes.at(-1) as MutableChange).id } : {}),
    };
    checkRequires(change, changes, tagLines, project, fail);
    change.id = changeId(project, uri, change);
    const reworked = latest.get(name);
    if (reworked) {
      // Sqitch: the tags of every change after the reworked one (latest first), then the reworked one's own.
      const from = changes.indexOf(reworked);
      for (let k = changes.length - 1; k > from; k--) reworked.reworkTags.push(...(changes[k] as MutableChange).tags.map((t) => t.name));
      reworked.reworkTags.push(...reworked.tags.map((t) => t.name));
    }
    latest.set(name, change);
    sinceTag.add(name);
    lineOf.set(name, lineNo);
    changes.push(change);
  }
  return {
    project,
    ...(uri !== undefined ? { uri } : {}),
    changes: changes.map(({ parent: _parent, ...c }) => c),
  };
}

/** `line` without its note: Sqitch's note starts at the first `#` (names and dates cannot hold one). */
function splitNote(line: string): { body: string; note: string } {
  const at = line.indexOf('#');
  if (at < 0) return { body: line.trimEnd(), note: '' };
  return { body: line.slice(0, at).trimEnd(), note: line.slice(at + 1) };
}

/** Sqitch trims a note and unescapes `\\`, `\n` and `\r` in it. */
function unescapeNote(raw: string): string {
  return raw.trim().replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

function validName(name: string): boolean {
  if (!NAME.test(name) || (NAME_END.test(name) && !name.endsWith('_'))) return false;
  // Nor may it end in `~`, `^`, `/`, `=` or `%` followed by digits (Sqitch's symbolic references).
  return !/[~/=%^][0-9]+$/.test(name) && !/^[0-9a-f]{40}/.test(name) && !['ROOT', 'HEAD', 'FIRST', 'LAST'].includes(name);
}

function parseDependencies(
  deps: string | undefined,
  project: string,
  line: number,
  fail: PlanFailure,
): { requires: string[]; conflicts: string[] } {
  const requires: string[] = [];
  const conflicts: string[] = [];
  const seen = new Set<string>();
  for (const spec of (deps ?? '').split(/\s+/).filter((s) => s !== '')) {
    const match = DEPENDENCY.exec(spec);
    if (!match) throw fail(`"${spec}" is not a valid dependency specification`, line);
    if (seen.has(spec)) throw fail(`duplicate dependency "${spec}"`, line);
    seen.add(spec);
    const [, bang, depProject, id, change, tag, bareTag] = match;
    if ([depProject, change, tag, bareTag].some((part) => part !== undefined && !validName(part))) {
      throw fail(`"${spec}" is not a valid dependency specification`, line);
    }
    const key = id ?? `${change ?? ''}${tag ?? bareTag ? `@${tag ?? bareTag}` : ''}`;
    // Sqitch's Depend->as_string: the project is written only when it is another project.
    const text = depProject !== undefined && depProject !== project ? `${depProject}:${key}` : key;
    (bang ? conflicts : requires).push(text);
  }
  return { requires, conflicts };
}

/** Sqitch's check_changes: a requirement on this project's change must name one planned earlier (`x@tag`: before that tag). */
function checkRequires(
  change: MutableChange,
  earlier: readonly MutableChange[],
  tagLines: ReadonlyMap<string, number>,
  project: string,
  fail: PlanFailure,
): void {
  for (const dep of change.requires) {
    if (dep.includes(':') || /^[0-9a-f]{40}$/.test(dep)) continue; // another project, or an id: checked at deploy
    const [name = '', tag] = dep.split('@');
    if (name === '') {
      if (tag !== undefined && tagLines.has(tag)) continue;
    } else if (tag !== undefined) {
      const tagLine = tagLines.get(tag);
      if (tagLine !== undefined && earlier.some((c) => c.name === name && c.line < tagLine)) continue;
    } else if (earlier.some((c) => c.name === name)) continue;
    if (name === change.name && tag === undefined) throw fail(`change "${change.name}" cannot require itself`, change.line);
    throw fail(`unknown change "${dep}" required by change "${change.name}" in project ${project}`, change.line);
  }
}

/**
 * The change id: SHA-1 over `change <length>\0<info>`, the info being the lines Sqitch's App::Sqitch::Plan::Change
 * builds (`project`, `uri`, `change`, `parent`, `planner`, `date`, `requires`, `conflicts`, then a blank line and the
 * note), UTF-8 encoded.
 */
export function changeId(project: string, uri: string | undefined, change: Omit<MutableChange, 'id'> & { parent?: string }): string {
  const lines = [
    `project ${project}`,
    ...(uri ? [`uri ${canonicalUri(uri)}`] : []),
    `change ${change.name}`,
    ...(change.parent ? [`parent ${change.parent}`] : []),
    `planner ${change.plannerName} <${change.plannerEmail}>`,
    `date ${change.planned}`,
    ...(change.requires.length > 0 ? [`requires\n  + ${change.requires.join('\n  + ')}`] : []),
    ...(change.conflicts.length > 0 ? [`conflicts\n  - ${change.conflicts.join('\n  - ')}`] : []),
    ...(change.note ? ['', change.note] : []),
  ];
  return sha1Object('change', lines);
}

/** The tag id: SHA-1 over `tag <length>\0<info>` (App::Sqitch::Plan::Tag: `project`, `uri`, `tag`, `change`, `planner`, `date`, note). */
function tagId(project: string, uri: string | undefined, changeId: string, tag: Omit<SqitchTag, 'id'>): string {
  return sha1Object('tag', [
    `project ${project}`,
    ...(uri ? [`uri ${canonicalUri(uri)}`] : []),
    `tag @${tag.name}`,
    `change ${changeId}`,
    `planner ${tag.plannerName} <${tag.plannerEmail}>`,
    `date ${tag.planned}`,
    ...(tag.note ? ['', tag.note] : []),
  ]);
}

/** Git-style object hash Sqitch uses for its ids: SHA-1 over `<kind> <byte length>\0<UTF-8 info>`. */
function sha1Object(kind: string, lines: readonly string[]): string {
  const info = Buffer.from(lines.join('\n'), 'utf8');
  return createHash('sha1').update(`${kind} ${info.length}\0`).update(info).digest('hex');
}

/** Default ports Perl's URI drops from a canonical URI. */
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ftp: '21' };

/**
 * Perl URI's `canonical` for the `%uri` pragma, as far as project URIs go: scheme and host lower-cased, a default
 * port dropped, an empty http(s) path written as `/`.
 */
export function canonicalUri(uri: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/([^/?#]*))?(.*)$/s.exec(uri);
  if (!match) return uri;
  const scheme = (match[1] as string).toLowerCase();
  if (match[2] === undefined) return `${scheme}:${match[4]}`;
  const authority = match[3] as string;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  let host = (at >= 0 ? authority.slice(at + 1) : authority).toLowerCase();
  const port = /:(\d*)$/.exec(host);
  if (port && (port[1] === '' || port[1] === DEFAULT_PORTS[scheme])) host = host.slice(0, port.index);
  let rest = match[4] as string;
  if ((scheme === 'http' || scheme === 'https') && !rest.startsWith('/')) rest = `/${rest}`;
  return `${scheme}://${userinfo}${host}${rest}`;
}
