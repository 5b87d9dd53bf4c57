import { trpc } from '$lib/api/client';
import type { PageLoad } from './$types';

export const load = (({ depends }) => {
  depends('app:targets');
  // TODO: lists the first 1000 targets only; add paging when a deployment has more.
  return { targets: trpc.targets.list.query({ limit: 1000 }) };
}) satisfies PageLoad;
