import type { Logger } from 'pino';

import type { RunChange, RunFeed } from './run-feed.js';

/**
 * Maximum changes queued for one subscriber that reads slower than runs
 * change. Past it the oldest are dropped: the client misses them, and a
 * page reload lists them from the store.
 */
const MAX_QUEUED_CHANGES = 1_000;

/**
 * Yields the feed's changes that pass `filter`, in order, until `signal`
 * aborts (the client disconnected). Changes that arrive while the consumer
 * is busy wait in a bounded queue.
 */
export async function* streamRunChanges(feed: RunFeed, filter: (change: RunChange) => boolean, signal: AbortSignal | undefined, logger: Logger): AsyncGenerator<RunChange> {
  const queue: RunChange[] = [];
  let dropped = 0;
  let wake: (() => void) | null = null;

  const unsubscribe = feed.subscribe((change) => {
    if (!filter(change)) return;
    if (queue.length >= MAX_QUEUED_CHANGES) {
      queue.shift();
      if (dropped === 0) logger.warn({ max_queued: MAX_QUEUED_CHANGES }, 'Live runs subscriber reads too slowly: dropping its oldest run changes');
      dropped += 1;
    }
    queue.push(change);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);

  try {
    while (signal?.aborted !== true) {
      const change = queue.shift();
      if (change !== undefined) {
        yield change;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
    if (dropped > 0) logger.info({ dropped }, 'Live runs subscriber ended after dropping run changes');
  }
}
