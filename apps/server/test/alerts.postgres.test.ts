import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { probePostgresTestServer } from '@api-scheduler/db/testing';
import type { TestDatabase } from '@api-scheduler/db/testing';

import { ServerProcess, sleep, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

// Two instances on one PostgreSQL database fire one schedule in turns and
// both deliver notifications: the receiver must still get each one once.
describe.skipIf(postgres.server === null)('alerts across instances on PostgreSQL', () => {
  let database: TestDatabase;
  let target: TargetServer;
  let receiver: TargetServer;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await postgres.server!.createDatabase();
    target = await new TargetServer().start();
    receiver = await new TargetServer().start();
    for (const id of ['alerts-1', 'alerts-2']) {
      servers.push(new ServerProcess({ DATABASE_URL: database.url, SCHEDULER_INSTANCE_ID: id, SCHEDULER_ALERT_CHECK_INTERVAL_MS: '100', SCHEDULER_CLAIM_BATCH_SIZE: '1' }));
    }
    await Promise.all(servers.map((server) => server.start()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await target?.stop();
    await receiver?.stop();
    await database?.drop();
  });

  it('failing and recovered once each', async () => {
    // Fires fail until the test lets them succeed.
    let healthy = false;
    target.on('/flaky', (_request, response) => response.writeHead(healthy ? 200 : 503).end());
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const createdTarget = await first.request('POST', '/targets/', { url: `${target.url}/flaky`, method: 'GET' });
    // Ten schedules fail and recover together, so both instances record outcomes and deliver at the same moments.
    const scheduleIds: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const created = await second.request('POST', '/schedules/', {
        target_id: createdTarget.body.id,
        schedule_type: 'INTERVAL',
        schedule_config: { interval_seconds: 1 },
        overlap_policy: 'allow',
        retry_policy: { max_retries: 0 },
        alert: { webhook_url: `${receiver.url}/hook`, after_consecutive_failures: 2 },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      scheduleIds.push(created.body.id);
    }

    const events = () => receiver.requestsTo('/hook').map((request) => JSON.parse(request.body) as { event: string; schedule: { id: string } });
    await waitFor(async () => events().filter((event) => event.event === 'schedule.failing').length >= 10, 30_000, 'ten failing notifications');
    await sleep(2_000);
    healthy = true;
    await waitFor(async () => events().filter((event) => event.event === 'schedule.recovered').length >= 10, 30_000, 'ten recovered notifications');
    await sleep(2_000);
    for (const id of scheduleIds) await first.request('POST', `/schedules/${id}/pause`);

    // Both instances fired the schedules: each one's outcomes counted.
    const runs = (await Promise.all(scheduleIds.map((id) => first.runsOf(id)))).flat();
    expect(new Set(runs.map((run: { instance_id: string }) => run.instance_id))).toEqual(new Set(['alerts-1', 'alerts-2']));

    for (const id of scheduleIds) {
      expect(events().filter((event) => event.schedule.id === id).map((event) => event.event)).toEqual(['schedule.failing', 'schedule.recovered']);
    }
    const keys = receiver.requestsTo('/hook').map((request) => request.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(20);
  }, 120_000);
});
