/**
 * The agent's memory around its checks, for one size: `agent-process.ts` runs the agent's `runCheck` four times on
 * the base database, its desired side the generated schema as one schema file replayed in PGlite (the first check
 * replays, the next three take the cache). RSS is read as the agent idles: after its memory release
 * (`agent/memory.ts`). Reported: RSS after the first check against before it (the issue: back
 * within 150 MB), idle RSS after the four (the issue: ≤ 300 MB with one 5,000-table target), and the peak of the
 * process with its replay child.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureTree } from './measure.ts';
import { failedRecord, recordOf, toMb, type StepRecord } from './report.ts';
import { TARGET_SIZE } from './steps.ts';

const AGENT_PROCESS = join(import.meta.dirname, 'agent-process.ts');
const CHECKS = 4;
const RISE_MAX_MB = 150;
const IDLE_MAX_MB = 300;

interface AgentOutput {
  beforeMb: number;
  heldMb: number;
  afterFirstMb: number;
  afterAllMb: number;
  heapMb: number;
  releaseMs: number;
  status: string;
  firstMs: number;
  error: string | null;
}

/** Measures the agent's checks of the database at `baseUrl`, desired side `schemaSql` (the SQL that built it). */
export async function runAgentSteps(size: number, baseUrl: string, schemaSql: string, outDir: string): Promise<StepRecord[]> {
  const step = `agent: ${CHECKS} checks, desired = schema file in pglite`;
  const work = await mkdtemp(join(tmpdir(), 'sd-bench-agent-'));
  try {
    const schemaFile = join(outDir, `schema-${size}.sql`);
    await writeFile(schemaFile, schemaSql);
    const r = await measureTree(process.execPath, ['--expose-gc', AGENT_PROCESS, baseUrl, schemaFile, 'schema', work, String(CHECKS)]);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as AgentOutput;
    if (out.error) throw new Error(`the first check failed: ${out.error}`);
    const rise = out.afterFirstMb - out.beforeMb;
    const atTarget = size === TARGET_SIZE;
    return [
      recordOf(size, `${step}: RSS after the 1st check`, { wallMs: out.firstMs, peakRssBytes: r.measurement.peakRssBytes, baselineRssBytes: null }, {
        target: `<= ${RISE_MAX_MB} MB over before`,
        verdict: rise <= RISE_MAX_MB ? 'met' : 'missed',
        detail: `before ${out.beforeMb.toFixed(0)} MB, after ${out.afterFirstMb.toFixed(0)} MB (+${rise.toFixed(0)}; ${out.heldMb.toFixed(0)} MB before the idle release); peak = process ${toMb(r.tree.ownBytes)} MB + replay child ${toMb(r.tree.childrenBytes)} MB; ${out.status}`,
      }),
      recordOf(size, `${step}: idle RSS after ${CHECKS}`, { wallMs: r.measurement.wallMs, peakRssBytes: out.afterAllMb * 1024 * 1024, baselineRssBytes: null }, {
        target: `<= ${IDLE_MAX_MB} MB idle @${TARGET_SIZE}`,
        verdict: atTarget ? (out.afterAllMb <= IDLE_MAX_MB ? 'met' : 'missed') : null,
        detail: `idle ${out.afterAllMb.toFixed(0)} MB after ${CHECKS} checks (${CHECKS - 1} from the cache), V8 heap ${out.heapMb.toFixed(0)} MB of it; the release took ${out.releaseMs.toFixed(0)} ms; wall = the whole process`,
      }),
    ];
  } catch (err) {
    return [failedRecord(size, step, err)];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
