/**
 * Maps a configuration path (`targets[2].desired.dir`) back to the line of the YAML file it came from, so every
 * problem reads `schema-drift.yaml:14: ...` like a compiler error.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import type { ConfigPath } from './issues.ts';

/**
 * The 1-based line of the deepest node on `path` that exists in the document: the key's line for a mapping entry
 * (`dir:`), the item's line for a sequence entry. A missing field therefore points at its parent (`desired:`).
 * Aliases and `<<` merge keys are followed, so a field inherited from an anchor points at the anchor's text.
 */
export function lineOf(doc: Document, lines: LineCounter, path: ConfigPath): number | undefined {
  let node: unknown = doc.contents;
  let at: Node | undefined = isNode(node) ? node : undefined;
  for (const part of path) {
    node = deref(doc, node);
    if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (isNode(node)) at = node;
    } else if (isMap(node)) {
      const pair = findPair(doc, node.items, String(part));
      if (!pair) break;
      if (isNode(pair.key)) at = pair.key;
      node = pair.value;
    } else {
      break;
    }
    if (node === undefined || node === null) break;
  }
  const offset = at?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** With `merge: true` yaml 2 parses the `<<` key as `Symbol(<<)` (older releases kept the text). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The entry for `key`, looking through `<<` merge keys (own entries win, as in YAML's merge semantics). */
function findPair(doc: Document, items: readonly Pair[], key: string): Pair | undefined {
  const own = items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
  if (own) return own;
  for (const pair of items) {
    if (!isMergeKey(pair.key)) continue;
    const sources = deref(doc, pair.value);
    const maps = isSeq(sources) ? sources.items.map((item) => deref(doc, item)) : [sources];
    for (const map of maps) {
      const found = isMap(map) ? findPair(doc, map.items as Pair[], key) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
