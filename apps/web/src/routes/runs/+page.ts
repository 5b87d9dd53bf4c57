import { trpc } from '$lib/api/client';
import { deferred } from '$lib/api/deferred';
import { runFiltersFromSearch } from '$lib/run-filters';
import type { PageLoad } from './$types';

export const load = (({ url, depends }) => {
  depends('app:runs');
  const runId = url.searchParams.get('run');
  return {
    filters: runFiltersFromSearch(url.searchParams),
    // TODO: offers the first 1000 schedules only in the schedule filter.
    schedules: deferred(trpc.schedules.list.query({ limit: 1000 }).then((page) => page.items)),
    selectedRun: runId === null ? null : deferred(trpc.runs.get.query({ id: runId })),
  };
}) satisfies PageLoad;
