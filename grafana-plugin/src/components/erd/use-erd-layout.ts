import { useEffect, useState } from 'react';

import type { ErdLayoutInput } from '../../data/index.ts';
import { cachedElkLayout } from './elk-layout.ts';
import type { ErdLayout } from './elk-layout.ts';

/** State of the asynchronous layout. */
export type LayoutState =
  | { state: 'running' }
  | { state: 'done'; layout: ErdLayout }
  | { state: 'failed'; message: string };

/**
 * Lays `input` out outside render: the first render shows a placeholder, ELK runs in an effect (memoised by the
 * graph's shape in `cachedElkLayout`), and the result arrives as state. A newer input discards an older result.
 */
export function useErdLayout(input: ErdLayoutInput): LayoutState {
  const [state, setState] = useState<LayoutState>({ state: 'running' });
  useEffect(() => {
    let current = true;
    setState({ state: 'running' });
    // Yield one frame first so the "laying out" placeholder paints before ELK occupies the thread.
    const timer = setTimeout(() => {
      cachedElkLayout(input).then(
        (layout) => current && setState({ state: 'done', layout }),
        (err: unknown) => current && setState({ state: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
    }, 16);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [input]);
  return state;
}
