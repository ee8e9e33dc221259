/**
 * Exponential backoff with jitter for retrying a check that could not connect, and an abortable sleep.
 */

/** Retry policy, as configured (`AgentConfig.retry`). */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (0-based): `initialDelayMs * 2^retry`, capped at `maxDelayMs`, then "equal
 * jitter" — half fixed, half random — so targets that failed together (one network outage) do not retry in step,
 * while every retry still waits at least half the nominal delay.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry));
  const half = nominal / 2;
  return Math.round(half + random() * half);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
