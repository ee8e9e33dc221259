/**
 * The watch's cost at one size (`agent/watch.ts`): the schema fingerprint query alone in an open session, where the
 * dialect has one its cheap gate alone (MySQL/MariaDB: the server's DDL counters, then the previous fingerprint
 * stands), and one whole watch read as the agent does it every `watch` interval in the steady state (connect,
 * fingerprint with the previous one handed back, revision table, close). Each is the median of {@link RUNS} runs after
 * one warm-up, so one slow moment on a shared machine does not decide it; the ratio is against the same size's full
 * inspection in the same run ("inspect base"), the cost a check would add. On a shared server other sessions' DDL moves
 * the counters: the detail says how many gated runs the gate answered.
 */
import type { Dialect, LiveSession, SchemaFingerprint } from '../src/dialects/dialect.ts';
import { FULL_QUERY_EVERY_MS } from '../src/dialects/dialect.ts';
import { measureInProcess, type Measurement } from './measure.ts';
import { failedRecord, recordOf, type StepRecord } from './report.ts';

const RUNS = 5;

export interface WatchStepsInput {
  readonly size: number;
  readonly dialect: Dialect;
  readonly url: string;
  /** Wall time of the same database's full inspection in this run, for the ratio; null when it failed. */
  readonly inspectMs: number | null;
  /** The step name as the caller's rows show it (`mysql: ` prefix). */
  readonly step: (name: string) => string;
}

/** Runs `fn` once to warm up, then {@link RUNS} times; returns the run with the median wall time. */
async function median(fn: () => Promise<unknown>): Promise<Measurement> {
  await fn();
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push((await measureInProcess(fn)).measurement);
  runs.sort((a, b) => a.wallMs - b.wallMs);
  return runs[Math.floor(RUNS / 2)] as Measurement;
}

/** The two watch rows of one size. */
export async function watchSteps(input: WatchStepsInput): Promise<StepRecord[]> {
  const { size, dialect, url, step } = input;
  const connect = (): Promise<LiveSession> => dialect.connect({ url, target: url, statementTimeoutMs: 0, applicationName: 'schema-drift-bench' });
  const ratio = (m: Measurement): string => (input.inspectMs ? `, ${((m.wallMs / input.inspectMs) * 100).toFixed(1)}% of inspect` : '');
  const records: StepRecord[] = [];
  // The steady state: a read, then one more so that a gate is settled (`SchemaFingerprint.gate`); no quiet time, so
  // the gated reads show the gate's own cost (the watch waits max(2 × watch, 60 s) of still counters first).
  const gate = { quietMs: 0, fullQueryEveryMs: FULL_QUERY_EVERY_MS };
  let previous: SchemaFingerprint | null = null;
  let answered = 0;
  let gated = 0;
  const gatedRead = async (session: LiveSession): Promise<void> => {
    const next: SchemaFingerprint = await session.fingerprint({ previous, gate });
    gated += 1;
    if (next.queried === false) answered += 1;
    previous = next;
  };
  const byGate = (): string => (previous?.gate ? `; ${answered} of ${gated} answered by the gate` : '');
  try {
    const session = await connect();
    try {
      let classes = 0;
      const m = await median(async () => {
        classes = (await session.fingerprint({})).classes;
      });
      records.push(recordOf(size, step('watch: fingerprint query'), m, { detail: `median of ${RUNS}; ${classes} relations${ratio(m)}` }));
      previous = await session.fingerprint({ previous: await session.fingerprint({ gate }), gate });
      if (previous.gate) {
        answered = 0;
        gated = 0;
        const g = await median(() => gatedRead(session));
        records.push(recordOf(size, step('watch: gate (DDL counters)'), g, { detail: `median of ${RUNS}${byGate()}${ratio(g)}` }));
      }
    } finally {
      await session.close();
    }
  } catch (err) {
    records.push(failedRecord(size, step('watch: fingerprint query'), err));
  }
  try {
    answered = 0;
    gated = 0;
    const m = await median(async () => {
      const session = await connect();
      try {
        await gatedRead(session);
        await session.readRevision();
      } finally {
        await session.close();
      }
    });
    records.push(recordOf(size, step('watch: one read (connect..close)'), m, { detail: `median of ${RUNS}; what a watch tick costs${byGate()}${ratio(m)}` }));
  } catch (err) {
    records.push(failedRecord(size, step('watch: one read (connect..close)'), err));
  }
  return records;
}
