import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

/**
 * src/plugin.json against the rules of Grafana's plugin.json schema
 * (grafana/grafana docs/sources/developers/plugins/plugin.schema.json, draft-07): no npm package we could find
 * ships that file (checked @grafana/create-plugin 7.1.7, @grafana/plugin-e2e 3.14.0,
 * @grafana/plugin-meta-extractor 0.13.0), so the rules that apply to a panel are restated here.
 */
const pluginJson = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../src/plugin.json'), 'utf8')) as Record<
  string,
  unknown
>;
const info = pluginJson.info as Record<string, unknown>;
const dependencies = pluginJson.dependencies as Record<string, unknown>;

/** Top-level properties the schema allows (`additionalProperties: false`). */
const TOP_LEVEL = [
  '$schema', 'id', 'type', 'info', 'name', 'dependencies', 'alerting', 'annotations', 'autoEnabled', 'backend',
  'builtIn', 'category', 'enterpriseFeatures', 'executable', 'hideFromList', 'includes', 'logs', 'metrics',
  'pascalName', 'preload', 'queryOptions', 'routes', 'skipDataQuery', 'state', 'streaming', 'tracing',
];
const INFO = ['author', 'build', 'description', 'keywords', 'links', 'logos', 'screenshots', 'updated', 'version'];
const DEPENDENCIES = ['grafanaVersion', 'grafanaDependency', 'plugins'];

const ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$/;
const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)|(%VERSION%)$/;
const UPDATED_PATTERN = /^(\d{4}-\d{2}-\d{2}|%TODAY%)$/;
const GRAFANA_DEPENDENCY_PATTERN =
  /^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/;

describe('src/plugin.json follows Grafana\'s plugin schema', () => {
  it('has the required top-level properties and no others', () => {
    for (const key of ['type', 'name', 'id', 'info', 'dependencies']) {
      expect(pluginJson, key).toHaveProperty(key);
    }
    expect(Object.keys(pluginJson).filter((key) => !TOP_LEVEL.includes(key))).toEqual([]);
  });

  it('is a panel whose id has the <org>-<name>-panel form and whose name is not the id', () => {
    expect(pluginJson.type).toBe('panel');
    expect(pluginJson.id).toMatch(ID_PATTERN);
    expect(String(pluginJson.id).endsWith('-panel')).toBe(true);
    expect(pluginJson.name).toBe('Schema drift');
    expect(pluginJson.name).not.toBe(pluginJson.id);
  });

  it('has info with logos, version, updated and at least one keyword, and only known keys', () => {
    expect(Object.keys(info).filter((key) => !INFO.includes(key))).toEqual([]);
    expect(info.logos).toEqual({ small: 'img/logo.svg', large: 'img/logo.svg' });
    expect(info.version).toMatch(VERSION_PATTERN);
    expect(info.updated).toMatch(UPDATED_PATTERN);
    expect(Array.isArray(info.keywords) && info.keywords.length >= 1).toBe(true);
    expect((info.keywords as unknown[]).every((k) => typeof k === 'string')).toBe(true);
    expect(typeof info.description).toBe('string');
    expect(Object.keys(info.author as object).every((key) => ['name', 'email', 'url'].includes(key))).toBe(true);
    for (const link of info.links as Array<Record<string, unknown>>) {
      expect(Object.keys(link).every((key) => ['name', 'url'].includes(key))).toBe(true);
      expect(() => new URL(String(link.url))).not.toThrow();
    }
  });

  it('declares a grafanaDependency in the schema\'s form, at least Grafana 13 (React 19, @grafana/ui 13)', () => {
    expect(Object.keys(dependencies).filter((key) => !DEPENDENCIES.includes(key))).toEqual([]);
    expect(dependencies.grafanaDependency).toMatch(GRAFANA_DEPENDENCY_PATTERN);
    expect(dependencies.grafanaDependency).toBe('>=13.0.0');
    expect(dependencies.plugins).toEqual([]);
  });

  it.each([
    ['an id without the type suffix', 'schemadrift-drift', ID_PATTERN],
    ['an id with capitals', 'SchemaDrift-drift-panel', ID_PATTERN],
    ['a version that is not semver', 'v1', VERSION_PATTERN],
    ['a date with time', '2025-03-01T00:00', UPDATED_PATTERN],
    ['a dependency range with ||', '>=12.0.0 || >=13.0.0', GRAFANA_DEPENDENCY_PATTERN],
  ])('the restated patterns refuse %s', (_title, value, pattern) => {
    expect(value).not.toMatch(pattern);
  });

  it('names a logo that exists and is SVG', () => {
    const logo = readFileSync(path.join(import.meta.dirname, '../../src', String((info.logos as { small: string }).small)), 'utf8');
    expect(logo).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});
