import type { AppRouter } from '@api-scheduler/api';
import { createTRPCClient, createTRPCUntypedClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import superjson from 'superjson';

import type { DashboardMetrics, RunEvent, ScheduleStats, TargetTestResult } from './types';

// The server mounts tRPC at /trpc on the same origin as /ui/, so the
// session cookie goes with every request and the CSP's connect-src 'self' allows it.
const TRPC_URL = '/trpc';

function links(): TRPCLink<AppRouter>[] {
  return [
    splitLink({
      condition: (operation) => operation.type === 'subscription',
      // Server-sent events: one long GET that the server writes run events to.
      true: httpSubscriptionLink({ url: TRPC_URL, transformer: superjson, eventSourceOptions: () => ({ withCredentials: true }) }),
      false: httpBatchLink({
        url: TRPC_URL,
        transformer: superjson,
        // Queries go as GET with the input in the URL; longer ones are split into several batches.
        maxURLLength: 4_000,
        fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
      }),
    }),
  ];
}

/** The typed client of every procedure in AppRouter. */
export const trpc = createTRPCClient<AppRouter>({ links: links() });

// TODO: these procedures are in AppRouter now but still go through an
// untyped client with the hand-written types of types.ts. Call them through
// `trpc` and delete this object once those types are replaced by the router's.
const untyped = createTRPCUntypedClient<AnyRouter>({ links: links() as unknown as TRPCLink<AnyRouter>[] });

export interface RunEventHandlers {
  onData: (event: RunEvent) => void;
  onStarted?: () => void;
  onError: (error: unknown) => void;
  onConnectionStateChange?: (state: 'idle' | 'connecting' | 'pending', error: unknown) => void;
}

export const pendingProcedures = {
  dashboard: () => untyped.query('metrics.dashboard', undefined) as Promise<DashboardMetrics>,
  scheduleStats: (id: string) => untyped.query('schedules.stats', { id }) as Promise<ScheduleStats>,
  testTarget: (id: string) => untyped.mutation('targets.test', { id }) as Promise<TargetTestResult>,

  /** Subscribes to run events, of one schedule or of all; returns the function that ends the subscription. */
  onRun(input: { schedule_id?: string }, handlers: RunEventHandlers): () => void {
    const subscription = untyped.subscription('runs.onRun', input, {
      onStarted: handlers.onStarted,
      onData: (data) => handlers.onData(data as RunEvent),
      onError: handlers.onError,
      onConnectionStateChange: (state) => handlers.onConnectionStateChange?.(state.state, state.error),
    });
    return () => subscription.unsubscribe();
  },
};
