import type { RunChangeOutput } from '@api-scheduler/api';
import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import { clientOf, collect } from './support/live-runs-client.js';
import type { ServerProcess } from './support/server-process.js';

const { target, startServer } = useEndToEnd();

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
    // NOTE: the README supports one process per libSQL file. Two share it
    // here only to run the store poll where PostgreSQL is missing; the
    // PostgreSQL test runs the supported setup.
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
