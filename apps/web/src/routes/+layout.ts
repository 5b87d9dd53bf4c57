import '$lib/zod-config';
import { trpc } from '$lib/api/client';
import type { LayoutLoad } from './$types';

// The UI is a static single-page app: the server serves the built files.
export const ssr = false;
export const prerender = false;

export const load = (async ({ depends }) => {
  depends('app:session');
  // A failure here (server down) is shown by the layout, which still renders the pages' own error states.
  try {
    return { session: await trpc.auth.session.query(), sessionError: null };
  } catch (error) {
    return { session: null, sessionError: error };
  }
}) satisfies LayoutLoad;
