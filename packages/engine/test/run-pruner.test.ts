import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY, NO_ALERT, FakeClock, newId } from '@api-scheduler/core';
import type { Run, RunStatus, Schedule } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { PruneRunsInput, Store } from '@api-scheduler/db';

import { RunPruner } from '../src/index.js';
import type { RunRetention } from '../src/index.js';
import { sleep, waitFor } from './engine-fixture.js';

const hour = 3_600_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Creates a pino logger at debug level that parses each JSON line it writes into `lines`. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

const INFO = 30;
const ERROR = 50;

let dataDir: string;
let store: Store;
let clock: FakeClock;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'run-pruner-test-'));
  store = await createLibsqlStore({ url: `file:${join(dataDir, 'scheduler.db')}` });
  await store.migrate();
  clock = new FakeClock(T0);
});

afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function addSchedule(): Promise<Schedule> {
  const now = new Date(T0 - 48 * hour);
  const target = await store.createTarget({
    id: newId(),
    name: 'hook',
    url: 'http://127.0.0.1:9/hook',
    method: 'GET',
    headers: {},
    body_template: null,
    timeout_ms: 1_000,
    created_at: now,
    updated_at: now,
  });
  return store.createSchedule({
    id: newId(),
    target_id: target.id,
    name: 'pruned',
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: 60, start_time: now.toISOString() },
    status: 'ACTIVE',
    next_run_at: new Date(T0 + hour),
    run_count: 0,
    last_run_at: null,
    timezone: 'UTC',
    retry_policy: DEFAULT_RETRY_POLICY,
    overlap_policy: 'skip',
    misfire_policy: 'fire_once',
      ...NO_ALERT,
    created_at: now,
    updated_at: now,
  });
}

/** Inserts `count` runs one minute apart, the last one starting at `lastStartedAt`; ids follow started_at. */
async function addRuns(schedule: Schedule, count: number, lastStartedAt: number, status: RunStatus = 'SUCCESS'): Promise<Run[]> {
  const runs: Run[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const startedAt = lastStartedAt - i * 60_000;
    runs.push(
      await store.insertRun({
        id: newId(startedAt),
        schedule_id: schedule.id,
        target_id: schedule.target_id,
        scheduled_for: new Date(startedAt),
        attempt: 1,
        started_at: new Date(startedAt),
        finished_at: status === 'RUNNING' ? null : new Date(startedAt + 100),
        status,
        status_code: status === 'SUCCESS' ? 200 : null,
        latency_ms: status === 'RUNNING' ? null : 100,
        response_size: null,
        response_headers: null,
        response_body: null,
        truncated: false,
        error_type: null,
        error_message: null,
        request: { method: 'GET', url: 'http://127.0.0.1:9/hook', headers: {} },
        catch_up: false,
        manual: false,
        missed_count: 0,
        instance_id: 'test-instance',
      }),
    );
  }
  return runs;
}

async function runIdsOf(schedule: Schedule): Promise<string[]> {
  return (await store.listRuns({ schedule_id: schedule.id, limit: 1_000 })).items.map((run) => run.id).reverse();
}

/** Wraps the store so that every pruneRuns call is recorded with what it returned. */
function countingStore(inner: Store) {
  const calls: { input: PruneRunsInput; deleted: number }[] = [];
  const wrapped: Pick<Store, 'pruneRuns'> = {
    pruneRuns: async (input) => {
      const deleted = await inner.pruneRuns(input);
      calls.push({ input, deleted });
      return deleted;
    },
  };
  return { wrapped, calls };
}

function retention(overrides: Partial<RunRetention> = {}): RunRetention {
  return { maxAgeMs: null, maxRunsPerSchedule: null, intervalMs: 60_000, batchSize: 500, ...overrides };
}

describe('RunPruner', () => {
  it('deletes in batches until a batch comes up short', async () => {
    const schedules = [await addSchedule(), await addSchedule(), await addSchedule()];
    const kept: string[][] = [];
    for (const schedule of schedules) kept.push((await addRuns(schedule, 30, T0)).slice(-5).map((run) => run.id));
    const { wrapped, calls } = countingStore(store);
    const pruner = new RunPruner({
      store: wrapped,
      clock,
      logger: pino({ level: 'silent' }),
      retention: retention({ maxRunsPerSchedule: 5, batchSize: 10 }),
      batchPauseMs: 1,
    });

    expect(await pruner.pruneOnce()).toBe(75);

    // 75 runs past the limit: seven full batches, then one of 5.
    expect(calls.map((call) => call.deleted)).toEqual([10, 10, 10, 10, 10, 10, 10, 5]);
    expect(calls.every((call) => call.input.limit === 10 && call.input.keepPerSchedule === 5)).toBe(true);
    for (const [index, schedule] of schedules.entries()) expect(await runIdsOf(schedule)).toEqual(kept[index]);
  });

  it('deletes runs older than maxAgeMs by the clock', async () => {
    const schedule = await addSchedule();
    // 180 runs a minute apart, the newest at T0: the oldest started 179 minutes before T0.
    const runs = await addRuns(schedule, 180, T0);
    const pruner = new RunPruner({ store, clock, logger: pino({ level: 'silent' }), retention: retention({ maxAgeMs: hour, batchSize: 50 }) });

    clock.set(T0 + 30 * 60_000);
    const deleted = await pruner.pruneOnce();

    // Kept: the runs that started at or after T0 - 30 min, 31 of them.
    expect(deleted).toBe(149);
    expect(await runIdsOf(schedule)).toEqual(runs.slice(149).map((run) => run.id));
  });

  it('never deletes RUNNING runs', async () => {
    const schedule = await addSchedule();
    const stuck = await addRuns(schedule, 3, T0 - 10 * hour, 'RUNNING');
    await addRuns(schedule, 4, T0);
    const pruner = new RunPruner({
      store,
      clock,
      logger: pino({ level: 'silent' }),
      retention: retention({ maxAgeMs: hour, maxRunsPerSchedule: 1 }),
    });

    expect(await pruner.pruneOnce()).toBe(3);

    expect((await runIdsOf(schedule)).slice(0, 3)).toEqual(stuck.map((run) => run.id));
    expect(await runIdsOf(schedule)).toHaveLength(4);
  });

  it('logs how many runs it deleted', async () => {
    const schedule = await addSchedule();
    await addRuns(schedule, 12, T0);
    const { logger, lines } = capturingLogger();
    const pruner = new RunPruner({ store, clock, logger, retention: retention({ maxRunsPerSchedule: 2, batchSize: 4 }), batchPauseMs: 1 });

    await pruner.pruneOnce();
    await pruner.pruneOnce();

    const [deleted, idle] = lines.filter((line) => line.msg.includes('retention limits'));
    expect(deleted).toMatchObject({ level: INFO, component: 'run-pruner', deleted: 10, batches: 3 });
    expect(idle).toMatchObject({ deleted: 0, batches: 1 });
    expect(idle!.level).toBeLessThan(INFO);
  });

  it('logs a failed pass and runs the next one', async () => {
    const schedule = await addSchedule();
    await addRuns(schedule, 10, T0);
    let failures = 1;
    const flaky: Pick<Store, 'pruneRuns'> = {
      pruneRuns: async (input) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('database is locked');
        }
        return store.pruneRuns(input);
      },
    };
    const { logger, lines } = capturingLogger();
    const pruner = new RunPruner({ store: flaky, clock, logger, retention: retention({ maxRunsPerSchedule: 3, intervalMs: 50 }) });

    pruner.start();
    try {
      await waitFor(async () => (await runIdsOf(schedule)).length === 3, 5_000);
    } finally {
      await pruner.stop();
    }

    const errors = lines.filter((line) => line.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ component: 'run-pruner', err: { message: 'database is locked' } });
    expect(lines.some((line) => line.level === INFO && line['deleted'] === 7)).toBe(true);
  });

  it('stop waits for the batch in progress and ends the pass', async () => {
    let calls = 0;
    let releaseBatch: () => void = () => {};
    // Every batch comes back full, so only stop() can end the pass.
    const endless: Pick<Store, 'pruneRuns'> = {
      pruneRuns: (input) => {
        calls += 1;
        return new Promise((resolve) => {
          releaseBatch = () => resolve(input.limit);
        });
      },
    };
    const pruner = new RunPruner({ store: endless, clock, logger: pino({ level: 'silent' }), retention: retention({ maxRunsPerSchedule: 1, intervalMs: 10 }) });

    pruner.start();
    await waitFor(async () => calls === 1, 2_000);
    let stopped = false;
    const stopping = pruner.stop().then(() => {
      stopped = true;
    });
    await sleep(50);
    expect(stopped).toBe(false);

    releaseBatch();
    await stopping;
    await sleep(100);
    expect(calls).toBe(1);
  });

  it('does nothing with both rules off', async () => {
    const { wrapped, calls } = countingStore(store);
    const pruner = new RunPruner({ store: wrapped, clock, logger: pino({ level: 'silent' }), retention: retention({ intervalMs: 10 }) });

    pruner.start();
    await sleep(100);
    await pruner.stop();

    expect(pruner.enabled).toBe(false);
    expect(calls).toHaveLength(0);
  });
});
