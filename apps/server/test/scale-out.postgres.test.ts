import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY, NO_ALERT, newId } from '@api-scheduler/core';
import { createStore } from '@api-scheduler/db';
import { probePostgresTestServer } from '@api-scheduler/db/testing';
import type { TestDatabase } from '@api-scheduler/db/testing';

import { ServerProcess, sleep, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

const LEASE_MS = 3_000;
const HEARTBEAT_INTERVAL_MS = 500;

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

interface RunRow {
  schedule_id: string;
  scheduled_ms: number;
  attempt: number;
  status: string;
  error_type: string | null;
  error_message: string | null;
  instance_id: string;
  finished_ms: number | null;
}

describe.skipIf(postgres.server === null)('several instances on PostgreSQL', () => {
  let database: TestDatabase;
  let target: TargetServer;
  const servers: ServerProcess[] = [];

  function instance(id: string, env: Record<string, string> = {}): ServerProcess {
    const server = new ServerProcess({
      DATABASE_URL: database.url,
      SCHEDULER_INSTANCE_ID: id,
      SCHEDULER_LEASE_MS: String(LEASE_MS),
      SCHEDULER_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS),
      // Smaller batches spread each slot's fires over the instances.
      SCHEDULER_CLAIM_BATCH_SIZE: '50',
      ...env,
    });
    servers.push(server);
    return server;
  }

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

  it('fires every slot once across 3 instances while one is killed', { timeout: 120_000 }, async () => {
    database = await postgres.server!.createDatabase();
    // A slow response keeps requests of each instance in flight, so the kill interrupts some.
    target.on('/tick', (_request, response) => {
      setTimeout(() => response.end('ok'), 400);
    });
    const [first, second, third] = [instance('instance-1'), instance('instance-2'), instance('instance-3')];
    // Started together, so their migrations race for the advisory lock.
    await Promise.all([first.start(), second.start(), third.start()]);

    const createdTarget = await first.request('POST', '/targets/', { name: 'tick', url: `${target.url}/tick`, method: 'POST', timeout_ms: 5_000 });
    expect(createdTarget.status).toBe(201);
    // The schedules go in through a store of the test: 300 REST calls could
    // take longer than the lead on a loaded machine.
    const startAt = Math.ceil((Date.now() + 4_000) / 1_000) * 1_000;
    const store = await createStore({ url: database.url });
    try {
      const now = new Date();
      for (let index = 0; index < 300; index += 1) {
        await store.createSchedule({
          id: newId(),
          target_id: createdTarget.body.id,
          name: `tick ${index}`,
          schedule_type: 'INTERVAL',
          schedule_config: { interval_seconds: 1, start_time: new Date(startAt).toISOString() },
          status: 'ACTIVE',
          next_run_at: new Date(startAt),
          run_count: 0,
          last_run_at: null,
          timezone: 'UTC',
          retry_policy: { ...DEFAULT_RETRY_POLICY, max_retries: 0 },
          // The overlap policy skip would also hold across instances (the store
          // tests show it), but here every slot is sent, so each one is accounted for.
          overlap_policy: 'allow',
          misfire_policy: 'fire_once',
          ...NO_ALERT,
          created_at: now,
          updated_at: now,
        });
      }
    } finally {
      await store.close();
    }
    expect(Date.now()).toBeLessThan(startAt);

    // From 15 s on, kill instance-2 as soon as it has requests in flight,
    // so that the kill interrupts some (waiting at most 10 s for that).
    await sleep(startAt + 15_000 - Date.now());
    await waitFor(
      async () => (await query<{ total: number }>(database.url, `SELECT count(*)::int AS total FROM runs WHERE status = 'RUNNING' AND instance_id = 'instance-2'`))[0]!.total > 0,
      10_000,
      'instance-2 to have runs in flight',
    );
    const killedAt = Date.now();
    await second.stop('SIGKILL');
    await sleep(startAt + 30_000 - Date.now());
    await Promise.all([first.stop('SIGTERM'), third.stop('SIGTERM')]);

    // Slots from the start to 28 s: the last ones may still be in flight at the stop.
    const lastSlot = startAt + 28_000;
    const runs = await query<RunRow>(
      database.url,
      `SELECT schedule_id, (extract(epoch FROM scheduled_for) * 1000)::bigint::float8 AS scheduled_ms, attempt, status, error_type,
              error_message, instance_id, (extract(epoch FROM finished_at) * 1000)::bigint::float8 AS finished_ms
       FROM runs WHERE scheduled_for <= to_timestamp($1 / 1000.0)`,
      [lastSlot],
    );

    // No slot was sent twice: the target saw each Idempotency-Key (schedule and planned instant) once.
    const keys = target.received.filter((request) => request.path === '/tick').map((request) => String(request.headers['idempotency-key']));
    const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
    expect(repeated).toEqual([]);

    // Every slot of every schedule has exactly one run.
    const slots = new Map<string, number>();
    for (const run of runs) {
      expect(run.attempt).toBe(1);
      const key = `${run.schedule_id}:${run.scheduled_ms}`;
      slots.set(key, (slots.get(key) ?? 0) + 1);
    }
    const scheduleIds = [...new Set(runs.map((run) => run.schedule_id))];
    expect(scheduleIds).toHaveLength(300);
    const missing: string[] = [];
    for (const scheduleId of scheduleIds) {
      for (let slot = startAt; slot <= lastSlot; slot += 1_000) {
        if (slots.get(`${scheduleId}:${slot}`) !== 1) missing.push(`${scheduleId}:${new Date(slot).toISOString()}`);
      }
    }
    expect(missing).toEqual([]);

    // Each instance took a share before the kill.
    const beforeKill = runs.filter((run) => run.scheduled_ms < killedAt - 1_000);
    for (const id of ['instance-1', 'instance-2', 'instance-3']) {
      expect(beforeKill.filter((run) => run.instance_id === id).length).toBeGreaterThan(100);
    }

    // The killed instance's runs in flight were recorded as INTERRUPTED by the others within the lease plus 1 s.
    const interrupted = runs.filter((run) => run.error_type === 'INTERRUPTED');
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.every((run) => run.instance_id === 'instance-2')).toBe(true);
    expect(runs.filter((run) => run.instance_id === 'instance-2' && run.status === 'RUNNING')).toEqual([]);
    const takeoverMs = Math.max(...interrupted.map((run) => run.finished_ms!)) - killedAt;
    console.info(
      `scale-out: ${runs.length} runs, ${interrupted.length} interrupted, takeover ${takeoverMs} ms after SIGKILL (lease ${LEASE_MS} ms, heartbeat ${HEARTBEAT_INTERVAL_MS} ms)`,
    );
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + 1_000);

    // Every other run succeeded.
    const unexplained = runs.filter((run) => run.status !== 'SUCCESS' && run.error_type !== 'INTERRUPTED');
    expect(unexplained).toEqual([]);
  });

  it('wakes a sleeping worker when another instance creates a schedule', { timeout: 60_000 }, async () => {
    database = await postgres.server!.createDatabase();
    const api = instance('api', { SCHEDULER_ROLE: 'api' });
    await api.start();
    // Without the notification this worker would sleep a full minute before reading the new schedule.
    const worker = instance('worker', { SCHEDULER_ROLE: 'worker', SCHEDULER_RESCAN_INTERVAL_MS: '60000' });
    await worker.start();
    await sleep(500);

    const createdTarget = await api.request('POST', '/targets/', { name: 'wake', url: `${target.url}/wake`, method: 'GET' });
    const runAt = Date.now() + 1_500;
    const created = await api.request('POST', '/schedules/', {
      target_id: createdTarget.body.id,
      schedule_type: 'ONCE',
      schedule_config: { run_at: new Date(runAt).toISOString() },
    });
    expect(created.status).toBe(201);

    const received = await waitFor(async () => target.received.find((request) => request.path === '/wake'), 10_000, 'the worker to fire the new schedule');
    const lateness = received.receivedAt - runAt;
    console.info(`scale-out: a schedule created on the api instance fired on the worker ${lateness} ms after its planned instant`);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_000);
  });
});
