import { probePostgresTestServer } from '@api-scheduler/db/testing';
import type { TestDatabase } from '@api-scheduler/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { clientOf, collect } from './support/live-runs-client.js';
import { ServerProcess } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

describe.skipIf(postgres.server === null)('runs.onRun on PostgreSQL', () => {
  let database: TestDatabase;
  let target: TargetServer;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    target = await new TargetServer().start();
  });

  afterAll(async () => {
    await target?.stop();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.dispose()));
    await database?.drop();
  });

  it('delivers runs of a worker to an api-only process', { timeout: 30_000 }, async () => {
    database = await postgres.server!.createDatabase();
    const api = new ServerProcess({ DATABASE_URL: database.url, SCHEDULER_ROLE: 'api', SCHEDULER_INSTANCE_ID: 'api-1' });
    const worker = new ServerProcess({ DATABASE_URL: database.url, SCHEDULER_ROLE: 'worker', SCHEDULER_INSTANCE_ID: 'worker-1' });
    servers.push(api, worker);
    await api.start();
    await worker.start();
    const feed = await collect(clientOf(api), undefined);

    const created = await api.request('POST', '/targets/', { url: `${target.url}/pg-live` });
    const schedule = await api.request('POST', '/schedules/', {
      target_id: created.body.id,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 1, start_time: 'now' },
    });
    expect(schedule.status).toBe(201);
    await feed.waitFor((events) => events.filter((event) => event.kind === 'finished').length >= 2, 15_000);
    feed.stop();

    const finished = feed.events.filter((event) => event.kind === 'finished');
    expect(finished.every((event) => event.run.instance_id === 'worker-1')).toBe(true);
    expect(finished.every((event) => event.run.schedule_id === schedule.body.id)).toBe(true);
    expect(new Set(finished.map((event) => event.run.id)).size).toBe(finished.length);
    const started = feed.events.filter((event) => event.kind === 'started').map((event) => event.run.id);
    expect(new Set(started).size).toBe(started.length);
  });
});
