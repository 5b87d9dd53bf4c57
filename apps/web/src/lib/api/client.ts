import { createSchedulerClient } from '@api-scheduler/client';

/**
 * The typed client of every procedure in the server's router. The server
 * mounts tRPC at /trpc on the same origin as /ui/, so the session cookie
 * goes with every request, the live-runs stream included, and the CSP's
 * connect-src 'self' allows it. No API key is needed here.
 */
export const trpc = createSchedulerClient({ url: '/trpc' });
