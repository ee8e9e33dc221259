/**
 * What both PGlite child processes (`replay-child.ts`, `scratch-server-child.ts`) do first, so that the parent alone
 * decides when they end and none outlives it:
 * - SIGTERM and SIGINT are ignored. systemd (KillMode=control-group) and a terminal's Ctrl-C signal the whole process
 *   group; the parent gives a running check its grace and then kills its child itself.
 * - A watchdog thread SIGKILLs the process once its parent is gone (SIGKILLed, out of memory): a child spinning in
 *   WebAssembly never runs its event loop, so neither a 'disconnect' listener nor a signal handler would. The thread
 *   polls `process.ppid`, which changes when the parent dies and the child is re-parented.
 */
import { Worker } from 'node:worker_threads';

/** How often the watchdog looks at the parent's pid. */
const WATCHDOG_POLL_MS = 500;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL');
}, workerData.pollMs);
`;

/** Ignores the group's termination signals and starts the watchdog; call once, first thing in a child. */
export function guardPgliteChild(): void {
  const ignore = (): void => {};
  process.on('SIGTERM', ignore);
  process.on('SIGINT', ignore);
  // The pid seen now, before PGlite starts: a parent that dies later changes it.
  const parent = process.ppid;
  const watchdog = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent, self: process.pid, pollMs: WATCHDOG_POLL_MS } });
  // It must not keep the child alive once the work is done.
  watchdog.unref();
}
