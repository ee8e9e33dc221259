/** The exporter's version, from its package.json (`schema_drift_build_info{version}`, `--version`, the landing page). */
import { readFileSync } from 'node:fs';

// Read at run time rather than imported: the same relative path holds from the TypeScript sources (src/) and from the
// compiled package (dist/), and a JSON import would be copied into dist/ as a second package.json.
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** `version` of exporter/package.json. */
export const VERSION: string = manifest.version;
