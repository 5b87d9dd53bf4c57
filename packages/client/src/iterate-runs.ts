import type { SchedulerClient } from './create-scheduler-client.js';
import type { ListRunsInput, Run } from './types.js';

/** Filters of runs.list; `limit` sets the page size (1 to 1000, default 50). */
export type RunFilter = Omit<ListRunsInput, 'cursor'>;

/**
 * Yields the runs that match `filter` one page at a time, newest first,
 * following runs.list's cursor until the last page. Each page is requested
 * only when the loop reaches it. Runs that start during the walk are not
 * included, because the cursor continues below the runs already read.
 */
export async function* iterateRunPages(client: SchedulerClient, filter: RunFilter = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<Run[], void, undefined> {
  let cursor: string | undefined;

  for (;;) {
    const page = await client.runs.list.query({ ...filter, cursor }, { signal: options.signal });
    if (page.items.length > 0) yield page.items;
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}

/** Yields the runs that match `filter` one by one, newest first, reading them page by page as iterateRunPages does. */
export async function* iterateRuns(client: SchedulerClient, filter: RunFilter = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<Run, void, undefined> {
  for await (const page of iterateRunPages(client, filter, options)) {
    yield* page;
  }
}
