import { useEffect, useRef, useState } from 'react';

import type { ErdLayoutInput } from '../../data/index.ts';
import type { ErdLayout } from './elk-layout.ts';
import { isAbortError } from './layout-client.ts';
import { leaseLayout } from './layout-cache.ts';
import type { LayoutLease } from './layout-cache.ts';

/** State of the asynchronous layout; while running, the last finished layout (if any) is still shown. */
export type LayoutState =
  | { state: 'running'; previous: ErdLayout | null }
  | { state: 'done'; layout: ErdLayout }
  | { state: 'failed'; message: string };

function previousOf(state: LayoutState): ErdLayout | null {
  if (state.state === 'done') return state.layout;
  return state.state === 'running' ? state.previous : null;
}

/**
 * Lays `input` out outside render (in the layout worker, memoised by the graph's shape in `layout-cache.ts`); the
 * result arrives as state. A newer input cancels the older layout if it is still running; unmounting lets it
 * finish into the cache, so switching views and back does not start over.
 */
export function useErdLayout(input: ErdLayoutInput): LayoutState {
  const [state, setState] = useState<LayoutState>({ state: 'running', previous: null });
  const lease = useRef<LayoutLease | null>(null);

  useEffect(() => () => lease.current?.release(false), []);

  useEffect(() => {
    let current = true;
    const previous = lease.current;
    const next = leaseLayout(input);
    lease.current = next;
    // After leasing the new one: an unchanged graph (a refresh) is the same entry and must not be cancelled.
    previous?.release(true);
    setState((s) => ({ state: 'running', previous: previousOf(s) }));
    next.promise.then(
      (layout) => current && setState({ state: 'done', layout }),
      (err: unknown) => {
        if (current && !isAbortError(err)) setState({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [input]);
  return state;
}
