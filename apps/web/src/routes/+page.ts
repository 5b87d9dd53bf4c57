import { trpc } from '$lib/api/client';
import { deferred } from '$lib/api/deferred';
import type { PageLoad } from './$types';

export const load = (({ depends }) => {
  depends('app:dashboard');
  // Not awaited: the page shows its loading state while the figures arrive.
  return { dashboard: deferred(trpc.metrics.dashboard.query()) };
}) satisfies PageLoad;
