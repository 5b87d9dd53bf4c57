import { trpc } from '$lib/api/client';
import { deferred } from '$lib/api/deferred';
import type { PageLoad } from './$types';

export const load = (({ depends }) => {
  depends('app:schedules');
  // TODO: lists the first 1000 schedules and targets only; add paging when a deployment has more.
  const schedules = trpc.schedules.list.query({ limit: 1000 });
  const targets = trpc.targets.list.query({ limit: 1000 });
  return { lists: deferred(Promise.all([schedules, targets]).then(([schedulePage, targetPage]) => ({ schedules: schedulePage.items, targets: targetPage.items }))) };
}) satisfies PageLoad;
