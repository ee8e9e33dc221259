/**
 * What every YAML file we read shares (`schema-drift.yaml`, the web configuration file): parsing with line numbers,
 * refusing alias bombs, turning zod's issues into {@link ConfigIssue}s, and pointing each issue at its line.
 */
import { type Document, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigFileError, type ConfigIssue } from './issues.ts';
import { lineOf } from './locate.ts';

/** A parsed YAML file: the document and its line counter (for {@link locate}), and its content as plain data. */
export interface YamlFile {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly tree: unknown;
}

/** Aliases a file may expand, counted as the yaml library counts them: beyond, it is an "alias bomb". */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses YAML text. `merge: true` allows `<<: *anchor`, the YAML way to share settings.
 * @throws {@link ConfigFileError} naming the line of a syntax error or of the first alias of an alias bomb.
 */
export function parseYamlFile(text: string, file: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigFileError(file, doc.errors.map(yamlIssue));
  return { doc, lines, tree: toTree(doc, lines, file) };
}

/**
 * The document as plain data. Aliases that expand beyond {@link MAX_ALIAS_COUNT} (a "billion laughs" file) are a
 * configuration error naming the first alias, not an internal error.
 */
function toTree(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError) || !/alias count/i.test(err.message)) throw err;
    let first: number | undefined;
    visit(doc, {
      Alias(_, node) {
        first ??= node.range?.[0];
        return first === undefined ? undefined : visit.BREAK;
      },
    });
    const message = `YAML: aliases expand to more than ${MAX_ALIAS_COUNT} values (nested aliases, an "alias bomb"?); expand them by hand`;
    throw new ConfigFileError(file, [{ path: [], message, ...(first !== undefined ? { line: lines.linePos(first).line } : {}) }]);
  }
}

function yamlIssue(error: YAMLError): ConfigIssue {
  // With prettyErrors the message ends in " at line L, column C:" plus a snippet of the file; the line is ours.
  const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return { path: [], message: `YAML: ${message}`, ...(error.linePos ? { line: error.linePos[0].line } : {}) };
}

/** zod issues as config issues; an unknown key becomes its own issue at that key, so it points at its line. */
export function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown option' }));
    }
    return [{ path, message: issue.message }];
  });
}

/** Issues with their lines filled in, in file order (stable: issues on one line keep the order they were found in). */
export function locate(file: YamlFile, issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue: { ...issue, line: issue.line ?? lineOf(file.doc, file.lines, issue.path) }, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({ issue }) => issue);
}
