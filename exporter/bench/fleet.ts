/**
 * `npm run bench:fleet`: the fleet load benchmark alone (`fleet-steps.ts`), `BENCH_FLEET_TENANTS` tenant schemas
 * (default 500). Prints its rows and the load average; `npm run bench` runs the same rows after the others.
 */
import { loadavg } from 'node:os';
import { runFleetSteps } from './fleet-steps.ts';
import { formatTable } from './report.ts';

const tenants = Number(process.env.BENCH_FLEET_TENANTS ?? 500);
if (!Number.isInteger(tenants) || tenants <= 0) throw new Error(`bench: BENCH_FLEET_TENANTS must be a positive integer, got ${process.env.BENCH_FLEET_TENANTS}`);
const before = loadavg();
const startedAt = new Date().toISOString();
const records = await runFleetSteps(tenants, (line) => process.stderr.write(`[bench] ${line}\n`));
const after = loadavg();
process.stdout.write(`${formatTable(records)}\n`);
process.stdout.write(`started ${startedAt}, ended ${new Date().toISOString()}; load average ${before.map((n) => n.toFixed(1)).join('/')} at the start, ${after.map((n) => n.toFixed(1)).join('/')} at the end; Node ${process.version}\n`);
if (records.some((r) => r.error)) process.exitCode = 1;
