/**
 * The dev server's user, against the real MariaDB server: a user whose only grant is ALL on `schema\_drift\_tmp\_%`
 * databases replays the example migrations (tables, views, a trigger) and checks in sync with no warning (what the
 * README's "The dev server's user" asks for); a user without it cannot replay; root (SUPER, FILE) and a user with FILE
 * replay too, but the report carries one warning naming the dev server, the account and the privilege (issue 12
 * point 10). Users are made with unique names and dropped after.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DesiredSchema, runCheck } from '../../src/agent/run-check.ts';
import { DesiredCache } from '../../src/engine/desired-cache.ts';
import { deployExample, EXAMPLE_MIGRATIONS } from '../support/example-migrations.ts';
import { createTempMysqlDatabase, execMysql, MYSQL_URL, type TempDatabase } from '../support/servers.ts';
import { testTarget } from '../support/targets.ts';

const suffix = randomBytes(4).toString('hex');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const USERS = { scratch: `sd_dev_${suffix}`, nogrant: `sd_nogrant_${suffix}`, file: `sd_file_${suffix}` };
let live: TempDatabase;

/** A dev URL for `user` on the test server, naming no database (the user may see none but the scratch ones). */
function urlAs(user: string): string {
  const url = new URL(MYSQL_URL);
  url.username = user;
  url.password = PASSWORD;
  url.pathname = '/';
  return url.toString();
}

/** A cache of its own per check: every dev user here has the same engine identity, so a shared one would not replay. */
const fresh = () => ({ cache: new DesiredCache<DesiredSchema>() });

const target = (devUrl: string) =>
  testTarget('app', live.url, { desired: { dir: EXAMPLE_MIGRATIONS.mysql, format: 'golang-migrate', devUrl } });

beforeAll(async () => {
  live = await deployExample('mysql', await createTempMysqlDatabase('sddevuser'), 4);
  for (const user of Object.values(USERS)) await execMysql(`CREATE USER '${user}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  for (const user of [USERS.scratch, USERS.file]) await execMysql(`GRANT ALL PRIVILEGES ON \`schema\\_drift\\_tmp\\_%\`.* TO '${user}'@'%'`);
  await execMysql(`GRANT FILE ON *.* TO '${USERS.file}'@'%'`);
});
afterAll(async () => {
  await live?.drop();
  for (const user of Object.values(USERS)) await execMysql(`DROP USER IF EXISTS '${user}'@'%'`);
});

describe('the dev server user', () => {
  it('ALL on schema\\_drift\\_tmp\\_% is enough: in sync, no warning', async () => {
    const report = await runCheck(target(urlAs(USERS.scratch)), fresh());
    expect(report.error).toBeNull();
    expect(report.status).toBe('in_sync');
    expect(report.engine).toMatchObject({ replay: 'server' });
    expect(report.warnings).toEqual([]);
  }, 60_000);

  it('without that grant the replay is refused, and the report says why', async () => {
    const report = await runCheck(target(urlAs(USERS.nogrant)), fresh());
    expect(report.status).toBe('error');
    expect(report.error?.message).toMatch(/Access denied for user '.*' to database 'schema_drift_tmp_/);
  }, 60_000);

  it('root: one warning naming the dev server, the account and SUPER and FILE', async () => {
    const report = await runCheck(target(MYSQL_URL), fresh());
    expect(report.status).toBe('in_sync');
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^dev server mysql:\/\/root@[^ ]+: account root@\S+ has the FILE and SUPER privileges, so a migration replayed there can read and write files on the dev server's host \(LOAD DATA INFILE, SELECT \.\.\. INTO OUTFILE\) and administer the server \(SUPER\); replay as a user with privileges on schema_drift_tmp_% databases only/,
      ),
    ]);
  }, 60_000);

  it('FILE alone: the warning names FILE, and never the password', async () => {
    const report = await runCheck(target(urlAs(USERS.file)), fresh());
    expect(report.status).toBe('in_sync');
    expect(report.warnings).toEqual([expect.stringContaining(`account ${USERS.file}@% has the FILE privilege, so a migration replayed there can read and write files`)]);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  }, 60_000);
});
