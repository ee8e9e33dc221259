import type { ErdLayoutInput } from '../../data/index.ts';
import { layoutKey, placeLayout, toElkGraph } from './elk-layout.ts';
import type { ErdLayout } from './elk-layout.ts';
import { layoutGraph } from './layout-client.ts';

/**
 * Layouts memoised by {@link layoutKey}: a dashboard refresh with the same schema, or switching views back to the
 * ERD, reuses the previous result instead of laying out 1,000 tables again. Several panels asking for the same
 * graph share one run; a run nobody waits for any more is cancelled when its asker moves on to another graph.
 */

/** A hold on one layout: its result, and a way to say it is no longer wanted. */
export interface LayoutLease {
  promise: Promise<ErdLayout>;
  /**
   * Lets go of the layout. With `cancel`, a run still in progress is cancelled when no one else holds it (its
   * input changed); without, it finishes into the cache (the ERD was unmounted, e.g. by a view switch, and will
   * likely ask again).
   */
  release: (cancel: boolean) => void;
}

interface Entry {
  promise: Promise<ErdLayout>;
  controller: AbortController;
  holders: number;
  settled: boolean;
}

const CACHE_SIZE = 4;
const cache = new Map<string, Entry>();

function start(key: string, input: ErdLayoutInput): Entry {
  const controller = new AbortController();
  const promise = layoutGraph(toElkGraph(input), controller.signal).then(({ result, ...run }) =>
    placeLayout(input, result, run),
  );
  const entry: Entry = { promise, controller, holders: 0, settled: false };
  promise.then(
    () => {
      entry.settled = true;
    },
    () => {
      entry.settled = true;
      if (cache.get(key) === entry) cache.delete(key);
    },
  );
  return entry;
}

/** The layout of `input`, from the cache or started now. Call `release` when done with it. */
export function leaseLayout(input: ErdLayoutInput): LayoutLease {
  const key = layoutKey(input);
  let entry = cache.get(key);
  if (entry) {
    // Refresh its place in the least-recently-used order.
    cache.delete(key);
  } else {
    entry = start(key, input);
  }
  cache.set(key, entry);
  while (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  const held = entry;
  held.holders++;
  let released = false;
  return {
    promise: held.promise,
    release: (cancel) => {
      if (released) return;
      released = true;
      held.holders--;
      if (cancel && held.holders === 0 && !held.settled) {
        held.controller.abort();
        if (cache.get(key) === held) cache.delete(key);
      }
    },
  };
}
