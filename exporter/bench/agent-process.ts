/**
 * The agent's memory around its checks, in a process of its own: `runCheck` (the agent's function, with its on-disk
 * desired-schema cache and replay cache) on one target, `checks` times, as the agent's schedule would run them. RSS is
 * read after a full GC (run it with `node --expose-gc`) and then the memory release the agent runs once idle
 * (`agent/memory.ts`), before the first check, after it, and after the last; the first check replays (in PGlite's
 * child process unless `devUrl` is given), the later ones take the cache. `heldMb` is the RSS after the first check
 * with the ordinary full GC only (what the agent kept before it released memory when idle), `releaseMs` how long the
 * release after the last check blocked the event loop.
 * Usage: `node --expose-gc bench/agent-process.ts <liveUrl> <desiredPath> <format> <workDir> <checks> [devUrl]`;
 * prints `{"beforeMb":…,"heldMb":…,"afterFirstMb":…,"afterAllMb":…,"heapMb":…,"releaseMs":…,"status":…,"firstMs":…}`
 * on stdout.
 */
import { join } from 'node:path';
import type { DesiredSchema } from '../src/agent/run-check.ts';
import { releaseMemory } from '../src/agent/memory.ts';
import { runCheck } from '../src/agent/run-check.ts';
import type { TargetConfig } from '../src/config/types.ts';
import { DesiredCache } from '../src/engine/desired-cache.ts';
import type { MigrationFormat } from '../src/migrations/types.ts';
import { collectGarbage } from './measure.ts';

const [url, desiredPath, format, workDir, checksText, devUrl] = process.argv.slice(2);
if (!url || !desiredPath || !format || !workDir || !checksText) {
  process.stderr.write('usage: node --expose-gc bench/agent-process.ts <liveUrl> <desiredPath> <format> <workDir> <checks> [devUrl]\n');
  process.exit(2);
}

const target: TargetConfig = {
  name: 'bench',
  dialect: 'postgres',
  url,
  displayUrl: 'bench',
  exclude: {},
  schedule: '0 6 * * *',
  labels: {},
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 600_000,
  checkTimeoutMs: 1_800_000,
  watchMs: 0,
  deployingRetryMs: 15_000,
  deployingLimitMs: 1_800_000,
  checkColumnOrder: false,
  ignoreExtensionVersions: false,
  privileges: false,
  desired: { dir: desiredPath, format: format as MigrationFormat, ...(devUrl ? { devUrl } : {}) },
};

/** RSS in MiB after a full GC and a moment for freed pages to go back. */
async function gcRssMb(): Promise<number> {
  collectGarbage();
  await new Promise((r) => setTimeout(r, 500));
  collectGarbage();
  return process.memoryUsage().rss / 1024 / 1024;
}

let releaseMs = 0;
/** RSS in MiB once the agent would be idle: after a full GC and the agent's memory release. */
async function settledRssMb(): Promise<number> {
  await gcRssMb();
  const started = performance.now();
  releaseMemory();
  releaseMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 500));
  return process.memoryUsage().rss / 1024 / 1024;
}

const cache = new DesiredCache<DesiredSchema>({ directory: join(workDir, 'desired-cache') });
const deps = { cache, replayCacheDir: join(workDir, 'replay-cache') };
const beforeMb = await settledRssMb();
const started = performance.now();
const first = await runCheck(target, deps);
const firstMs = performance.now() - started;
const heldMb = await gcRssMb();
const afterFirstMb = await settledRssMb();
let status = first.status;
for (let i = 1; i < Number(checksText); i++) status = (await runCheck(target, deps)).status;
const afterAllMb = await settledRssMb();
// What of the idle RSS is JavaScript's own (the V8 heap, buffers): the rest is native memory the process kept.
const heapMb = process.memoryUsage().heapTotal / 1024 / 1024;
process.stdout.write(`${JSON.stringify({ beforeMb, heldMb, afterFirstMb, afterAllMb, heapMb, releaseMs, status, firstMs, error: first.error?.message ?? null })}\n`);
