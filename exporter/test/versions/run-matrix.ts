/**
 * The PostgreSQL version matrix: `npm run test:versions [-- 13 16 … [-- vitest arguments]]`. For each major (all of 13
 * to 18 by default, one after another: the machine has two cores), starts that major's real server (./pg-servers.ts),
 * runs the version-sensitive test files against it — the same files `npm test` runs against the machine's server,
 * plus replay-majors.test.ts, which only the matrix runs — with SCHEMA_DRIFT_TEST_PG_URL pointing at the major's server
 * and only the PostgreSQL dialect, prints the server's version and the counts of tests run per file, and stops the
 * server whatever happened (a signal included). Exits 1 when any major failed or, without vitest arguments, ran no
 * test of some file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MATRIX_MAJORS, startServer, type MatrixServer } from './pg-servers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The test files the matrix runs on every major. */
export const MATRIX_FILES: readonly string[] = [
  'exporter/test/postgres/no-false-drift.test.ts',
  'exporter/test/postgres/replay-majors.test.ts',
  'exporter/test/postgres/convergence.test.ts',
  'exporter/test/postgres/convergence-privileges.test.ts',
  'exporter/test/engine/cli-convergence.test.ts',
];

interface FileCounts {
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

interface MajorResult {
  readonly major: number;
  readonly version: string;
  readonly files: FileCounts[];
  readonly seconds: number;
  readonly ok: boolean;
}

/** The subset of vitest's JSON report read here. */
interface VitestJson {
  testResults: { name: string; assertionResults: { status: string }[] }[];
}

let current: MatrixServer | undefined;
let tests: ChildProcess | undefined;
// Interrupted: the test run first, then the server (which also stops by itself when this process dies).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    tests?.kill('SIGTERM');
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runVitest(server: MatrixServer, report: string): Promise<number> {
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const argv = [vitest, 'run', '--project', 'exporter', ...MATRIX_FILES, ...vitestArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      SCHEMA_DRIFT_TEST_PG_URL: server.url,
      SCHEMA_DRIFT_TEST_DIALECTS: 'postgres',
      // Includes replay-majors.test.ts, which only the matrix runs (vitest.config.ts).
      SCHEMA_DRIFT_TEST_VERSION_MATRIX: '1',
    },
  });
  tests = child;
  return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1))).finally(() => (tests = undefined));
}

async function countsOf(report: string): Promise<FileCounts[]> {
  const json = JSON.parse(await readFile(report, 'utf8')) as VitestJson;
  return json.testResults
    .map((r) => {
      const count = (status: string) => r.assertionResults.filter((a) => a.status === status).length;
      return { file: path.relative(ROOT, r.name), passed: count('passed'), failed: count('failed'), skipped: r.assertionResults.length - count('passed') - count('failed') };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

function summary(r: MajorResult): string {
  const total = (k: 'passed' | 'failed' | 'skipped') => r.files.reduce((n, f) => n + f[k], 0);
  const lines = [
    `PostgreSQL ${r.major}: ${r.ok ? 'PASS' : 'FAIL'} — ${r.version}`,
    `  ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped, ${r.files.length} files, ${r.seconds} s`,
    ...r.files.map((f) => `  ${f.file}: ${f.passed} passed${f.failed ? `, ${f.failed} failed` : ''}${f.skipped ? `, ${f.skipped} skipped` : ''}`),
  ];
  return lines.join('\n');
}

async function runMajor(major: number, work: string): Promise<MajorResult> {
  const started = Date.now();
  const server = await startServer(major);
  current = server;
  try {
    console.log(`\n=== PostgreSQL ${major}: ${server.version} at ${server.url}\n`);
    const report = path.join(work, `vitest-${major}.json`);
    const code = await runVitest(server, report);
    const files = await countsOf(report).catch(() => []);
    // The whole matrix must run every file; a subset (vitest arguments) only what it selected.
    const complete = vitestArgs.length > 0 || (files.length === MATRIX_FILES.length && files.every((f) => f.passed > 0));
    const ok = code === 0 && complete && files.every((f) => f.failed === 0);
    return { major, version: server.version, files, seconds: Math.round((Date.now() - started) / 1000), ok };
  } finally {
    await server.stop();
    current = undefined;
  }
}

function majorsFromArgs(args: readonly string[]): number[] {
  if (args.length === 0) return [...MATRIX_MAJORS];
  return args.map((a) => {
    const major = Number(a);
    if (!MATRIX_MAJORS.includes(major)) throw new Error(`test:versions: "${a}" is not a major of the matrix (${MATRIX_MAJORS.join(', ')})`);
    return major;
  });
}

// `13 16 -- -t views`: majors, then arguments for vitest (a subset of the tests, for a quick look).
const args = process.argv.slice(2);
const split = args.indexOf('--');
const majors = majorsFromArgs(split < 0 ? args : args.slice(0, split));
const vitestArgs = split < 0 ? [] : args.slice(split + 1);
const work = await mkdtemp(path.join(tmpdir(), 'sd-versions-'));
const results: MajorResult[] = [];
const started = Date.now();
try {
  for (const major of majors) {
    const result = await runMajor(major, work);
    results.push(result);
    console.log(`\n${summary(result)}\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
const all = (k: 'passed' | 'failed' | 'skipped') => results.reduce((n, r) => n + r.files.reduce((m, f) => m + f[k], 0), 0);
console.log(`\n=== Version matrix (${Math.round((Date.now() - started) / 1000)} s)\n${results.map(summary).join('\n')}`);
// The closing line in the plain form CI reads.
console.log(`\nversions: ${all('passed')} passed, ${all('failed')} failed, ${all('skipped')} skipped`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
