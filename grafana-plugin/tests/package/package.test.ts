import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { LAYOUT_WORKER_FILE } from '../../src/components/erd/layout-protocol.ts';
import { readZip } from '../support/zip-reader.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'dist');
const source = JSON.parse(readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8')) as { id: string };
const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ID = source.id;

describe('the built plugin (dist/, built by the project\'s global setup)', () => {
  const zipPath = path.join(DIST, `${ID}-${version}.zip`);
  const entries = readZip(readFileSync(zipPath));
  const byName = new Map(entries.map((e) => [e.name, e.content]));

  it('zip holds everything under one folder named after the plugin id', () => {
    expect(entries.every((e) => e.name.startsWith(`${ID}/`))).toBe(true);
    for (const file of ['module.js', LAYOUT_WORKER_FILE, 'plugin.json', 'img/logo.svg', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      expect(byName.has(`${ID}/${file}`), file).toBe(true);
    }
  });

  it('zipped plugin.json has the id, the package version and a build date', () => {
    const pluginJson = JSON.parse(byName.get(`${ID}/plugin.json`)?.toString() ?? '{}') as {
      id: string;
      info: { version: string; updated: string };
    };
    expect(pluginJson.id).toBe(ID);
    expect(pluginJson.info.version).toBe(version);
    expect(pluginJson.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('module.js is an AMD module that leaves React, @grafana/* and emotion to Grafana', () => {
    const moduleJs = byName.get(`${ID}/module.js`)?.toString() ?? '';
    const deps = /^define\((\[[^\]]*\])/.exec(moduleJs)?.[1];
    expect(deps).toBeDefined();
    const externals = JSON.parse(deps ?? '[]') as string[];
    for (const name of ['react', '@grafana/data', '@grafana/ui']) {
      expect(externals).toContain(name);
    }
    // Bundled copies of React or @grafana/ui would clash with Grafana's own at run time.
    expect(moduleJs).not.toContain('react.production');
    expect(moduleJs).not.toMatch(/__SECRET_INTERNALS|__CLIENT_INTERNALS_DO_NOT_USE/);
  });

  it('module.js has no console logging, native alert or window.location (plugin validator checks)', () => {
    const moduleJs = byName.get(`${ID}/module.js`)?.toString() ?? '';
    expect(moduleJs).not.toMatch(/console\.(log|debug|info)\(/);
    expect(moduleJs).not.toMatch(/\balert\(|window\.location/);
  });

  it('ships the repository LICENSE, the plugin CHANGELOG and README, no placeholders left', () => {
    expect(byName.get(`${ID}/LICENSE`)?.toString()).toBe(readFileSync(path.join(ROOT, '../LICENSE'), 'utf8'));
    expect(byName.get(`${ID}/CHANGELOG.md`)?.toString()).toBe(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'));
    const readme = byName.get(`${ID}/README.md`)?.toString() ?? '';
    expect(readme).toContain('# Schema drift');
    expect(readme).not.toMatch(/%VERSION%|%TODAY%|%PLUGIN_ID%/);
  });

  it('ships every screenshot plugin.json lists, and every image the README shows, as PNG files', () => {
    const pluginJson = JSON.parse(byName.get(`${ID}/plugin.json`)?.toString() ?? '{}') as {
      info: { screenshots: { name: string; path: string }[]; links: { url: string }[] };
    };
    expect(pluginJson.info.screenshots.length).toBeGreaterThanOrEqual(4);
    expect(pluginJson.info.links.length).toBeGreaterThan(0);
    const readme = byName.get(`${ID}/README.md`)?.toString() ?? '';
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] as string);
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const file of [...pluginJson.info.screenshots.map((s) => s.path), ...images]) {
      const content = byName.get(`${ID}/${file}`);
      expect(content, file).toBeDefined();
      // PNG signature: the file is the image, not a Git LFS pointer or a text placeholder.
      expect(content?.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
    }
  });

  it('ships the layout worker as a plain script (no AMD define) that module.js loads by name', () => {
    const worker = byName.get(`${ID}/${LAYOUT_WORKER_FILE}`)?.toString() ?? '';
    expect(worker.length).toBeGreaterThan(100_000);
    expect(worker).not.toMatch(/^define\(/);
    // The worker answers layout requests with ELK's result (layout-worker.ts).
    expect(worker).toContain('"ready"');
    const moduleJs = byName.get(`${ID}/module.js`)?.toString() ?? '';
    expect(moduleJs).toContain(JSON.stringify(LAYOUT_WORKER_FILE));
    expect(moduleJs).toContain(`"public/plugins/${ID}/"`);
  });

  it('no file refers to the build machine\'s paths', () => {
    const local = [path.resolve(ROOT, '..'), process.cwd(), path.dirname(process.execPath)];
    const texts = entries.filter((e) => e.content && /\.(js|map|json|md)$/.test(e.name));
    expect(texts.length).toBeGreaterThan(4);
    for (const entry of texts) {
      const text = entry.content?.toString() ?? '';
      for (const dir of local) expect(text.includes(dir), `${entry.name} contains ${dir}`).toBe(false);
    }
  });
});
