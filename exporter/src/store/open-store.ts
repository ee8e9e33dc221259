/**
 * Opens the store the configuration names: the PostgreSQL store when `store` is set, else the embedded
 * `<dataDir>/reports.sqlite`. The one place that chooses, so the agent and the tools open the same thing.
 */
import type { AgentConfig } from '../config/types.ts';
import { PgStore } from './pg-store.ts';
import type { StoreLogger } from './report-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** Extra connections beyond `concurrency` (each running check holds one for its claim): saves, reads, the API. */
const SPARE_CONNECTIONS = 4;

/** Opens (creating and migrating when needed) the configured store. @throws StoreError naming it. */
export async function openStore(config: Pick<AgentConfig, 'dataDir' | 'store' | 'concurrency'>, logger?: StoreLogger): Promise<Store> {
  const { store } = config;
  if (!store) return SqliteStore.open(config.dataDir, logger ? { logger } : {});
  return PgStore.open({
    url: store.url,
    ...(store.passwordFile !== undefined ? { passwordFile: store.passwordFile } : {}),
    ...(store.schema !== undefined ? { schema: store.schema } : {}),
    poolSize: config.concurrency + SPARE_CONNECTIONS,
    ...(logger ? { logger } : {}),
  });
}
