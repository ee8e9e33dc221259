/**
 * Golden-file harness of the statement splitters: input `<case>.sql`, expected `<case>.json` in one folder under
 * exporter/test/golden/, regenerated only with UPDATE_GOLDEN=1. Cases named `invalid-*` hold SQL the server must
 * reject; the others must run statement by statement on a real server (each dialect's test does that part).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SqlStatement } from '../../src/migrations/index.ts';

const GOLDEN_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** The cases of one golden folder. */
export interface SplitGoldens {
  /** Absolute path of the folder. */
  readonly dir: string;
  /** Case names (file names without `.sql`), sorted. */
  readonly cases: readonly string[];
  /** Cases whose SQL is valid (not named `invalid-*`): they must run on the server. */
  readonly validCases: readonly string[];
  /** The input SQL of a case. */
  readCase(name: string): string;
}

/** Lists the cases of `exporter/test/golden/<folder>/`. */
export function splitGoldens(folder: string): SplitGoldens {
  const dir = path.join(GOLDEN_ROOT, folder);
  const cases = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => name.slice(0, -'.sql'.length))
    .sort();
  return {
    dir,
    cases,
    validCases: cases.filter((name) => !name.startsWith('invalid-')),
    readCase: (name) => readFileSync(path.join(dir, `${name}.sql`), 'utf8'),
  };
}

/**
 * Declares `<title>`: at least 8 cases exist, and each case's statements equal its golden JSON and point back
 * into the input exactly (offset and 1-based line). `checkValid` runs on each statement of a valid case, for the
 * dialect's rules on what a statement may not start or end with.
 */
export function describeSplitGoldens(
  title: string,
  goldens: SplitGoldens,
  split: (sql: string) => SqlStatement[],
  checkValid: (statement: SqlStatement) => void,
): void {
  describe(title, () => {
    it('has golden cases', () => {
      expect(goldens.cases.length).toBeGreaterThanOrEqual(8);
    });

    it.each(goldens.cases)('%s', (name) => {
      const input = goldens.readCase(name);
      const actual = split(input);
      const goldenPath = path.join(goldens.dir, `${name}.json`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
      for (const statement of actual) {
        expect(input.slice(statement.offset, statement.offset + statement.sql.length)).toBe(statement.sql);
        expect(input.slice(0, statement.offset).split('\n').length).toBe(statement.line);
        if (!name.startsWith('invalid-')) checkValid(statement);
      }
    });
  });
}
