/**
 * Small promise helpers around AbortSignal and time limits, shared by the scheduler and runCheck.
 */

/**
 * A promise that resolves (with `undefined`) when `signal` aborts, for `Promise.race` against work that may not
 * honour the signal. Call `dispose` afterwards so the listener does not outlive the race.
 */
export function whenAborted(signal: AbortSignal): { promise: Promise<undefined>; dispose: () => void } {
  let onAbort: () => void = () => {};
  const promise = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Moved beside the replay deadline, which needs it too; re-exported for the scheduler. */
export { settledWithin } from '../connection/deadline.ts';
