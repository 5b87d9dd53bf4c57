import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { FakeClock, NotFoundError, maskHeaders } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { pino } from 'pino';

import { createCaller, schedulerWithoutEngine } from '../src/index.js';
import type { ApiContext, SchedulerControl } from '../src/index.js';
import { makeRun } from './run-fixtures.js';

export const START = Date.parse('2030-01-01T00:00:00.000Z');

export interface TestContext {
  ctx: ApiContext;
  caller: ReturnType<typeof createCaller>;
  store: Store;
  clock: FakeClock;
  /** How many times procedures called scheduler.wake(). */
  wakes(): number;
  /** The schedule ids that procedures passed to scheduler.trigger(), in order. */
  triggers: string[];
  /** Log records written at warn level or above, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestContextOptions {
  /** False gives the SchedulerControl of a SCHEDULER_ROLE=api process, whose trigger raises EngineUnavailableError. */
  engine?: boolean;
}

/**
 * Inserts the RUNNING manual run that the engine's trigger would insert
 * before sending the request. Nothing is sent.
 */
async function insertManualRun(store: Store, scheduleId: string, now: number): Promise<Run> {
  const schedule = await store.getSchedule(scheduleId);
  if (!schedule) throw new NotFoundError('schedule', scheduleId);
  const target = await store.getTarget(schedule.target_id);
  if (!target) throw new NotFoundError('target', schedule.target_id);

  return store.insertRun(
    makeRun(schedule.id, target.id, now, {
      finished_at: null,
      status: 'RUNNING',
      status_code: null,
      latency_ms: null,
      response_size: null,
      response_headers: null,
      response_body: null,
      request: { method: target.method, url: target.url, headers: maskHeaders(target.headers) },
      manual: true,
    }),
  );
}

/** Creates a context on a real libSQL file in a fresh temporary folder, with a fake clock at START. */
export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  const folder = await mkdtemp(join(tmpdir(), 'api-scheduler-api-'));
  const store = await createLibsqlStore({ url: pathToFileURL(join(folder, 'test.db')).href });
  await store.migrate();

  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });

  let wakeCount = 0;
  const triggers: string[] = [];
  const clock = new FakeClock(START);
  const engine: SchedulerControl = {
    wake() {
      wakeCount += 1;
    },
    trigger(scheduleId) {
      triggers.push(scheduleId);
      return insertManualRun(store, scheduleId, clock.now());
    },
  };
  const withoutEngine: SchedulerControl = {
    wake() {
      wakeCount += 1;
    },
    trigger(scheduleId) {
      triggers.push(scheduleId);
      return schedulerWithoutEngine.trigger(scheduleId);
    },
  };

  const ctx: ApiContext = {
    store,
    clock,
    logger: pino({ level: 'warn' }, sink),
    scheduler: options.engine === false ? withoutEngine : engine,
    instanceId: 'test-instance',
    startedAt: START,
  };

  return {
    ctx,
    caller: createCaller(ctx),
    store,
    clock,
    wakes: () => wakeCount,
    triggers,
    logs,
    async close() {
      // A test may have closed the store already, to make it fail.
      await store.close().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
