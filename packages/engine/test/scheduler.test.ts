import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY, newId, systemClock } from '@api-scheduler/core';
import type { Run, Schedule, Target } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';

import { Engine } from '../src/index.js';

const logger = pino({ level: 'silent' });

let dataDir: string;
let store: Store;
let engine: Engine | null;
let target: Server;
let targetUrl: string;
let received: { path: string; at: number; key: string }[];
let hangingResponses: (() => void)[];

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'engine-test-'));
  store = await createLibsqlStore({ url: `file:${join(dataDir, 'scheduler.db')}` });
  await store.migrate();
  engine = null;
  received = [];
  hangingResponses = [];
  target = createServer((request, response) => {
    received.push({ path: request.url ?? '/', at: Date.now(), key: String(request.headers['idempotency-key']) });
    if (request.url === '/hang') {
      hangingResponses.push(() => response.destroy());
      return;
    }
    response.end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await engine?.stop(0);
  for (const end of hangingResponses) end();
  target.closeAllConnections();
  await new Promise<void>((resolve) => target.close(() => resolve()));
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function startEngine(wrapped: Store = store): Engine {
  engine = new Engine({ store: wrapped, clock: systemClock, logger, instanceId: 'test-instance' });
  return engine;
}

async function addTarget(path: string): Promise<Target> {
  const now = new Date();
  return store.createTarget({
    id: newId(),
    name: path,
    url: `${targetUrl}${path}`,
    method: 'GET',
    headers: {},
    body_template: null,
    timeout_ms: 10_000,
    created_at: now,
    updated_at: now,
  });
}

async function addSchedule(target: Target, nextRunAt: number, overrides: Partial<Schedule> = {}): Promise<Schedule> {
  const now = new Date();
  return store.createSchedule({
    id: newId(),
    target_id: target.id,
    name: 'test',
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: 3600, start_time: new Date(nextRunAt).toISOString() },
    status: 'ACTIVE',
    next_run_at: new Date(nextRunAt),
    run_count: 0,
    last_run_at: null,
    timezone: 'UTC',
    retry_policy: DEFAULT_RETRY_POLICY,
    overlap_policy: 'allow',
    misfire_policy: 'fire_once',
    created_at: now,
    updated_at: now,
    ...overrides,
  });
}

async function runsOf(scheduleId: string): Promise<Run[]> {
  return (await store.listRuns({ schedule_id: scheduleId, limit: 100 })).items;
}

async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Engine', () => {
  it('fires a due schedule and records the result', async () => {
    const hook = await addTarget('/hook');
    const schedule = await addSchedule(hook, Date.now() + 300);
    await startEngine().start();

    const [run] = await waitFor(async () => {
      const runs = await runsOf(schedule.id);
      return runs.length === 1 && runs[0]!.status !== 'RUNNING' ? runs : null;
    });
    expect(run!.status).toBe('SUCCESS');
    expect(run!.status_code).toBe(200);
    expect(run!.instance_id).toBe('test-instance');
    expect(run!.started_at.getTime()).toBeGreaterThanOrEqual(schedule.next_run_at!.getTime());
    expect(received[0]!.at).toBeGreaterThanOrEqual(schedule.next_run_at!.getTime());
    expect(received[0]!.key).toBe(`${schedule.id}:${schedule.next_run_at!.getTime()}`);

    const after = await store.getSchedule(schedule.id);
    expect(after!.next_run_at!.getTime()).toBe(schedule.next_run_at!.getTime() + 3_600_000);
    expect(after!.run_count).toBe(1);
  });

  it('wakes from an idle sleep when told of a new schedule', async () => {
    const hook = await addTarget('/wake');
    await startEngine().start();
    // Nothing is planned, so the loop sleeps with no timer at all.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const schedule = await addSchedule(hook, Date.now() + 100);
    engine!.wake();

    await waitFor(async () => (await runsOf(schedule.id)).some((run) => run.status === 'SUCCESS'), 5_000);
  });

  it('does not fire or spin on a fire beyond the timer limit', async () => {
    const hook = await addTarget('/far');
    // 30 days is longer than setTimeout's 2^31-1 ms; an uncapped timer would fire at once.
    const schedule = await addSchedule(hook, Date.now() + 30 * 86_400_000);

    let earliestCalls = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'earliestNextRunAt') earliestCalls += 1;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await startEngine(counting).start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(await runsOf(schedule.id)).toHaveLength(0);
    expect(received).toHaveLength(0);
    expect(earliestCalls).toBeLessThanOrEqual(2);
  });

  it('records runs left RUNNING by a dead process as INTERRUPTED', async () => {
    const hook = await addTarget('/dead');
    const schedule = await addSchedule(hook, Date.now() + 3_600_000);
    const orphan = await store.insertRun({
      id: newId(),
      schedule_id: schedule.id,
      target_id: hook.id,
      scheduled_for: new Date(Date.now() - 60_000),
      attempt: 1,
      started_at: new Date(Date.now() - 60_000),
      finished_at: null,
      status: 'RUNNING',
      status_code: null,
      latency_ms: null,
      response_size: null,
      response_headers: null,
      response_body: null,
      truncated: false,
      error_type: null,
      error_message: null,
      request: { method: 'GET', url: hook.url, headers: {} },
      catch_up: false,
      manual: false,
      missed_count: 0,
      instance_id: 'dead-instance',
    });

    await startEngine().start();

    const recovered = await store.getRun(orphan.id);
    expect(recovered!.status).toBe('FAILURE');
    expect(recovered!.error_type).toBe('INTERRUPTED');
    expect(recovered!.finished_at).not.toBeNull();
  });

  it('interrupts requests still in flight after the shutdown grace', async () => {
    const hang = await addTarget('/hang');
    const schedule = await addSchedule(hang, Date.now() + 100);
    const started = startEngine();
    await started.start();
    await waitFor(async () => received.length === 1);

    const stopStarted = Date.now();
    await started.stop(300);
    engine = null;
    const stopMs = Date.now() - stopStarted;
    expect(stopMs).toBeGreaterThanOrEqual(250);
    expect(stopMs).toBeLessThan(5_000);

    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe('FAILURE');
    expect(run!.error_type).toBe('INTERRUPTED');
  });

  it('pauses a schedule it cannot plan and keeps firing the others', async () => {
    const hook = await addTarget('/ok');
    const broken = await addSchedule(hook, Date.now() + 100, {
      schedule_type: 'INTERVAL',
      // A config no strategy can read: the grid has no anchor.
      schedule_config: { interval_seconds: 1, start_time: 'not a time' },
    });
    const healthy = await addSchedule(hook, Date.now() + 150);
    await startEngine().start();

    await waitFor(async () => (await runsOf(healthy.id)).some((run) => run.status === 'SUCCESS'), 5_000);
    expect(await runsOf(broken.id)).toHaveLength(0);
    expect((await store.getSchedule(broken.id))!.status).toBe('PAUSED');
  });
});
