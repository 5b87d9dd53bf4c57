import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter, RunChangeOutput } from '@api-scheduler/api';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

import type { ServerProcess } from './server-process.js';

/** Creates the typed client that the web UI uses: SSE for subscriptions, plain HTTP for the rest. */
export function clientOf(server: ServerProcess, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${server.url}/trpc`,
          transformer: superjson,
          EventSource,
          // The eventsource package sends headers through its fetch option, which is how a Node.js client passes a key.
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }) }),
        }),
        false: httpLink({ url: `${server.url}/trpc`, transformer: superjson, headers }),
      }),
    ],
  });
}

export interface Collected {
  events: RunChangeOutput[];
  errors: unknown[];
  /** Resolves when `predicate` holds for the events so far, or rejects after `timeoutMs`. */
  waitFor(predicate: (events: RunChangeOutput[]) => boolean, timeoutMs: number): Promise<void>;
  stop(): void;
}

export function collect(client: ReturnType<typeof clientOf>, input: { schedule_id?: string } | undefined): Promise<Collected> {
  const events: RunChangeOutput[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];

  return new Promise((resolve) => {
    const subscription = client.runs.onRun.subscribe(input, {
      onStarted: () =>
        resolve({
          events,
          errors,
          stop: () => subscription.unsubscribe(),
          waitFor: (predicate, timeoutMs) =>
            new Promise<void>((done, fail) => {
              const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms with events ${JSON.stringify(events.map((event) => [event.kind, event.run.status]))} and errors ${String(errors)}`)), timeoutMs);
              const check = () => {
                if (!predicate(events)) return;
                clearTimeout(timer);
                done();
              };
              waiters.push(check);
              check();
            }),
        }),
      onData: (event) => {
        events.push(event);
        for (const waiter of waiters) waiter();
      },
      onError: (error) => errors.push(error),
    });
  });
}
