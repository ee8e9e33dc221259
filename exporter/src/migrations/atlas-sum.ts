/**
 * Atlas's `atlas.sum` integrity file, computed exactly as ariga/atlas `sql/migrate/dir.go` does (`NewHashFile`,
 * `HashFile.Sum`, `MarshalText`), so a directory Atlas accepts is accepted here and an edited one is refused.
 *
 * Algorithm: the `*.sql` files sorted by name (byte order) feed ONE running sha256: for each file its name, then its
 * bytes are written, and the file's hash is base64(std, padded) of the running digest so far — each file's hash
 * chains all files before it. A file whose first line carries `atlas:sum ignore` has its name written but gets no
 * entry. The total (first line) is base64(sha256(name1 + hash1 + name2 + hash2 + ...)).
 * Text form: `h1:<total>\n` then `<name> h1:<hash>\n` per file.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ReplayError } from '../core/errors.ts';

/** File name of the Atlas integrity file. */
export const ATLAS_SUM_FILE = 'atlas.sum';

/** One `<name> h1:<hash>` line. */
export interface AtlasSumEntry {
  readonly name: string;
  readonly hash: string;
}

/** A parsed or computed atlas.sum. */
export interface AtlasSum {
  /** The `h1:` total of the first line, without the prefix. */
  readonly total: string;
  readonly entries: AtlasSumEntry[];
}

/** Raw migration file as Atlas hashes it: base name and exact bytes. */
export interface AtlasSumInput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

// Atlas matches this against the whole content without the multiline flag: only the first line can carry it.
const DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([ -~]*))*/;

/** Sorts names the way Go's `sort.Slice(names, a < b)` does: by UTF-8 bytes. */
export function compareAtlasNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Computes the atlas.sum of files (sorted here by name, as Atlas does). */
export function computeAtlasSum(files: readonly AtlasSumInput[]): AtlasSum {
  const sorted = [...files].sort((a, b) => compareAtlasNames(a.name, b.name));
  const running = createHash('sha256');
  const entries: AtlasSumEntry[] = [];
  for (const file of sorted) {
    running.update(file.name, 'utf8');
    if (hasSumIgnore(file.bytes)) continue;
    running.update(file.bytes);
    // copy() reads the digest so far without finalising the running hash.
    entries.push({ name: file.name, hash: running.copy().digest('base64') });
  }
  return { total: atlasSumTotal(entries), entries };
}

/** The first-line total over entries, as `HashFile.Sum`. */
export function atlasSumTotal(entries: readonly AtlasSumEntry[]): string {
  const sha = createHash('sha256');
  for (const entry of entries) {
    sha.update(entry.name, 'utf8');
    sha.update(entry.hash, 'utf8');
  }
  return sha.digest('base64');
}

/** Renders an atlas.sum file byte-for-byte as `atlas migrate hash` writes it. */
export function formatAtlasSum(sum: AtlasSum): string {
  return `h1:${sum.total}\n` + sum.entries.map((e) => `${e.name} h1:${e.hash}\n`).join('');
}

/**
 * Parses atlas.sum text as Atlas's `UnmarshalText` does (CRLF tolerated).
 * @returns the sum, or a one-line reason when the text is malformed.
 */
export function parseAtlasSum(text: string): AtlasSum | string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  const [first, ...rest] = lines;
  if (first === undefined || !first.startsWith('h1:')) return 'first line is not "h1:<sum>"';
  const entries: AtlasSumEntry[] = [];
  for (const [i, line] of rest.entries()) {
    const at = line.indexOf('h1:');
    if (at < 0) return `line ${i + 2} is not "<file> h1:<hash>"`;
    entries.push({ name: line.slice(0, at).trim(), hash: line.slice(at + 3) });
  }
  return { total: first.slice(3), entries };
}

/**
 * Checks a directory's files against its atlas.sum text and throws a `ReplayError` naming the first file at fault:
 * a listed file that is missing, a file that is not listed, a file whose chained hash differs, or a corrupt total.
 */
export function verifyAtlasSum(dir: string, files: readonly AtlasSumInput[], sumText: string): void {
  const file = path.join(dir, ATLAS_SUM_FILE);
  const fail = (message: string): never => {
    throw new ReplayError(`${message}; run "atlas migrate hash" if the change is intended`, { file });
  };
  const stored = parseAtlasSum(sumText);
  if (typeof stored === 'string') fail(`atlas.sum is malformed: ${stored}`);
  const expected = stored as AtlasSum;
  if (atlasSumTotal(expected.entries) !== expected.total) fail('atlas.sum total does not match its own file lines');
  const actual = computeAtlasSum(files);
  const actualByName = new Map(actual.entries.map((e) => [e.name, e.hash]));
  const storedByName = new Map(expected.entries.map((e) => [e.name, e.hash]));
  for (const entry of expected.entries) {
    if (!actualByName.has(entry.name)) fail(`atlas.sum lists ${entry.name} but it is missing`);
  }
  for (const entry of actual.entries) {
    const hash = storedByName.get(entry.name);
    if (hash === undefined) fail(`${entry.name} is not listed in atlas.sum`);
    // Hashes chain, so the first differing entry is the file that changed (later ones differ as a consequence).
    if (hash !== entry.hash) fail(`checksum of ${entry.name} does not match atlas.sum (the file was edited)`);
  }
  if (actual.total !== expected.total) fail('atlas.sum lists the files in a different order than the directory');
}

function hasSumIgnore(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const match = DIRECTIVE.exec(head);
  return match !== null && match[2] === 'sum' && match[3] === 'ignore';
}
