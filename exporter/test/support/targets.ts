/**
 * Target configurations for tests that run checks against the real servers.
 */
import type { TargetConfig } from '../../src/config/types.ts';
import { dialectForUrl } from '../../src/dialects/registry.ts';

function dialectNamedFor(url: string): TargetConfig['dialect'] {
  const dialect = dialectForUrl(url);
  if (!dialect) throw new Error(`testTarget: no dialect for the URL scheme of ${url.replace(/:[^:@/]*@/, '@')}`);
  return dialect.name;
}

/**
 * A target as `loadConfig` would produce it, with test-sized timeouts: the dialect follows the URL's scheme, the
 * display URL is the URL without its password. `desired` is the one field every caller must choose.
 */
export function testTarget(
  name: string,
  url: string,
  fields: Partial<TargetConfig> & Pick<TargetConfig, 'desired'>,
): TargetConfig {
  return {
    name,
    dialect: dialectNamedFor(url),
    url,
    displayUrl: url.replace(/:[^:@/]*@/, '@'),
    exclude: {},
    schedule: '0 6,18 * * *',
    labels: { environment: 'test' },
    connectTimeoutMs: 3_000,
    statementTimeoutMs: 10_000,
    checkTimeoutMs: 60_000,
    watchMs: 0,
    deployingRetryMs: 15_000,
    deployingLimitMs: 1_800_000,
    checkColumnOrder: false,
    ignoreExtensionVersions: false,
    privileges: false,
    ...fields,
  };
}
