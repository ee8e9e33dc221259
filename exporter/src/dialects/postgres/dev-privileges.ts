/**
 * What the dev server's role may do beyond a replay's needs. Migrations replayed on the dev server run with its
 * role's rights: as a superuser, or a member of `pg_execute_server_program`, a migration's `COPY … FROM PROGRAM` runs
 * a shell command on the dev server's host; `pg_read_server_files` / `pg_write_server_files` read and write its files.
 * A replay needs none of that (CREATEDB, README "The dev server's user").
 */
import { openPostgresSession, redactUrl } from './connect.ts';

/** The server-side roles whose rights reach outside the database. */
const HOST_ROLES = ['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files'] as const;

const PRIVILEGES_SQL = `SELECT current_user AS role, r.rolsuper AS superuser,
  ARRAY(SELECT name FROM unnest($1::text[]) AS name
        WHERE EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = name) AND pg_catalog.pg_has_role(current_user, name, 'MEMBER')) AS members
FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`;

/** One warning naming the dev server, its role and what that role may do on the host; none for a plain role. */
export async function postgresDevServerRisks(request: { readonly devUrl: string; readonly target?: string }): Promise<string[]> {
  const session = await openPostgresSession(request.devUrl, { target: request.target, applicationName: 'schema-drift replay' });
  try {
    const { rows } = await session.db.query<{ role: string; superuser: boolean; members: string[] }>(PRIVILEGES_SQL, [HOST_ROLES]);
    const row = rows[0];
    if (!row || (!row.superuser && row.members.length === 0)) return [];
    const rights = row.superuser ? 'is a superuser' : `is a member of ${row.members.join(', ')}`;
    const reach = row.superuser || row.members.includes('pg_execute_server_program')
      ? "run shell commands on the dev server's host (COPY ... FROM PROGRAM)"
      : "read or write files on the dev server's host (COPY ... FROM/TO a file)";
    return [
      `dev server ${redactUrl(request.devUrl)}: role "${row.role}" ${rights}, so a migration replayed there can ${reach}; ` +
        'replay as a role with only CREATEDB (README, "The dev server\'s user")',
    ];
  } finally {
    await session.close();
  }
}
