/**
 * No false drift on MariaDB: the same SQL loaded into two databases (one through the `mariadb` client, one through
 * mysql2) diffs to nothing; and a database created from `renderMysqlDdl` of a snapshot reads back as that snapshot.
 * Every file is inspected with events, as a target is by default (start times filled in at creation differ).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../src/core/diff/diff.ts';
import { mysqlHooks } from '../../src/dialects/mysql/hooks.ts';
import { renderMysqlDdl } from '../../src/dialects/mysql/ddl.ts';
import { createTempMysqlDatabase } from '../support/servers.ts';
import { FIXTURE_INSPECT, describeChanges, inspectTemp, runClientScript } from './convergence-support.ts';

const ROOT = fileURLToPath(new URL('../fixtures/mysql/convergence/', import.meta.url));
const FILES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => [`${d.name}/a.sql`, `${d.name}/b.sql`])
  .sort();

describe('no false drift on MariaDB', () => {
  it.each(FILES)('%s loaded twice diffs to nothing, and its DDL recreates it', async (file) => {
    const sql = readFileSync(`${ROOT}${file}`, 'utf8');
    const first = await createTempMysqlDatabase('sdnfd');
    const second = await createTempMysqlDatabase('sdnfd');
    const fromDdl = await createTempMysqlDatabase('sdnfd');
    const inspect = FIXTURE_INSPECT;
    try {
      await runClientScript(first, sql);
      await runClientScript(second, sql);
      const a = await inspectTemp(first, inspect);
      const b = await inspectTemp(second, inspect);
      const same = diffSchemas({ current: a, desired: b, hooks: mysqlHooks });
      expect(same, describeChanges(same)).toEqual([]);
      const ddl = renderMysqlDdl(a);
      await runClientScript(fromDdl, ddl);
      const c = await inspectTemp(fromDdl, inspect);
      const left = diffSchemas({ current: c, desired: a, hooks: mysqlHooks });
      expect(left, `${describeChanges(left)}\n--- ddl ---\n${ddl}`).toEqual([]);
    } finally {
      await Promise.all([first.drop(), second.drop(), fromDdl.drop()]);
    }
  });
});
