import { trpc } from '$lib/api/client';
import { deferred } from '$lib/api/deferred';
import type { PageLoad } from './$types';

export const load = (({ depends }) => {
  depends('app:targets');
  // TODO: lists the first 1000 targets only; add paging when a deployment has more.
  return { targets: deferred(trpc.targets.list.query({ limit: 1000 })) };
}) satisfies PageLoad;
