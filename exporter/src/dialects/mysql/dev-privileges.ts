/**
 * What the dev server's user may do beyond a replay's needs. Migrations replayed on the dev server run with its
 * user's rights: with FILE, a migration's `SELECT … INTO OUTFILE` / `LOAD DATA INFILE` writes and reads files on the
 * dev server's host; SUPER bypasses `read_only` and administers the server. A replay needs only CREATE, DROP and the
 * object privileges on `schema_drift_tmp_%` databases (README "The dev server's user").
 */
import { openMysqlSession, redactMysqlUrl } from './connect.ts';

/** Global privileges of the connected account (`CURRENT_USER()`, the account the server matched) that reach the host. */
const PRIVILEGES_SQL = `SELECT CURRENT_USER() AS account, PRIVILEGE_TYPE AS privilege
FROM information_schema.USER_PRIVILEGES
WHERE GRANTEE = CONCAT('''', SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) - CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1),
                       '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')
  AND PRIVILEGE_TYPE IN ('SUPER', 'FILE')
ORDER BY PRIVILEGE_TYPE`;

/** One warning naming the dev server, its account and its SUPER/FILE privileges; none for an account without them. */
export async function mysqlDevServerRisks(request: { readonly devUrl: string; readonly target?: string }): Promise<string[]> {
  // No database: a dev user may have rights on the scratch databases only, and the replay names none either.
  const serverOnly = new URL(request.devUrl);
  serverOnly.pathname = '/';
  const session = await openMysqlSession(serverOnly.toString(), { target: request.target });
  try {
    const { rows } = await session.db.query<{ account: string; privilege: string }>(PRIVILEGES_SQL);
    if (rows.length === 0) return [];
    const privileges = rows.map((r) => r.privilege);
    const reach = [
      ...(privileges.includes('FILE') ? ["read and write files on the dev server's host (LOAD DATA INFILE, SELECT ... INTO OUTFILE)"] : []),
      ...(privileges.includes('SUPER') ? ['administer the server (SUPER)'] : []),
    ].join(' and ');
    return [
      `dev server ${redactMysqlUrl(request.devUrl)}: account ${rows[0]?.account ?? '?'} has the ${privileges.join(' and ')} privilege${privileges.length > 1 ? 's' : ''}, ` +
        `so a migration replayed there can ${reach}; replay as a user with privileges on schema_drift_tmp_% databases only (README, "The dev server's user")`,
    ];
  } finally {
    await session.close();
  }
}
