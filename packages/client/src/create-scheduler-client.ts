import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { TRPCClient, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { EventSource } from 'eventsource';
import type { FetchLike } from 'eventsource';
import superjson from 'superjson';

import type { AppRouter } from './generated/app-router.js';
import { toSchedulerClientError } from './scheduler-client-error.js';

/** The typed tRPC client of API Scheduler: `client.schedules.get.query({ id })`. */
export type SchedulerClient = TRPCClient<AppRouter>;

export interface SchedulerClientOptions {
  /**
   * URL of the tRPC endpoint: the server's address followed by /trpc, such
   * as http://127.0.0.1:8000/trpc. A page served by API Scheduler itself
   * may pass '/trpc'.
   */
  url: string;
  /**
   * API key, sent as `Authorization: Bearer KEY` with every request and
   * with the live-runs stream. Leave it out where the session cookie of the
   * web UI signs requests in, or when the server has no keys.
   */
  apiKey?: string;
  /** The fetch function for every request, the live-runs stream included. Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

// Queries go as GET with their input in the URL. Batches whose URL would be
// longer are split, well below the 16 KiB that the server takes for the
// request line and headers together.
const MAX_URL_LENGTH = 4_000;

/**
 * Converts every error that reaches the caller into a SchedulerClientError:
 * rejected calls, subscription errors, and the errors that a subscription
 * reports while it reconnects.
 */
function schedulerErrorLink(url: string): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const subscription = next(op).subscribe({
          next(envelope) {
            const result = envelope.result;
            if ('type' in result && result.type === 'state' && result.error !== null) {
              observer.next({ ...envelope, result: { ...result, error: toSchedulerClientError(result.error, url) } });
              return;
            }
            observer.next(envelope);
          },
          error: (error) => observer.error(toSchedulerClientError(error, url)),
          complete: () => observer.complete(),
        });
        return () => subscription.unsubscribe();
      });
}

function checkOptions(options: SchedulerClientOptions): void {
  if (typeof options.url !== 'string' || options.url.trim() === '') {
    throw new TypeError('createSchedulerClient: url is missing: pass the tRPC endpoint, such as http://127.0.0.1:8000/trpc');
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || !/^\S+$/.test(options.apiKey))) {
    throw new TypeError('createSchedulerClient: apiKey must be a non-empty string without spaces, such as the sk_… key that `api-scheduler keys create` prints');
  }
}

/**
 * Creates the typed client of an API Scheduler server. Queries and
 * mutations made in the same tick go out as one batched HTTP request, and
 * the runs.onRun subscription reads server-sent events. Data is encoded with
 * superjson, so instants arrive as Date objects.
 */
export function createSchedulerClient(options: SchedulerClientOptions): SchedulerClient {
  checkOptions(options);
  const { url, apiKey, fetch: customFetch } = options;
  const authorization: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };

  // The browser's own EventSource cannot send headers, and Node.js 20 has
  // none, so the stream goes through the eventsource package, which sends
  // its request with fetch. In a browser it sends the session cookie of
  // the same origin, as the built-in EventSource does.
  const streamFetch: FetchLike = (input, init) => {
    const fetchFunction = customFetch ?? globalThis.fetch;
    return fetchFunction(input, { ...init, headers: { ...init.headers, ...authorization } });
  };

  return createTRPCClient<AppRouter>({
    links: [
      schedulerErrorLink(url),
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url, transformer: superjson, EventSource, eventSourceOptions: () => ({ fetch: streamFetch }) }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          maxURLLength: MAX_URL_LENGTH,
          headers: () => authorization,
          ...(customFetch === undefined ? {} : { fetch: customFetch }),
        }),
      }),
    ],
  });
}
