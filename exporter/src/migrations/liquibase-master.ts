/**
 * Which formatted SQL files a Liquibase changelog directory applies, and in which order:
 * - with a master changelog (`*.xml`, `*.yaml`, `*.yml` or `*.json` at the top whose root is `databaseChangeLog`), its
 *   `include` (one file) and `includeAll` (every `.sql` file under a folder, recursively, in path order) entries, in
 *   order; an included XML/YAML/JSON changelog is read the same way. Any other entry (a `changeSet` written in XML or
 *   YAML, `preConditions`, `property`, ...) is refused naming the file (and line, for XML): its change types are not
 *   SQL this reader can replay;
 * - without one, what Liquibase's `includeAll` of the directory applies: every `.sql` file under it, recursively,
 *   ordered by path (Java's `String.compareTo`, which is JavaScript's default order for these names).
 * A path in `include` is relative to Liquibase's search path unless `relativeToChangelogFile` is set; the directory
 * given here may be any folder of it, so such a path is matched by its longest suffix that exists under the directory
 * (`db/changelog/sql/001.sql` → `sql/001.sql`).
 * Files below the top level are read here (synchronously, once per directory read): the directory listing reads only
 * the top level.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ReplayError } from '../core/errors.ts';
import { containedKindSync, readContainedSync } from './contained.ts';
import type { DirEntry } from './entries.ts';

/** One changelog file to apply, relative to the directory with `/` separators. */
export interface ChangelogFile {
  readonly path: string;
  readonly text: string;
  readonly bytes: Buffer;
}

/** Extensions of the changelog formats that can be a master changelog. */
const MASTER_EXTENSIONS = /\.(xml|ya?ml|json)$/i;

/** True for a top-level file that is a Liquibase XML/YAML/JSON changelog (its root element/key `databaseChangeLog`). */
export function isMasterChangelog(entry: Pick<DirEntry, 'name' | 'text'>): boolean {
  return MASTER_EXTENSIONS.test(entry.name) && /\bdatabaseChangeLog\b/.test(entry.text);
}

/**
 * The changelog files of `dir` in Liquibase's apply order, the master changelog used (if any) and every XML/YAML/JSON
 * changelog it led to.
 * @throws ReplayError naming the file (and line) of an unsupported entry, a missing include, or two master changelogs.
 */
export function changelogFiles(dir: string, entries: readonly DirEntry[]): { files: ChangelogFile[]; master?: string; included: string[] } {
  // Several XML/YAML/JSON changelogs side by side: the master is the one no other names (a master including
  // `release-1.0.xml` beside it).
  const changelogs = entries.filter(isMasterChangelog);
  const masters = changelogs.filter((c) => !changelogs.some((o) => o !== c && o.text.includes(c.name)));
  if (masters.length > 1 || (masters.length === 0 && changelogs.length > 0)) {
    throw new ReplayError(
      `several master changelogs: ${(masters.length > 0 ? masters : changelogs).map((m) => m.name).join(', ')} (keep one that includes the others, or point the directory at the folder of one)`,
      { file: dir },
    );
  }
  const reader = new Reader(dir, entries);
  const master = masters[0];
  if (!master) return { files: reader.sqlUnder(''), included: [] };
  const files = reader.master(master.name, master.text, []);
  return { files, master: master.name, included: [...reader.changelogs] };
}

class Reader {
  private readonly dir: string;
  private readonly top: Map<string, DirEntry>;
  /** The XML/YAML/JSON changelogs read, the master included. */
  readonly changelogs = new Set<string>();
  constructor(dir: string, entries: readonly DirEntry[]) {
    this.dir = dir;
    this.top = new Map(entries.map((e) => [e.name, e]));
  }

  /** The includes of one XML/YAML/JSON changelog; `chain` holds the changelogs including it (cycle guard). */
  master(name: string, text: string, chain: readonly string[]): ChangelogFile[] {
    if (chain.includes(name)) throw this.error(name, `includes itself through ${[...chain, name].join(' → ')}`);
    this.changelogs.add(name);
    const entries = /\.xml$/i.test(name) ? xmlIncludes(text, (message, line) => this.error(name, message, line)) : yamlIncludes(text, (message) => this.error(name, message));
    const files: ChangelogFile[] = [];
    for (const entry of entries) {
      const base = entry.relative ? path.posix.dirname(name) : undefined;
      const target = this.resolve(entry.path, base, (message) => this.error(name, message, entry.line));
      if (entry.kind === 'includeAll') {
        files.push(...this.sqlUnder(target));
        continue;
      }
      if (/\.sql$/i.test(target)) files.push(this.read(target));
      else if (MASTER_EXTENSIONS.test(target)) files.push(...this.master(target, this.read(target).text, [...chain, name]));
      else throw this.error(name, `include of ${entry.path}: only formatted SQL and XML/YAML/JSON changelogs are read`, entry.line);
    }
    return files;
  }

  /** Every `.sql` file under `folder` ('' = the directory), recursively, by path. */
  sqlUnder(folder: string): ChangelogFile[] {
    return this.walk(folder)
      .filter((p) => p.toLowerCase().endsWith('.sql'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((p) => this.read(p));
  }

  private walk(folder: string): string[] {
    const full = path.join(this.dir, folder);
    let names: string[];
    try {
      names = readdirSync(full).filter((n) => !n.startsWith('.'));
    } catch (cause) {
      throw new ReplayError(`cannot read folder ${folder || '.'}: ${(cause as Error).message}`, { file: full }, { cause });
    }
    return names.flatMap((n) => {
      const rel = folder === '' ? n : `${folder}/${n}`;
      const kind = containedKindSync(this.dir, path.join(this.dir, rel), rel);
      if (kind === 'directory') return this.walk(rel);
      return kind === 'file' ? [rel] : [];
    });
  }

  private read(rel: string): ChangelogFile {
    const top = this.top.get(rel);
    if (top) return { path: rel, text: top.text, bytes: top.bytes };
    const file = readContainedSync(this.dir, path.join(this.dir, rel), rel);
    if (!file) throw new ReplayError(`cannot read ${rel}: it does not exist`, { file: path.join(this.dir, rel) });
    return { path: rel, text: file.text, bytes: file.bytes };
  }

  /** An include path as a path under the directory: relative to `base` when given, else its longest existing suffix. */
  private resolve(raw: string, base: string | undefined, fail: (message: string) => ReplayError): string {
    const cleaned = raw.replace(/^classpath\*?:/, '').replaceAll('\\', '/').replace(/^\/+/, '').replace(/\/+$/, '');
    if (base !== undefined) {
      const joined = path.posix.normalize(path.posix.join(base, cleaned));
      if (joined.startsWith('../') || !existsSync(path.join(this.dir, joined))) throw fail(`${raw} (relative to the changelog) is not in the directory`);
      return joined === '.' ? '' : joined;
    }
    const parts = cleaned.split('/').filter((p) => p !== '' && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const candidate = parts.slice(i).join('/');
      if (existsSync(path.join(this.dir, candidate))) return candidate;
    }
    throw fail(`${raw} is not in the directory (no suffix of the path exists under it)`);
  }

  private error(name: string, message: string, line?: number): ReplayError {
    const file = path.join(this.dir, name);
    return new ReplayError(message, line === undefined ? { file } : { file, line });
  }
}

interface IncludeEntry {
  readonly kind: 'include' | 'includeAll';
  readonly path: string;
  readonly relative: boolean;
  readonly line?: number;
}

const XML_ALLOWED = new Set(['databasechangelog', 'include', 'includeall']);

/**
 * The `include` / `includeAll` elements of an XML changelog, read with a tag scanner (no XML library is a dependency,
 * and these elements carry everything in attributes); any other element is refused.
 */
function xmlIncludes(text: string, fail: (message: string, line: number) => ReplayError): IncludeEntry[] {
  // Comments, CDATA and the prolog blanked to spaces, newlines kept, so lines still count.
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  const cleaned = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g, blank);
  const entries: IncludeEntry[] = [];
  for (const m of cleaned.matchAll(/<([A-Za-z_][\w:.-]*)((?:\s+[^\s=>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g)) {
    const line = cleaned.slice(0, m.index).split('\n').length;
    const name = (m[1] as string).replace(/^.*:/, '');
    if (!XML_ALLOWED.has(name.toLowerCase())) {
      throw fail(`<${name}> is not read: only <include> and <includeAll> of formatted SQL files are (write the change in a formatted SQL changelog)`, line);
    }
    if (name.toLowerCase() === 'databasechangelog') continue;
    const attrs = new Map([...(m[2] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((a) => [a[1] as string, unescapeXml(a[2] ?? a[3] ?? '')]));
    entries.push(includeEntry(name.toLowerCase() === 'include' ? 'include' : 'includeAll', attrs, (message) => fail(message, line), line));
  }
  return entries;
}

/** The `include` / `includeAll` entries of a YAML or JSON changelog (`databaseChangeLog: [ {include: {...}}, ... ]`). */
function yamlIncludes(text: string, fail: (message: string) => ReplayError): IncludeEntry[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw fail(`not a readable YAML/JSON changelog: ${(cause as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { databaseChangeLog?: unknown } | null)?.databaseChangeLog;
  if (!Array.isArray(list)) throw fail('expected a databaseChangeLog list');
  return list.map((item: unknown, index) => {
    const [key, ...others] = Object.keys((item ?? {}) as object);
    if (others.length > 0 || (key !== 'include' && key !== 'includeAll')) {
      throw fail(`databaseChangeLog entry ${index + 1} (${key ?? 'empty'}) is not read: only include and includeAll of formatted SQL files are`);
    }
    const body = (item as Record<string, unknown>)[key] as Record<string, unknown> | null;
    const attrs = new Map(Object.entries(body ?? {}).map(([k, v]) => [k, String(v)]));
    return includeEntry(key, attrs, (message) => fail(`databaseChangeLog entry ${index + 1}: ${message}`));
  });
}

function includeEntry(kind: 'include' | 'includeAll', attrs: Map<string, string>, fail: (message: string) => ReplayError, line?: number): IncludeEntry {
  const target = attrs.get(kind === 'include' ? 'file' : 'path');
  if (!target) throw fail(`${kind} without ${kind === 'include' ? 'file' : 'path'}`);
  return { kind, path: target, relative: attrs.get('relativeToChangelogFile')?.toLowerCase() === 'true', ...(line !== undefined ? { line } : {}) };
}

function unescapeXml(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] as string);
}
