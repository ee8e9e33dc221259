import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../src/config/load.ts';
import { INFINITY_UID, PROMETHEUS_UID, ROOT, arr, obj, readRepoJson, readRepoText, readRepoYaml, repoPath, str } from './repo.ts';

/**
 * There is no Docker engine on these machines, so the compose file is checked as data: every bind mount names a
 * repository path, every dependency exists and is health-checked, every image is pinned. One host path is produced
 * by a build instead of being committed: the panel plugin's `dist/`. The test accepts it because docker-compose.yml
 * and the README name the command that makes it (building it here would take minutes of the shared CPUs).
 */
const GENERATED: Record<string, string> = {
  'grafana-plugin/dist': 'npm run build --workspace grafana-plugin',
};

const compose = obj(readRepoYaml('docker-compose.yml'), 'docker-compose.yml');
const services = obj(compose.services, 'services');
const serviceNames = Object.keys(services);
const service = (name: string) => obj(services[name], `services.${name}`);
const PLUGIN_ID = str(obj(readRepoJson('grafana-plugin/src/plugin.json'), 'plugin.json').id, 'plugin id');

/** Short-syntax volumes `host:container[:mode]` of a service, split. */
function mounts(name: string): { host: string; container: string; mode: string | undefined }[] {
  const volumes = service(name).volumes;
  return volumes === undefined
    ? []
    : arr(volumes, `${name}.volumes`).map((entry) => {
        const [host = '', container = '', mode] = str(entry, `${name} volume`).split(':');
        return { host, container, mode };
      });
}

/** The section "Try the whole stack" of the README. */
function readmeSection(): string {
  const readme = readRepoText('README.md');
  const start = readme.indexOf('## Try the whole stack');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('docker-compose.yml', () => {
  it('has the demo services', () => {
    expect(serviceNames.sort()).toEqual(['grafana', 'mailpit', 'mariadb', 'postgres', 'prometheus', 'schema-drift']);
  });

  it.each(serviceNames)('%s: a pinned image or a build from the repository', (name) => {
    const s = service(name);
    if (s.build !== undefined) {
      const build = obj(s.build, 'build');
      const context = path.join(ROOT, str(build.context, 'context'));
      expect(existsSync(path.join(context, str(build.dockerfile ?? 'Dockerfile', 'dockerfile')))).toBe(true);
      return;
    }
    const image = str(s.image, `${name}.image`);
    const tag = image.split(':')[1];
    expect(tag, `${image} has no tag`).toBeDefined();
    expect(tag).not.toBe('latest');
    expect(tag).toMatch(/\d+\.\d+/);
  });

  it.each(serviceNames)('%s: every bind-mounted host path exists in the repository or is a documented build output', (name) => {
    for (const mount of mounts(name).filter((m) => m.host.startsWith('.'))) {
      const relative = path.posix.normalize(mount.host);
      if (relative in GENERATED) {
        expect(readRepoText('docker-compose.yml')).toContain(GENERATED[relative]);
        expect(readmeSection()).toContain(GENERATED[relative]);
        expect(mount.mode).toBe('ro');
        continue;
      }
      expect(existsSync(repoPath(relative)), `${name}: ${mount.host} does not exist`).toBe(true);
      // A file mounted onto a file path, a directory onto a directory: Docker would create a directory otherwise.
      expect(statSync(repoPath(relative)).isDirectory()).toBe(!/\.[a-z]+$/.test(path.posix.basename(mount.container)));
    }
  });

  it.each(serviceNames)('%s: depends only on defined services, health-checked where it waits for health', (name) => {
    const dependsOn = service(name).depends_on;
    if (dependsOn === undefined) {
      return;
    }
    for (const [dependency, condition] of Object.entries(obj(dependsOn, 'depends_on'))) {
      expect(serviceNames).toContain(dependency);
      const wanted = str(obj(condition, 'condition').condition, 'condition');
      expect(['service_healthy', 'service_started']).toContain(wanted);
      if (wanted === 'service_healthy') {
        const test = arr(obj(service(dependency).healthcheck, `${dependency}.healthcheck`).test, 'test');
        expect(test[0]).toBe('CMD');
        expect(test.length).toBeGreaterThan(1);
      }
    }
  });

  it('health checks talk TCP to 127.0.0.1: the database images run their init scripts on the socket only', () => {
    const pg = arr(obj(service('postgres').healthcheck, 'hc').test, 'test').join(' ');
    expect(pg).toContain('pg_isready -h 127.0.0.1');
    const maria = arr(obj(service('mariadb').healthcheck, 'hc').test, 'test').join(' ');
    expect(maria).toMatch(/(mysqladmin|mariadb-admin) ping -h 127\.0\.0\.1 --protocol tcp/);
    const exporter = arr(obj(service('schema-drift').healthcheck, 'hc').test, 'test').join(' ');
    expect(exporter).toContain('http://127.0.0.1:9772/healthz');
  });

  it('the database init scripts get the migrations and the drift they deploy', () => {
    for (const [name, migrations] of [['postgres', 'exporter/examples/migrations'], ['mariadb', 'exporter/examples/migrations-mysql']]) {
      const byContainer = new Map(mounts(name ?? '').map((m) => [m.container, m.host]));
      expect(byContainer.get('/docker-entrypoint-initdb.d/10-deploy.sh')).toBe(`./compose/${name}/deploy.sh`);
      expect(byContainer.get('/migrations')).toBe(`./${migrations}`);
      expect(byContainer.has('/drift/production.sql')).toBe(true);
      const script = readRepoText(`compose/${name}/deploy.sh`);
      expect(script).toMatch(/CREATE DATABASE production;\s*CREATE DATABASE staging;/);
      expect(script).toContain('/drift/production.sql');
      expect(statSync(repoPath(`compose/${name}/deploy.sh`)).mode & 0o111).not.toBe(0);
    }
  });

  it('Grafana: Infinity preinstalled at a pinned version, the built panel mounted read-only and allowed unsigned', () => {
    const env = obj(service('grafana').environment, 'grafana.environment');
    expect(str(env.GF_PLUGINS_PREINSTALL_SYNC, 'preinstall')).toMatch(/^yesoreyeram-infinity-datasource@\d+\.\d+\.\d+$/);
    expect(str(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS, 'unsigned').split(',')).toContain(PLUGIN_ID);
    const plugin = mounts('grafana').find((m) => m.host === './grafana-plugin/dist');
    expect(plugin?.container).toBe(`/var/lib/grafana/plugins/${PLUGIN_ID}`);
    expect(env.GF_SMTP_HOST).toBe('mailpit:1025');
  });

  it('Grafana: every provisioning file is mounted and every variable they read is set', () => {
    const byHost = new Map(mounts('grafana').map((m) => [m.host, m.container]));
    expect(byHost.get('./dashboards/provisioning/datasources.yaml')).toMatch(/^\/etc\/grafana\/provisioning\/datasources\//);
    expect(byHost.get('./dashboards/provisioning/dashboards.yaml')).toMatch(/^\/etc\/grafana\/provisioning\/dashboards\//);
    expect(byHost.get('./alerts/grafana')).toBe('/etc/grafana/provisioning/alerting');
    const provider = obj(arr(obj(readRepoYaml('dashboards/provisioning/dashboards.yaml'), 'p').providers, 'providers')[0], 'provider');
    const dashboardDir = str(obj(provider.options, 'options').path, 'path');
    for (const file of ['schema-drift-overview.json', 'schema-drift-target.json']) {
      expect(byHost.get(`./dashboards/${file}`)).toBe(`${dashboardDir}/${file}`);
    }
    const env = obj(service('grafana').environment, 'grafana.environment');
    const files = ['dashboards/provisioning/datasources.yaml', 'alerts/grafana/alert-rules.yaml', 'alerts/grafana/contact-points.yaml'];
    for (const file of files) {
      const body = readRepoText(file).replace(/^\s*#.*$/gm, '');
      // `$NAME` outside templates (`{{ $labels }}`) and math models (`$E + $G`): the environment variables.
      for (const [, name] of body.matchAll(/(?<![{\w] ?)\$\{?([A-Z][A-Z0-9_]{2,})/g)) {
        expect(Object.keys(env), `${file} reads $${name}`).toContain(name);
      }
    }
  });

  it('Prometheus scrapes the exporter service and loads the mounted rules file', () => {
    const config = obj(readRepoYaml('compose/prometheus.yml'), 'prometheus.yml');
    const scrape = obj(arr(config.scrape_configs, 'scrape_configs')[0], 'scrape');
    const target = str(arr(obj(arr(scrape.static_configs, 'static')[0], 'static').targets, 'targets')[0], 'target');
    expect(target).toBe('schema-drift:9772');
    const rules = new Map(mounts('prometheus').map((m) => [m.container, m.host]));
    for (const file of arr(config.rule_files, 'rule_files')) {
      expect(rules.get(str(file, 'rule file'))).toBe('./alerts/prometheus/schema-drift.rules.yml');
    }
    expect(rules.get('/etc/prometheus/prometheus.yml')).toBe('./compose/prometheus.yml');
  });

  it('the exporter configuration is valid and names the compose databases', async () => {
    // Map the container paths onto the repository to validate the file as the exporter will at start.
    const exporterMounts = new Map(mounts('schema-drift').map((m) => [m.container, m.host]));
    let text = readRepoText('compose/schema-drift.yaml');
    for (const dir of ['/migrations/postgres', '/migrations/mysql']) {
      const host = exporterMounts.get(dir);
      expect(host).toBeDefined();
      text = text.replaceAll(`${dir}\n`, `${repoPath(String(host))}\n`).replaceAll(`${dir} `, `${repoPath(String(host))} `);
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sd-compose-'));
    try {
      text = text.replace('dataDir: /var/lib/schema-drift', `dataDir: ${dataDir}`);
      const config = await parseConfig(text, repoPath('compose/schema-drift.yaml'), { SCHEMA_DRIFT_DB_PASSWORD: 'x' });
      const targets = config.targets.map((t) => [t.name, t.dialect, new URL(t.url).host, t.labels]);
      expect(targets).toEqual([
        ['production', 'postgres', 'postgres:5432', { environment: 'production', engine: 'postgres' }],
        ['staging', 'postgres', 'postgres:5432', { environment: 'staging', engine: 'postgres' }],
        ['mariadb-production', 'mysql', 'mariadb:3306', { environment: 'production', engine: 'mariadb' }],
        ['mariadb-staging', 'mysql', 'mariadb:3306', { environment: 'staging', engine: 'mariadb' }],
      ]);
      expect(config.targets.filter((t) => t.dialect === 'mysql').every((t) => t.desired.devUrl?.includes('@mariadb:3306'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the data sources: fixed uids, Infinity limited to the exporter service', () => {
    const sources = arr(obj(readRepoYaml('dashboards/provisioning/datasources.yaml'), 'ds').datasources, 'datasources').map((d) => obj(d, 'ds'));
    const byUid = new Map(sources.map((s) => [s.uid, s]));
    expect([...byUid.keys()].sort()).toEqual([PROMETHEUS_UID, INFINITY_UID].sort());
    expect(byUid.get(PROMETHEUS_UID)?.url).toBe(`http://prometheus:9090`);
    const infinity = obj(byUid.get(INFINITY_UID), 'infinity');
    expect(infinity.type).toBe('yesoreyeram-infinity-datasource');
    expect(arr(obj(infinity.jsonData, 'jsonData').allowedHosts, 'allowedHosts')).toEqual([infinity.url]);
    expect(infinity.url).toBe('http://schema-drift:9772');
    expect(obj(infinity.secureJsonData, 'secure').bearerToken).toBe('$SCHEMA_DRIFT_TOKEN');
  });

  it('the README section documents every published port', () => {
    const section = readmeSection();
    const published = serviceNames.flatMap((name) =>
      (service(name).ports === undefined ? [] : arr(service(name).ports, 'ports')).map((p) => str(p, 'port').split(':')[0]),
    );
    expect(published.length).toBeGreaterThanOrEqual(6);
    for (const port of published) {
      expect(section).toContain(String(port));
    }
    expect(section).toContain('docker compose up');
  });
});
