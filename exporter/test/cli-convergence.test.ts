/**
 * The acceptance check, as a user runs it: `schema-drift diff --from <url> --to <url> --format sql`, the
 * script applied with psql, then the same diff again must report nothing. Every convergence fixture case, both
 * directions.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/cli.ts';
import { createTempPgDatabase } from './support/servers.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('fixtures/postgres/convergence/', import.meta.url));
// The privileges* cases need roles created per run: convergence-privileges.test.ts runs them.
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('privileges'))
  .map((d) => d.name)
  .sort();
const RUNS = CASES.flatMap((name) => [
  { name, from: 'a.sql', to: 'b.sql' },
  { name, from: 'b.sql', to: 'a.sql' },
]);

async function diff(from: string, to: string, format: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['diff', '--from', from, '--to', to, '--format', format], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('schema-drift diff --format sql converges', () => {
  const work = mkdtempSync(join(tmpdir(), 'sd-cli-conv-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(RUNS)('$name: $from → $to', async ({ name, from, to }) => {
    const current = await createTempPgDatabase('sdcli');
    const desired = await createTempPgDatabase('sdcli');
    try {
      await current.exec(readFileSync(`${ROOT}${name}/${from}`, 'utf8'));
      await desired.exec(readFileSync(`${ROOT}${name}/${to}`, 'utf8'));
      const planned = await diff(current.url, desired.url, 'sql');
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(1);
      // psql runs each statement on its own (autocommit), as a person applying the script would.
      const script = join(work, `${name}-${from}.sql`);
      writeFileSync(script, planned.stdout);
      await run('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-q', '-d', current.url, '-f', script], {
        env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
      }).catch((err: Error & { stderr?: string }) => {
        throw new Error(`psql failed: ${err.stderr ?? err.message}\n--- script ---\n${planned.stdout}`);
      });
      const again = await diff(current.url, desired.url, 'text');
      expect(again.stdout, `left after applying:\n${planned.stdout}`).toContain('No drift');
      expect(again.code).toBe(0);
    } finally {
      await Promise.all([current.drop(), desired.drop()]);
    }
  });
});
