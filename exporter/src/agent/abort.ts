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

/** True when `promise` settles (either way) within `ms`; false when the time runs out first. Never rejects. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
