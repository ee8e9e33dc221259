/**
 * The Kubernetes manifests (`deploy/kubernetes/`) agree with each other, with the image and with the agent. There is
 * no cluster here, so the kustomization is rendered with `kubectl kustomize` (what `kubectl apply -k` would send) and
 * the objects are checked as data: selectors, ports, probes, Secrets, the image's entrypoint, and the ConfigMap's
 * configuration through the agent's own validation.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../src/config/load.ts';
import { SHUTDOWN_BOUND_MS } from '../../src/agent/serve.ts';
import { DEFAULT_PORT } from '../../src/config/types.ts';
import { ROOT, arr, obj, onPath, readRepoText, readRepoYaml, runTool, str } from './repo.ts';

const DIR = 'deploy/kubernetes';
/**
 * kubectl from `KUBECTL` or PATH (on this CI machine it comes with google-cloud-sdk; scripts/test-tools does not
 * install it). It must be 1.24 or newer: its bundled kustomize (4.1 or newer) reads the kustomization's `labels:`.
 */
const KUBECTL_NEEDED = 'kubectl 1.24 or newer (its bundled kustomize 4.1 or newer reads `labels:`)';
const KUBECTL = process.env.KUBECTL || onPath('kubectl') || '';
const INSTALL_KUBECTL = `${KUBECTL_NEEDED} is needed to render the manifests: put it on PATH or set KUBECTL to its path`;

/** kustomize's [major, minor] as `kubectl version --client` reports it, when it does. */
function kustomizeVersion(): [number, number] | undefined {
  const run = runTool(KUBECTL, ['version', '--client'], ROOT, INSTALL_KUBECTL);
  const match = /Kustomize Version: v?(\d+)\.(\d+)/.exec(run.stdout);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Every YAML document of a text, parsed; a document with errors fails the test. */
function documents(text: string, what: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((doc, i) => {
    expect(doc.errors.map((e) => e.message), `${what}, document ${i}`).toEqual([]);
    return obj(doc.toJS(), `${what}, document ${i}`);
  });
}

const rendered = (() => {
  if (!KUBECTL) throw new Error(`kubectl not found: ${INSTALL_KUBECTL}`);
  const version = kustomizeVersion();
  if (version && (version[0] < 4 || (version[0] === 4 && version[1] < 1))) {
    throw new Error(`${KUBECTL} bundles kustomize ${version.join('.')}: ${INSTALL_KUBECTL}`);
  }
  const run = runTool(KUBECTL, ['kustomize', path.join(ROOT, DIR)], ROOT, INSTALL_KUBECTL);
  expect(run.status, `kubectl kustomize failed: ${run.stderr}`).toBe(0);
  return documents(run.stdout, 'kubectl kustomize');
})();

function one(kind: string): Record<string, unknown> {
  const found = rendered.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Record<string, unknown>;
}

const deployment = one('Deployment');
const service = one('Service');
const monitor = one('ServiceMonitor');
const pdb = one('PodDisruptionBudget');
const configMap = one('ConfigMap');
const spec = obj(deployment.spec, 'deployment.spec');
const template = obj(spec.template, 'template');
const podLabels = obj(obj(template.metadata, 'template.metadata').labels, 'pod labels');
const podSpec = obj(template.spec, 'pod spec');
const container = obj(arr(podSpec.containers, 'containers')[0], 'container');
const containerPorts = arr(container.ports, 'ports').map((p) => obj(p, 'port'));

/** `matchLabels` select the labels when each pair is among them. */
function selects(matchLabels: unknown, labels: Record<string, unknown>): boolean {
  const wanted = Object.entries(obj(matchLabels, 'matchLabels'));
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

/** The README's section "Kubernetes". */
function readmeSection(): string {
  const readme = readRepoText('README.md');
  const start = readme.indexOf('## Kubernetes');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** A JSON-array instruction (`ENTRYPOINT [...]`, `CMD [...]`) of the Dockerfile. */
function dockerfileArray(instruction: string): string[] {
  const line = readRepoText('Dockerfile').split('\n').find((l) => l.startsWith(`${instruction} [`));
  expect(line, `Dockerfile ${instruction}`).toBeDefined();
  return JSON.parse(String(line).slice(instruction.length + 1)) as string[];
}

describe('deploy/kubernetes', () => {
  it('every file parses, and the kustomization lists every manifest of the folder', () => {
    const kustomization = obj(readRepoYaml(`${DIR}/kustomization.yaml`), 'kustomization');
    const files = readdirSync(path.join(ROOT, DIR)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(arr(kustomization.resources, 'resources').map((r) => str(r, 'resource')).sort()).toEqual(files.sort());
    for (const file of files) expect(documents(readRepoText(`${DIR}/${file}`), file).length).toBeGreaterThan(0);
    expect(rendered.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
  });

  it('three replicas by default, selected by their own pod labels', () => {
    expect(spec.replicas).toBe(3);
    expect(selects(obj(spec.selector, 'selector').matchLabels, podLabels)).toBe(true);
  });

  it('runs the Dockerfile\'s entrypoint with its CMD, on the image the kustomization pins', () => {
    expect(dockerfileArray('ENTRYPOINT')).toEqual(['node', '/app/exporter/bin/schema-drift.js']);
    expect(container.command).toBeUndefined(); // the image's ENTRYPOINT
    expect(container.args).toEqual(dockerfileArray('CMD'));
    const version = str(obj(JSON.parse(readRepoText('exporter/package.json')), 'package.json').version, 'version');
    expect(container.image).toBe(`schema-drift:${version}`);
    expect(readmeSection()).toContain(`schema-drift:${version}`);
  });

  it('mounts the ConfigMap where the arguments read the configuration', () => {
    const configFile = str(arr(container.args, 'args').at(-1), 'config path');
    const mounts = arr(container.volumeMounts, 'volumeMounts').map((m) => obj(m, 'mount'));
    const volumes = new Map(arr(podSpec.volumes, 'volumes').map((v) => [obj(v, 'volume').name, obj(v, 'volume')]));
    const configMount = mounts.find((m) => m.mountPath === path.posix.dirname(configFile));
    expect(configMount?.readOnly).toBe(true);
    const configVolume = obj(volumes.get(configMount?.name), 'config volume');
    expect(obj(configVolume.configMap, 'configMap').name).toBe(obj(configMap.metadata, 'cm.metadata').name);
    expect(Object.keys(obj(configMap.data, 'data'))).toEqual([path.posix.basename(configFile)]);
  });

  it('non-root with a read-only root file system; dataDir and /tmp are emptyDir volumes', () => {
    const pod = obj(podSpec.securityContext, 'pod securityContext');
    expect(pod.runAsNonRoot).toBe(true);
    // The Dockerfile's `USER node` is uid 1000 in the node images.
    expect(readRepoText('Dockerfile')).toMatch(/^USER node$/m);
    expect(pod.runAsUser).toBe(1000);
    const own = obj(container.securityContext, 'container securityContext');
    expect(own.readOnlyRootFilesystem).toBe(true);
    expect(own.allowPrivilegeEscalation).toBe(false);
    expect(obj(own.capabilities, 'capabilities').drop).toEqual(['ALL']);
    const volumes = new Map(arr(podSpec.volumes, 'volumes').map((v) => [obj(v, 'volume').name, obj(v, 'volume')]));
    const mounts = arr(container.volumeMounts, 'volumeMounts').map((m) => obj(m, 'mount'));
    const dataDir = str(obj(parseConfigText(), 'config').dataDir, 'dataDir');
    for (const dir of [dataDir, '/tmp']) {
      const mount = mounts.find((m) => m.mountPath === dir);
      expect(mount, dir).toBeDefined();
      expect(obj(volumes.get(mount?.name), dir).emptyDir).toEqual({});
    }
  });

  it('probes hit the agent\'s unauthenticated /healthz and /readyz on the container port', () => {
    const live = obj(obj(container.livenessProbe, 'liveness').httpGet, 'liveness.httpGet');
    const ready = obj(obj(container.readinessProbe, 'readiness').httpGet, 'readiness.httpGet');
    expect(live.path).toBe('/healthz');
    expect(ready.path).toBe('/readyz');
    expect(containerPorts.map((p) => p.name)).toContain(live.port);
    expect(containerPorts.map((p) => p.name)).toContain(ready.port);
    // Registered before the credentials check, so a probe needs no token (the config sets one).
    const app = readRepoText('exporter/src/http/app.ts');
    const auth = app.indexOf('requireCredentials(');
    for (const route of ['/healthz', '/readyz']) {
      const at = app.indexOf(`app.get('${route}'`);
      expect(at, route).toBeGreaterThan(0);
      expect(at).toBeLessThan(auth);
    }
  });

  it('the pod shares its process namespace: the pause process, not node, is PID 1 and reaps commands\' orphans', () => {
    expect(podSpec.shareProcessNamespace).toBe(true);
  });

  it('stops within the pod\'s grace period: longer than the agent\'s shutdown bound', () => {
    expect(Number(podSpec.terminationGracePeriodSeconds) * 1_000).toBeGreaterThan(SHUTDOWN_BOUND_MS);
  });

  it('memory request and limit are the figures the README states', () => {
    const resources = obj(container.resources, 'resources');
    const request = str(obj(resources.requests, 'requests').memory, 'request');
    const limit = str(obj(resources.limits, 'limits').memory, 'limit');
    expect(readmeSection()).toContain(`Memory: request ${request}, limit ${limit}`);
    // The README's figures: a 5,000-table check's 653 MB peak in the agent, plus its embedded replay's 600 MB child.
    expect(Number.parseInt(limit, 10) * 2 ** 20).toBeGreaterThan((653 + 600) * 1e6);
  });

  it('the Service selects the pods and targets the container port, which is the agent\'s default port', () => {
    const s = obj(service.spec, 'service.spec');
    expect(selects(s.selector === undefined ? {} : { ...obj(s.selector, 'selector') }, podLabels)).toBe(true);
    const port = obj(arr(s.ports, 'ports')[0], 'service port');
    expect(port.name).toBe('http-metrics');
    expect(port.port).toBe(DEFAULT_PORT);
    const target = containerPorts.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
    expect(target?.containerPort).toBe(DEFAULT_PORT);
    expect(str(obj(parseConfigText(), 'config').listen, 'listen')).toBe(`0.0.0.0:${DEFAULT_PORT}`);
    expect(readRepoText('Dockerfile')).toContain(`EXPOSE ${DEFAULT_PORT}`);
  });

  it('the ServiceMonitor selects the Service and scrapes its named port at /metrics with the agent\'s token', () => {
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const m = obj(monitor.spec, 'monitor.spec');
    expect(selects(obj(m.selector, 'selector').matchLabels, obj(obj(service.metadata, 'svc.metadata').labels, 'svc labels'))).toBe(true);
    const endpoint = obj(arr(m.endpoints, 'endpoints')[0], 'endpoint');
    expect(endpoint.port).toBe(obj(arr(obj(service.spec, 's').ports, 'ports')[0], 'p').name);
    expect(endpoint.path).toBe('/metrics');
    // /metrics needs the bearer token when one is configured: the same Secret key as the agent's.
    const credentials = obj(obj(endpoint.authorization, 'authorization').credentials, 'credentials');
    const tokenVar = /^bearerToken: \$\{(\w+)\}$/m.exec(configText())?.[1];
    expect(secretRefs().get(String(tokenVar))).toEqual({ name: credentials.name, key: credentials.key });
  });

  it('the PodDisruptionBudget lets at most one pod go and selects the pods', () => {
    expect(pdb.apiVersion).toBe('policy/v1');
    const p = obj(pdb.spec, 'pdb.spec');
    expect(p.maxUnavailable).toBe(1);
    expect(p.minAvailable).toBeUndefined();
    expect(selects(obj(p.selector, 'selector').matchLabels, podLabels)).toBe(true);
  });

  it('every secretKeyRef names a Secret and key the README tells the user to create; the config reads each variable', () => {
    const refs = secretRefs();
    expect(refs.size).toBeGreaterThanOrEqual(3);
    const created = new Map<string, Set<string>>();
    for (const [, name, rest] of readmeSection().matchAll(/kubectl create secret generic (\S+)((?: --from-literal=\w+=\S+)+)/g)) {
      created.set(String(name), new Set([...String(rest).matchAll(/--from-literal=(\w+)=/g)].map((k) => String(k[1]))));
    }
    for (const [variable, ref] of refs) {
      expect(created.get(String(ref.name))?.has(String(ref.key)), `${variable}: ${ref.name}/${ref.key}`).toBe(true);
      expect(configText()).toContain(`\${${variable}}`);
    }
    // Every variable the config reads comes from the Deployment's env.
    for (const [, variable] of configText().matchAll(/\$\{(\w+)\}/g)) expect([...refs.keys()]).toContain(variable);
    // No literal password anywhere in the manifests.
    expect(configText()).not.toMatch(/:\/\/[^@/\s]+:[^@/\s]+@/);
  });

  it('the store is the shared PostgreSQL database of the fleet setting', () => {
    expect(obj(obj(parseConfigText(), 'config').store, 'store')).toEqual({ url: '${SCHEMA_DRIFT_STORE_URL}' });
  });

  it('the ConfigMap\'s configuration passes the agent\'s validation', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sd-k8s-'));
    // Paths inside the image are the repository's (the Dockerfile copies exporter/ to /app/exporter/).
    const text = configText().replaceAll('/app/exporter/', `${ROOT}/exporter/`).replace('dataDir: /var/lib/schema-drift', `dataDir: ${dataDir}`);
    const env = Object.fromEntries([...secretRefs().keys()].map((v) => [v, v === 'SCHEMA_DRIFT_STORE_URL' ? 'postgres://store:pw@store:5432/sd' : 'x']));
    try {
      const config = await parseWithStore(text, env);
      expect(config.targets.map((t) => [t.name, t.dialect, new URL(t.url).host])).toEqual([['production', 'postgres', 'postgres.databases.svc:5432']]);
      expect(config.bearerToken).toBe('x');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function configText(): string {
  return str(obj(configMap.data, 'data')['schema-drift.yaml'], 'schema-drift.yaml');
}

function parseConfigText(): unknown {
  return documents(configText(), 'schema-drift.yaml')[0];
}

/** env variable → the Secret and key it comes from. */
function secretRefs(): Map<string, { name: unknown; key: unknown }> {
  const refs = new Map<string, { name: unknown; key: unknown }>();
  for (const e of arr(container.env, 'env').map((x) => obj(x, 'env'))) {
    const ref = obj(obj(e.valueFrom, `${String(e.name)}.valueFrom`).secretKeyRef, `${String(e.name)}.secretKeyRef`);
    refs.set(str(e.name, 'env name'), { name: ref.name, key: ref.key });
  }
  return refs;
}

/**
 * Validates the configuration. The `store` setting is added on another branch (issue 15); until the schema knows
 * it, the only problem allowed is that key, and the rest is validated without it.
 */
async function parseWithStore(text: string, env: Record<string, string>) {
  const config = await parseConfig(text, path.join(ROOT, DIR, 'schema-drift.yaml'), env);
  // Every replica shares one store: without it each would keep its own history and check every target itself.
  expect(config.store?.url).toBe(env.SCHEMA_DRIFT_STORE_URL);
  return config;
}
