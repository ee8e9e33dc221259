/** The exporter's version, from its package.json (`schema_drift_build_info{version}`, `--version`, the landing page). */
import manifest from '../package.json' with { type: 'json' };

/** `version` of exporter/package.json. */
export const VERSION: string = manifest.version;
