/**
 * A scratch database a migration command can connect to (`Dialect.openScratch`): a temporary database on the dev
 * server, created and dropped as a replay's (`replay.ts`). There is no embedded MySQL, so a dev server is required.
 */
import type { ScratchRequest, ScratchServer } from '../dialect.ts';
import { openScratch, requireDevUrl } from './replay.ts';
import { databaseDefaults } from './session.ts';

/** Opens a temporary database on the dev server for a migration command; close it on every path. */
export async function openMysqlScratchServer(request: ScratchRequest): Promise<ScratchServer> {
  const devUrl = requireDevUrl(request);
  const defaults = request.counterpart ? databaseDefaults(request.counterpart) : undefined;
  const scratch = await openScratch(devUrl, { target: request.target, ...(defaults ? { defaults } : {}) });
  const parsed = new URL(devUrl);
  parsed.pathname = `/${scratch.name}`;
  const url = parsed.toString();
  return { url, env: mysqlEnv(url), engine: 'server', serverVersion: scratch.version.serverVersion, close: () => scratch.close() };
}

/**
 * The variables MySQL clients read: `DATABASE_URL`, and `MYSQL_HOST`, `MYSQL_TCP_PORT` (the mysql client's own),
 * `MYSQL_PORT`, `MYSQL_USER`, `MYSQL_PWD` (the mysql client's own), `MYSQL_PASSWORD`, `MYSQL_DATABASE`.
 */
function mysqlEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  const port = parsed.port || '3306';
  const password = decodeURIComponent(parsed.password);
  return {
    DATABASE_URL: url,
    MYSQL_HOST: parsed.hostname.replace(/^\[|\]$/g, ''),
    MYSQL_TCP_PORT: port,
    MYSQL_PORT: port,
    MYSQL_USER: decodeURIComponent(parsed.username) || 'root',
    MYSQL_PWD: password,
    MYSQL_PASSWORD: password,
    MYSQL_DATABASE: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
  };
}
