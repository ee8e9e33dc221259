/**
 * Packs `dist/` into `dist/<id>-<version>.zip` with everything under a top folder named after the plugin id: the
 * layout `grafana cli plugins install --pluginUrl` and the plugin validator expect. Run after webpack
 * (`npm run build`).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createZip } from './zip.ts';
import type { ZipEntry } from './zip.ts';

const ROOT = path.join(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Files and folders under `dir`, relative, `/`-separated, folders with a trailing `/`, sorted. */
function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const absolute = path.join(dir, name);
    if (statSync(absolute).isDirectory()) {
      out.push(`${prefix}${name}/`, ...listTree(absolute, `${prefix}${name}/`));
    } else {
      out.push(`${prefix}${name}`);
    }
  }
  return out;
}

/** Writes the zip and returns its path. */
export function packageZip(dist: string = DIST): string {
  const pluginJson = JSON.parse(readFileSync(path.join(dist, 'plugin.json'), 'utf8')) as {
    id: string;
    info: { version: string; updated: string };
  };
  const { id } = pluginJson;
  const { version, updated } = pluginJson.info;
  const zipName = `${id}-${version}.zip`;
  const files = listTree(dist).filter((name) => !name.endsWith('.zip'));
  const entries: ZipEntry[] = [{ name: `${id}/` }];
  for (const name of files) {
    entries.push(
      name.endsWith('/')
        ? { name: `${id}/${name}` }
        : { name: `${id}/${name}`, content: readFileSync(path.join(dist, name)) },
    );
  }
  // Stamped with the build date from plugin.json, not the clock: the same build gives the same bytes.
  const zip = createZip(entries, new Date(`${updated}T00:00:00Z`));
  const target = path.join(dist, zipName);
  writeFileSync(target, zip);
  return target;
}

if (import.meta.main) {
  process.stdout.write(`${path.relative(process.cwd(), packageZip())}\n`);
}
