import { trpc } from '$lib/api/client';
import { deferred } from '$lib/api/deferred';
import type { PageLoad } from './$types';

export const load = (({ params, depends }) => {
  depends('app:schedule');
  return {
    id: params.id,
    schedule: deferred(trpc.schedules.get.query({ id: params.id })),
    stats: deferred(trpc.schedules.stats.query({ id: params.id })),
    // TODO: lists the first 1000 targets only, for the edit form's choice of target.
    targets: deferred(trpc.targets.list.query({ limit: 1000 }).then((page) => page.items)),
  };
}) satisfies PageLoad;
