import { pendingProcedures } from '$lib/api/client';
import type { PageLoad } from './$types';

export const load = (({ depends }) => {
  depends('app:dashboard');
  // Not awaited: the page shows its loading state while the figures arrive.
  return { dashboard: pendingProcedures.dashboard() };
}) satisfies PageLoad;
