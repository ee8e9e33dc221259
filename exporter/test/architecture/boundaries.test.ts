/**
 * The folder boundaries, held by reading the imports (what Go's `internal/` gives atlas for free):
 * - outside `src/dialects/`, a dialect is reached only through `dialects/registry.ts` (and the contract's types in
 *   `dialects/dialect.ts`): no file of the engine, the agent, the CLI, the bench or the panel's fixtures imports a
 *   dialect folder; only the registry imports both dialect folders, and no dialect folder imports another;
 * - `src/core/` (model, differ, plan ordering, report building, text rendering) is pure: it imports nothing outside
 *   `core/` but types, and no Node built-in that does I/O;
 * - the inner folders never import the outer ones (agent, CLI, HTTP);
 * - no two files import each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = path.join(REPO, 'exporter/src');
const DIALECTS = path.join(SRC, 'dialects');

interface Import {
  /** Absolute path of the imported file (relative specifiers only), or the bare specifier. */
  readonly target: string;
  readonly typeOnly: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return walk(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

/** Static imports and re-exports, and dynamic `import('…')` of a literal. */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gm;
  for (const m of text.matchAll(statement)) found.push(resolved(file, m[3] ?? '', m[2] !== undefined));
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(resolved(file, m[1] ?? '', false));
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push(resolved(file, m[1] ?? '', false));
  return found;
}

function resolved(file: string, specifier: string, typeOnly: boolean): Import {
  return { target: specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier) : specifier, typeOnly };
}

const rel = (file: string): string => path.relative(REPO, file);
const inside = (file: string, dir: string): boolean => file.startsWith(dir + path.sep);
/** The dialect folder (`dialects/<name>`) a file lies in, if any. */
function dialectFolder(file: string): string | undefined {
  if (!inside(file, DIALECTS)) return undefined;
  const [first, ...rest] = path.relative(DIALECTS, file).split(path.sep);
  return rest.length > 0 ? first : undefined;
}

const SOURCES = walk(SRC);
/** Everything that uses the exporter from outside its dialect folders. */
const CONSUMERS = [
  ...SOURCES.filter((f) => !inside(f, DIALECTS)),
  ...walk(path.join(REPO, 'exporter/bench')),
  ...walk(path.join(REPO, 'grafana-plugin/src')),
  ...walk(path.join(REPO, 'grafana-plugin/tests')),
];
/** The contract and the registry: the only doors into `dialects/`. */
const DOORS = new Set([path.join(DIALECTS, 'dialect.ts'), path.join(DIALECTS, 'registry.ts')]);

describe('import boundaries', () => {
  it('reads the imports it checks (sanity: the registry imports both dialect folders)', () => {
    const registry = importsOf(path.join(DIALECTS, 'registry.ts')).map((i) => dialectFolder(i.target)).filter(Boolean);
    expect(new Set(registry)).toEqual(new Set(['postgres', 'mysql']));
    expect(SOURCES.length).toBeGreaterThan(100);
  });

  it('outside dialects/, a dialect is reached only through the registry and the contract', () => {
    const offenders = CONSUMERS.flatMap((file) =>
      importsOf(file)
        .filter((i) => inside(i.target, DIALECTS) && !DOORS.has(i.target))
        .map((i) => `${rel(file)} imports ${rel(i.target)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('exactly one file imports both dialect folders: the registry', () => {
    const both = SOURCES.filter((file) => new Set(importsOf(file).map((i) => dialectFolder(i.target)).filter(Boolean)).size > 1);
    expect(both.map(rel)).toEqual(['exporter/src/dialects/registry.ts']);
  });

  it('no dialect folder imports another', () => {
    const offenders = SOURCES.flatMap((file) => {
      const own = dialectFolder(file);
      if (!own) return [];
      return importsOf(file)
        .filter((i) => dialectFolder(i.target) !== undefined && dialectFolder(i.target) !== own)
        .map((i) => `${rel(file)} imports ${rel(i.target)}`);
    });
    expect(offenders).toEqual([]);
  });

  it('core/ is pure: nothing outside core/ but types, no I/O built-ins', () => {
    const core = path.join(SRC, 'core');
    const io = /^node:(fs|net|http|https|child_process|worker_threads|dgram|tls|dns)(\/|$)/;
    const offenders = SOURCES.filter((f) => inside(f, core)).flatMap((file) =>
      importsOf(file)
        .filter((i) => (path.isAbsolute(i.target) ? !inside(i.target, core) && !i.typeOnly : io.test(i.target)))
        .map((i) => `${rel(file)} imports ${path.isAbsolute(i.target) ? rel(i.target) : i.target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('inner folders never import the outer ones (agent, CLI, HTTP)', () => {
    const inner = ['core', 'connection', 'migrations', 'revision', 'dialects', 'engine', 'config', 'store', 'metrics'].map((d) => path.join(SRC, d));
    const outer = ['agent', 'cli', 'http'].map((d) => path.join(SRC, d));
    const offenders = SOURCES.filter((f) => inner.some((d) => inside(f, d))).flatMap((file) =>
      importsOf(file)
        .filter((i) => outer.some((d) => inside(i.target, d)))
        .map((i) => `${rel(file)} imports ${rel(i.target)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no two files import each other', () => {
    const graph = new Map(SOURCES.map((f) => [f, new Set(importsOf(f).map((i) => i.target))]));
    const pairs = SOURCES.flatMap((a) =>
      [...(graph.get(a) ?? [])].filter((b) => a < b && graph.get(b)?.has(a)).map((b) => `${rel(a)} <-> ${rel(b)}`),
    );
    expect(pairs).toEqual([]);
  });
});
