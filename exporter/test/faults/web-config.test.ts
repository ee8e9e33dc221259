/**
 * The web configuration file with the real agent process (`serve --web.config.file`) and a throwaway CA made by
 * openssl: HTTPS with basic auth on every interface (401 with a Basic challenge without or with wrong credentials,
 * 200 with them, the configured headers, plain HTTP refused, a renewed certificate served without a restart, no
 * "open to the network" warning), a client-certificate-only agent, and a real Prometheus scraping `/metrics` over TLS
 * with basic auth (`up` 1) next to a job with a wrong password (`up` 0).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, MIGRATIONS, migratedDatabase, pgAddress, startBin, tempDir, type BinProcess } from '../agent/support.ts';
import { startPrometheus, type Service } from '../e2e/services.ts';
import type { TempDatabase } from '../support/servers.ts';
import { makeTestPki, serverCertificate, type TestPki } from '../support/tls-certs.ts';

type Temp = Awaited<ReturnType<typeof tempDir>>;

const PASSWORD = 'correct horse battery staple';
let temp: Temp;
let db: TempDatabase;
let pki: TestPki;
const children: BinProcess[] = [];
let prometheus: Service | undefined;

beforeAll(async () => {
  temp = await tempDir('sd-fault-web-');
  pki = makeTestPki(temp.dir);
  db = await migratedDatabase('sdfault_web', 4);
});
afterAll(async () => {
  await prometheus?.stop();
  for (const child of children) child.kill();
  await db?.drop();
  await temp?.remove();
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly certificate: PeerCertificate;
}

/** One HTTPS GET trusting only the test CA, on a new connection (so a reloaded certificate is seen). */
function get(base: string, pathname: string, options: { auth?: string; cert?: string; key?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${pathname}`,
      {
        ca: readFileSync(pki.caCert),
        agent: false,
        timeout: 30_000,
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.cert ? { cert: readFileSync(options.cert), key: readFileSync(options.key ?? '') } : {}),
      },
      (res) => {
        const certificate = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, certificate }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function agent(name: string, web: string): Promise<{ child: BinProcess; base: string }> {
  const { host, port } = pgAddress();
  const config = await temp.write(
    `${name}.yaml`,
    `listen: 0.0.0.0:9772
dataDir: ${JSON.stringify(path.join(temp.dir, name))}
targets:
  - name: production
    url: postgres://postgres@${host}:${port}/${db.name}
    desired: { dir: ${JSON.stringify(MIGRATIONS)} }
`,
  );
  const webFile = await temp.write(`${name}-web.yml`, web);
  const child = startBin(['serve', '--config', config, '--port', '0', '--web.config.file', webFile]);
  children.push(child);
  const listening = JSON.parse(await child.waitForLine(/"msg":"listening"/, 30_000)) as { address: string; tls: boolean };
  expect(listening).toMatchObject({ tls: true, webConfigFile: webFile });
  return { child, base: listening.address.replace('//0.0.0.0:', '//127.0.0.1:') };
}

const basicAuthWeb = () => `tls_server_config:
  cert_file: server.crt
  key_file: server.key
http_server_config:
  headers:
    X-Frame-Options: deny
basic_auth_users:
  # htpasswd -B writes $2y$; cost 10 as the exporter toolkit's documentation suggests.
  prometheus: ${bcrypt.hashSync(PASSWORD, 10).replace(/^\$2b\$/, '$2y$')}
`;

describe('HTTPS with basic auth on every interface', () => {
  let base: string;
  let child: BinProcess;

  beforeAll(async () => {
    ({ base, child } = await agent('basic', basicAuthWeb()));
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  }, 60_000);

  let refused = 0;
  afterAll(() => {
    console.info(`web config: ${refused} requests without, with a wrong password or an unknown user refused with 401 over HTTPS`);
  });

  it.each(['/metrics', '/api/v1/targets', '/api/v1/targets/production/reports/latest'])('%s: 401 with a Basic challenge without credentials, with a wrong password or user', async (p) => {
    for (const auth of [undefined, `prometheus:${PASSWORD}x`, `alice:${PASSWORD}`]) {
      const res = await get(base, p, auth ? { auth } : {});
      expect([p, auth, res.status]).toEqual([p, auth, 401]);
      refused += 1;
      expect(res.headers['www-authenticate']).toBe('Basic realm="schema-drift", charset="UTF-8"');
      expect(JSON.parse(res.body)).toEqual({ error: auth ? 'invalid credentials' : 'credentials required' });
    }
  });

  it('200 with the credentials: the metrics and the API with connection details (authenticated, so not hidden)', async () => {
    const auth = `prometheus:${PASSWORD}`;
    const targets = await eventually(async () => {
      const rows = JSON.parse((await get(base, '/api/v1/targets', { auth })).body) as { status: string | null; display_url: string }[];
      return rows[0]?.status ? rows : undefined;
    }, 60_000, 'the first check');
    expect(targets[0]?.display_url).toMatch(/^postgres:\/\/postgres@/);
    const metrics = await get(base, '/metrics', { auth });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^schema_drift_target_up\{target="production"\} 1$/m);
    expect(metrics.headers['x-frame-options']).toBe('deny');
    expect(child.stdout.join('\n')).not.toContain('listening beyond loopback');
  });

  it('the probes stay open; plain HTTP on the TLS port gets no answer', async () => {
    expect((await get(base, '/healthz')).status).toBe(200);
    await expect(fetch(base.replace('https:', 'http:') + '/metrics', { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
  });

  it('serves a renewed certificate on new connections, without a restart', async () => {
    const before = (await get(base, '/healthz')).certificate.serialNumber;
    const renewedAt = performance.now();
    serverCertificate(pki.dir, 'server');
    const renewed = readFileSync(pki.serverCert, 'utf8');
    expect(renewed).not.toBe('');
    const after = await eventually(async () => {
      const serial = (await get(base, '/healthz')).certificate.serialNumber;
      return serial !== before ? serial : undefined;
    }, 15_000, 'the renewed certificate');
    expect(after).not.toBe(before);
    expect(child.stdout.join('\n')).toContain('TLS certificate files changed: reloaded');
    console.info(`web config: a renewed certificate was served ${Math.round(performance.now() - renewedAt)} ms after openssl wrote it (serial ${before} -> ${after})`);
  });

  it('a real Prometheus scrapes it over TLS with basic auth; a wrong password is up 0', async () => {
    const target = base.replace('https://', '');
    const job = (name: string, password: string) => ({
      job_name: name,
      scheme: 'https',
      tls_config: { ca_file: pki.caCert },
      basic_auth: { username: 'prometheus', password },
      static_configs: [{ targets: [target] }],
    });
    const file = await temp.write(
      'prometheus.yml',
      YAML.stringify({ global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [job('sd-good', PASSWORD), job('sd-bad', 'wrong')] }),
    );
    prometheus = await startPrometheus(file, path.join(temp.dir, 'prom-data'));
    const query = async (q: string) => {
      const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    // Until the good job is up: its first scrape pays for a bcrypt comparison (cost 10, pure JavaScript), queued behind
    // the bad job's, which can outlast the 1 s scrape timeout on a loaded machine; the login is remembered once it
    // matched, so a later scrape passes. The bad job's refusals are never remembered: it stays down.
    const up = await eventually(async () => {
      const rows = await query('up');
      const byJob = Object.fromEntries(rows.map((r) => [r.metric.job, r.value[1]]));
      return rows.length === 2 && byJob['sd-good'] === '1' ? byJob : undefined;
    }, 30_000, 'the good job up');
    expect(up).toEqual({ 'sd-good': '1', 'sd-bad': '0' });
    const scraped = await eventually(async () => {
      // The agent's first check may still run when Prometheus starts: the gauge is 0 until it has.
      const rows = await query('schema_drift_target_up{job="sd-good"} == 1');
      return rows.length > 0 ? rows : undefined;
    }, 30_000, 'schema_drift_target_up scraped');
    expect(scraped.map((r) => [r.metric.target, r.value[1]])).toEqual([['production', '1']]);
    expect(await query('schema_drift_target_up{job="sd-bad"}')).toEqual([]);
    const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; lastError: string }[] } };
    const bad = targets.data.activeTargets.find((t) => t.labels.job === 'sd-bad');
    expect(bad?.lastError).toMatch(/401/);
    console.info(`web config: Prometheus over TLS with basic auth: up{job="sd-good"} ${up['sd-good']}, up{job="sd-bad"} ${up['sd-bad']} (${bad?.lastError})`);
  }, 90_000);
});

describe('client certificates only (RequireAndVerifyClientCert)', () => {
  it('refuses a connection without a certificate, answers one with a certificate of the CA, and does not warn', async () => {
    const { base, child } = await agent(
      'mtls',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n',
    );
    await expect(get(base, '/metrics')).rejects.toThrow();
    const ok = await get(base, '/metrics', { cert: pki.clientCert, key: pki.clientKey });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('schema_drift_build_info');
    expect(child.stdout.join('\n')).not.toContain('listening beyond loopback');
  }, 60_000);
});
