/**
 * The acceptance check for MySQL/MariaDB, as a user runs it: `schema-drift diff --from mysql://… --to
 * mysql://… --format sql`, the script applied with the `mariadb` client (DELIMITER lines and all), then the same diff
 * again must report nothing. Every MySQL convergence fixture case, both directions; `events-*` cases with `--events`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.ts';
import { createTempMysqlDatabase } from '../support/servers.ts';
import { caseWantsEvents, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/convergence/', import.meta.url));
const CASES = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const RUNS = CASES.flatMap((name) => [
  { name, from: 'a.sql', to: 'b.sql' },
  { name, from: 'b.sql', to: 'a.sql' },
]);

async function diff(from: string, to: string, format: string, events: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['diff', '--from', from, '--to', to, '--format', format, ...(events ? ['--events'] : [])], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('schema-drift diff --format sql converges on MariaDB', () => {
  it('runs every MySQL fixture case', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(RUNS)('$name: $from → $to', async ({ name, from, to }) => {
    const current = await createTempMysqlDatabase('sdclim');
    const desired = await createTempMysqlDatabase('sdclim');
    try {
      await runClientScript(current, readFileSync(`${ROOT}${name}/${from}`, 'utf8'));
      await runClientScript(desired, readFileSync(`${ROOT}${name}/${to}`, 'utf8'));
      const planned = await diff(current.url, desired.url, 'sql', caseWantsEvents(name));
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(1);
      await runClientScript(current, planned.stdout).catch((err: Error) => {
        throw new Error(`${err.message}\n--- script ---\n${planned.stdout}`);
      });
      const again = await diff(current.url, desired.url, 'text', caseWantsEvents(name));
      expect(again.stdout, `left after applying:\n${planned.stdout}`).toContain('No drift');
      expect(again.code).toBe(0);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
