import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { ALLOW_PRIVATE_POLICY, DEFAULT_RETRY_POLICY, NO_ALERT, newId } from '@api-scheduler/core';
import type { Clock } from '@api-scheduler/core';
import { createPostgresStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { probePostgresTestServer } from '@api-scheduler/db/testing';
import type { TestDatabase } from '@api-scheduler/db/testing';

import { Engine } from '../src/index.js';
import { sleep } from './engine-fixture.js';

const postgres = await probePostgresTestServer();
if (postgres.skipReason !== null) console.warn(postgres.skipReason);

const SCHEDULES = 50;
const SKEW_MS = 2_000;

describe.skipIf(postgres.server === null)('engines whose clocks disagree', () => {
  let database: TestDatabase | null = null;
  const stores: Store[] = [];
  const engines: Engine[] = [];
  let server: Server | null = null;

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.stop(0)));
    await Promise.all(stores.splice(0).map((store) => store.close()));
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database?.drop();
  });

  it('fires each slot once with clocks 2 s apart', { timeout: 60_000 }, async () => {
    database = await postgres.server!.createDatabase();
    const keys: string[] = [];
    server = createServer((request, response) => {
      keys.push(String(request.headers['idempotency-key']));
      response.end('ok');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tick`;

    // Two engines with their own connection pools, as two processes would have.
    const clocks: Clock[] = [{ now: () => Date.now() }, { now: () => Date.now() + SKEW_MS }];
    for (const [index, clock] of clocks.entries()) {
      const store = await createPostgresStore({ url: database.url });
      stores.push(store);
      if (index === 0) await store.migrate();
      engines.push(new Engine({ store, clock, logger: pino({ level: 'silent' }), instanceId: `instance-${index}`, leaseMs: 10_000, executor: { addressPolicy: ALLOW_PRIVATE_POLICY } }));
    }

    const store = stores[0]!;
    const now = new Date();
    const target = await store.createTarget({
      id: newId(),
      name: 'tick',
      url: targetUrl,
      method: 'GET',
      headers: {},
      body_template: null,
      timeout_ms: 5_000,
      created_at: now,
      updated_at: now,
    });
    const startAt = Math.ceil((Date.now() + 3_000) / 1_000) * 1_000;
    const scheduleIds: string[] = [];
    for (let index = 0; index < SCHEDULES; index += 1) {
      const schedule = await store.createSchedule({
        id: newId(),
        target_id: target.id,
        name: `tick ${index}`,
        schedule_type: 'INTERVAL',
        schedule_config: { interval_seconds: 1, start_time: new Date(startAt).toISOString() },
        status: 'ACTIVE',
        next_run_at: new Date(startAt),
        run_count: 0,
        last_run_at: null,
        timezone: 'UTC',
        retry_policy: { ...DEFAULT_RETRY_POLICY, max_retries: 0 },
        overlap_policy: 'allow',
        misfire_policy: 'fire_all',
      ...NO_ALERT,
        created_at: now,
        updated_at: now,
      });
      scheduleIds.push(schedule.id);
    }
    await Promise.all(engines.map((engine) => engine.start()));

    await sleep(startAt + 10_000 - Date.now());
    await Promise.all(engines.splice(0).map((engine) => engine.stop(5_000)));

    const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
    expect(repeated).toEqual([]);
    // The engine ahead by 2 s claims slots up to 2 s early. The first nine
    // slots are long past at the stop, so each must have fired exactly once.
    const lastSlot = startAt + 8_000;
    for (const scheduleId of scheduleIds) {
      const { items } = await store.listRuns({ schedule_id: scheduleId, limit: 100 });
      const fired = items.map((run) => run.scheduled_for.getTime()).filter((slot) => slot <= lastSlot).sort((a, b) => a - b);
      expect(fired).toEqual(Array.from({ length: 9 }, (_, index) => startAt + index * 1_000));
    }
  });
});
