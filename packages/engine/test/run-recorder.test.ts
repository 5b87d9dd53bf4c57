import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { newId } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';
import type { RunResult, Store } from '@api-scheduler/db';

import { Engine, RunRecorder } from '../src/index.js';
import { EngineFixture, waitFor } from './engine-fixture.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const WARN = 40;
const ERROR = 50;

/** Creates a pino logger that parses each JSON line it writes into `lines`. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** Wraps a store so that its first `failures` finishRuns calls throw (all of them with Infinity). */
function failingFinishRuns(inner: Store, failures: number) {
  const state = { calls: 0, failuresLeft: failures };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'finishRuns') {
        return async (results: RunResult[]) => {
          state.calls += 1;
          if (state.failuresLeft > 0) {
            state.failuresLeft -= 1;
            throw new Error('disk I/O error');
          }
          return target.finishRuns(results);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, state };
}

function successOf(run: Run): RunResult {
  return {
    id: run.id,
    finished_at: new Date(),
    status: 'SUCCESS',
    status_code: 200,
    latency_ms: 12,
    response_size: 2,
    response_headers: null,
    response_body: 'ok',
    truncated: false,
    error_type: null,
    error_message: null,
  };
}

let fixture: EngineFixture;

beforeEach(async () => {
  fixture = new EngineFixture();
  await fixture.setUp();
});

afterEach(async () => {
  await fixture.tearDown();
});

describe('RunRecorder', () => {
  it('retries a failed write and records the results', async () => {
    const hook = await fixture.addTarget('/hook');
    const schedule = await fixture.addSchedule(hook, Date.now() + 3_600_000);
    const runs: Run[] = [];
    for (let i = 0; i < 3; i += 1) {
      const now = Date.now();
      runs.push(
        await fixture.store.insertRun({
          id: newId(now),
          schedule_id: schedule.id,
          target_id: hook.id,
          scheduled_for: new Date(now - i * 60_000),
          attempt: 1,
          started_at: new Date(now),
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
          instance_id: 'test-instance',
        }),
      );
    }
    const { store, state } = failingFinishRuns(fixture.store, 2);
    const { logger, lines } = capturingLogger();
    const recorder = new RunRecorder(store, logger);

    await Promise.all(runs.map((run) => recorder.record(successOf(run))));

    // One batch: two failed attempts, then the one that commits.
    expect(state.calls).toBe(3);
    for (const run of runs) expect((await fixture.store.getRun(run.id))?.status).toBe('SUCCESS');
    const warnings = lines.filter((line) => line.level === WARN);
    expect(warnings.map((line) => line['attempt'])).toEqual([1, 2]);
    expect(lines.filter((line) => line.level === ERROR)).toEqual([]);
  });

  it('logs a lost batch, then interrupts it', async () => {
    const hook = await fixture.addTarget('/hook');
    const firstFire = Date.now() + 300;
    const schedules = [];
    for (let i = 0; i < 3; i += 1) schedules.push(await fixture.addSchedule(hook, firstFire));
    const { store, state } = failingFinishRuns(fixture.store, Infinity);
    const { logger, lines } = capturingLogger();
    const engine = fixture.createEngine({ store, logger });
    await engine.start();

    // Every attempt of every batch fails: each batch ends in one error log.
    const loggedIds = () => lines.filter((line) => line.level === ERROR).flatMap((line) => (line['run_ids'] as string[] | undefined) ?? []);
    await waitFor(async () => fixture.received.length === 3 && loggedIds().length === 3, 10_000);
    await engine.stop(0);

    const runs = (await Promise.all(schedules.map((schedule) => fixture.runsOf(schedule.id)))).flat();
    expect(runs).toHaveLength(3);
    expect(runs.every((run) => run.status === 'RUNNING')).toBe(true);
    expect(new Set(loggedIds())).toEqual(new Set(runs.map((run) => run.id)));
    const errors = lines.filter((line) => line.level === ERROR);
    for (const error of errors) {
      expect(error).toMatchObject({ msg: 'gave up recording run results', err: { message: 'disk I/O error' } });
      expect(error['runs']).toBe((error['run_ids'] as string[]).length);
    }
    expect(state.calls).toBe(3 * errors.length);

    // The next process start, on the store that works again.
    const restarted = new Engine({
      store: fixture.store,
      clock: { now: () => Date.now() },
      logger: pino({ level: 'silent' }),
      instanceId: 'restarted-instance',
    });
    fixture.engine = restarted;
    await restarted.start();

    for (const run of runs) {
      const recovered = await fixture.store.getRun(run.id);
      expect(recovered).toMatchObject({ status: 'FAILURE', error_type: 'INTERRUPTED' });
      expect(recovered!.finished_at).not.toBeNull();
    }
  });
});
