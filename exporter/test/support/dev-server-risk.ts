/**
 * The test servers' admin users are a PostgreSQL superuser and MariaDB's root (SUPER, FILE), so a CLI replay with
 * `--dev-url` on them prints the dev-server warning (`dialects/<name>/dev-privileges.ts`). Tests that expect an
 * otherwise silent stderr remove exactly that line, and only it.
 */

/** The CLI's dev-server privilege warning, one line. */
const DEV_SERVER_RISK = /^schema-drift: warning: dev server \S+: (?:role "[^"]+" is (?:a superuser|a member of [^,]+(?:, [^,]+)*)|account \S+ has the [A-Z]+(?: and [A-Z]+)? privileges?), so a migration replayed there can .*\n/gm;

/** `stderr` without the dev-server warning lines. */
export function withoutDevServerRisk(stderr: string): string {
  return stderr.replace(DEV_SERVER_RISK, '');
}
