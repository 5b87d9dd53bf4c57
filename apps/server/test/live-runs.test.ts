import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter, RunChangeOutput } from '@api-scheduler/api';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import type { ServerProcess } from './support/server-process.js';

const { target, startServer } = useEndToEnd();

/** Creates the typed client that the web UI uses: SSE for subscriptions, plain HTTP for the rest. */
function clientOf(server: ServerProcess, headers: Record<string, string> = {}) {
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

interface Collected {
  events: RunChangeOutput[];
  errors: unknown[];
  /** Resolves when `predicate` holds for the events so far, or rejects after `timeoutMs`. */
  waitFor(predicate: (events: RunChangeOutput[]) => boolean, timeoutMs: number): Promise<void>;
  stop(): void;
}

function collect(client: ReturnType<typeof clientOf>, input: { schedule_id?: string } | undefined): Promise<Collected> {
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

async function createIntervalSchedule(server: ServerProcess, path: string): Promise<string> {
  const created = await server.request('POST', '/targets/', { url: `${target().url}${path}`, headers: { Authorization: 'Bearer target-secret' } });
  expect(created.status).toBe(201);
  const schedule = await server.request('POST', '/schedules/', {
    target_id: created.body.id,
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: 1, start_time: 'now' },
  });
  expect(schedule.status).toBe(201);
  return schedule.body.id as string;
}

const finishedOf = (scheduleId: string) => (events: RunChangeOutput[]) =>
  events.some((event) => event.kind === 'finished' && event.run.schedule_id === scheduleId && event.run.status === 'SUCCESS');

describe('runs.onRun', () => {
  it('streams started and finished runs over SSE', async () => {
    const server = await startServer();
    const client = clientOf(server);
    const feed = await collect(client, undefined);

    const scheduleId = await createIntervalSchedule(server, '/live');
    await feed.waitFor(finishedOf(scheduleId), 10_000);
    feed.stop();

    const finished = feed.events.find((event) => event.kind === 'finished')!;
    const started = feed.events.find((event) => event.kind === 'started' && event.run.id === finished.run.id);
    expect(started?.run.status).toBe('RUNNING');
    expect(finished.run.status_code).toBe(200);
    expect(finished.run.started_at).toBeInstanceOf(Date);
    expect(finished.run.request.headers['Authorization']).toBe('***');
    expect(JSON.stringify(feed.events)).not.toContain('target-secret');
    expect(feed.errors).toEqual([]);
  });

  it('filters by schedule_id', async () => {
    const server = await startServer();
    const wanted = await createIntervalSchedule(server, '/wanted');
    const other = await createIntervalSchedule(server, '/other');
    const feed = await collect(clientOf(server), { schedule_id: wanted });

    await feed.waitFor((events) => events.filter((event) => event.kind === 'finished').length >= 2, 10_000);
    feed.stop();

    expect(feed.events.map((event) => event.run.schedule_id)).not.toContain(other);
  });

  it('delivers runs of a worker to an api-only process', async () => {
    const api = await startServer({ SCHEDULER_ROLE: 'api', SCHEDULER_INSTANCE_ID: 'api-1' });
    const worker = await startServer({ SCHEDULER_ROLE: 'worker', SCHEDULER_INSTANCE_ID: 'worker-1', DATABASE_URL: api.databaseUrl });
    const feed = await collect(clientOf(api), undefined);

    const scheduleId = await createIntervalSchedule(api, '/from-worker');
    await feed.waitFor(finishedOf(scheduleId), 15_000);
    feed.stop();

    const finished = feed.events.filter((event) => event.kind === 'finished');
    expect(finished[0]!.run.instance_id).toBe('worker-1');
    // Each run is delivered as finished once, though polls read it again.
    expect(new Set(finished.map((event) => event.run.id)).size).toBe(finished.length);
    await worker.stop();
  });
});
