/**
 * Listening, with the real agent process: the start-up log names the address actually bound; on every interface with
 * no bearer token the agent warns, and its landing page and API no longer name the databases' hosts and users (not
 * even inside error messages). On loopback, or with a token, they do.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebConfig } from '../../src/config/types.ts';
import { authenticates, HIDDEN, openToTheNetwork } from '../../src/http/exposure.ts';
import { eventually, http, MIGRATIONS, migratedDatabase, pgAddress, startBin, tempDir, type BinProcess } from '../agent/support.ts';
import type { TempDatabase } from '../support/servers.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;
type Row = Record<string, unknown>;
const TOKEN = 'exposure-test-token-0123456789';

let temp: Temp;
let db: TempDatabase;
const children: BinProcess[] = [];

beforeAll(async () => {
  temp = await tempDir('sd-fault-expose-');
  db = await migratedDatabase('sdfault_expose', 4);
});
afterAll(async () => {
  for (const child of children) child.kill();
  await db?.drop();
  await temp?.remove();
});

/** Starts an agent with a reachable target and one whose server is down (its error message quotes host:port). */
async function agent(name: string, listen: string, extra = ''): Promise<{ child: BinProcess; address: string; local: string }> {
  const { host, port } = pgAddress();
  const config = await temp.write(
    `${name}.yaml`,
    `listen: ${listen}
dataDir: ${JSON.stringify(path.join(temp.dir, name))}
${extra}
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
  - name: down
    url: postgres://postgres@127.0.0.1:1/nothing
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
  );
  const child = startBin(['serve', '--config', config, '--port', '0'], { SD_EXPOSE_TOKEN: TOKEN });
  children.push(child);
  const address = (JSON.parse(await child.waitForLine(/"msg":"listening"/, 30_000)) as { address: string }).address;
  const local = address.replace('//0.0.0.0:', '//127.0.0.1:');
  return { child, address, local };
}

const headers = (token?: string): RequestInit => (token ? { headers: { authorization: `Bearer ${token}` } } : {});

async function bothChecked(base: string, token?: string): Promise<Row[]> {
  return eventually(async () => {
    const rows = (await http(base, '/api/v1/targets', headers(token))).json<Row[]>();
    return rows.every((r) => r.status !== null) ? rows : undefined;
  }, 60_000, 'both targets checked');
}

describe('an agent on every interface without a token', () => {
  it('logs the bound address, warns, and hides hosts and users from the landing page and the API', async () => {
    const { child, address, local } = await agent('open', '0.0.0.0:9772');
    expect(address).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const warning = await child.waitForLine(/listening beyond loopback with no bearerToken/, 10_000);
    expect(JSON.parse(warning)).toMatchObject({ level: 'warn', address });
    // The fix it names: basic auth (and TLS) in a web configuration file, or a token, or loopback.
    expect(JSON.parse(warning).msg).toMatch(/Set basic_auth_users \(and tls_server_config\) in a web configuration file \(--web\.config\.file or webConfigFile\), or bearerToken, or listen on 127\.0\.0\.1$/);

    const rows = await bothChecked(local);
    const { host, port } = pgAddress();
    const everything = [
      (await http(local, '/')).text,
      JSON.stringify(rows),
      (await http(local, '/api/v1/targets/down/reports/latest')).text,
      (await http(local, '/api/v1/targets/down/reports')).text,
      (await http(local, '/api/v1/targets/production/reports/latest')).text,
    ].join('\n');
    expect(rows.map((r) => r.display_url)).toEqual([HIDDEN, HIDDEN]);
    expect((await http(local, '/api/v1/targets/down/reports/latest')).json<{ error: { message: string } }>().error.message).toContain(HIDDEN);
    for (const detail of ['postgres@', `${host}:${port}`, '127.0.0.1:1/', '127.0.0.1:1 ', `/${db.name}`]) expect(everything).not.toContain(detail);
    expect((await http(local, '/')).text).toContain('&lt;hidden');
  }, 90_000);
});

describe('an agent on loopback, and one with a token', () => {
  it('on 127.0.0.1: no warning, connection details shown', async () => {
    const { child, address, local } = await agent('loopback', '127.0.0.1:9772');
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const rows = await bothChecked(local);
    expect(rows.map((r) => r.display_url)).toEqual([expect.stringContaining('postgres@'), 'postgres://postgres@127.0.0.1:1/nothing']);
    expect((await http(local, '/')).text).toContain('postgres://postgres@127.0.0.1:1/nothing');
    expect(child.stdout.join('\n')).not.toContain('listening beyond loopback');
  }, 90_000);

  it('on 0.0.0.0 with a token: no warning, the authenticated API shows them, the landing page lists no targets', async () => {
    const { child, local } = await agent('token', '0.0.0.0:9772', 'bearerToken: ${SD_EXPOSE_TOKEN}');
    const rows = await bothChecked(local, TOKEN);
    expect(rows.map((r) => r.display_url)).toContain('postgres://postgres@127.0.0.1:1/nothing');
    expect((await http(local, '/api/v1/targets')).status).toBe(401);
    expect((await http(local, '/')).text).not.toContain('postgres@');
    expect(child.stdout.join('\n')).not.toContain('listening beyond loopback');
  }, 90_000);
});

describe('client certificates count as authentication only when verified against a client CA', () => {
  const web = (tls: Partial<NonNullable<WebConfig['tls']>>): WebConfig => ({
    file: '/etc/web.yml',
    headers: {},
    basicAuthUsers: {},
    tls: { cert: { inline: 'c' }, key: { inline: 'k' }, clientAuth: 'NoClientCert', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: true, ...tls },
  });
  const listen = { host: '0.0.0.0', port: 9772 };

  it('RequireAndVerifyClientCert with a client CA authenticates; without one (public roots) it does not', () => {
    const withCa = web({ clientAuth: 'RequireAndVerifyClientCert', clientCa: { file: '/etc/ca.crt' } });
    expect(authenticates({ web: withCa })).toBe(true);
    expect(openToTheNetwork({ web: withCa, listen })).toBe(false);
    const publicRoots = web({ clientAuth: 'RequireAndVerifyClientCert' });
    expect(authenticates({ web: publicRoots })).toBe(false);
    expect(openToTheNetwork({ web: publicRoots, listen })).toBe(true);
  });

  it('an optional certificate (VerifyClientCertIfGiven) never counts, even with a client CA', () => {
    expect(authenticates({ web: web({ clientAuth: 'VerifyClientCertIfGiven', clientCa: { file: '/etc/ca.crt' } }) })).toBe(false);
  });
});
