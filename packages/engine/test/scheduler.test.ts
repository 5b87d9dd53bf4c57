import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { newId } from '@api-scheduler/core';

import { EngineFixture, sleep, waitFor } from './engine-fixture.js';

let fixture: EngineFixture;

beforeEach(async () => {
  fixture = new EngineFixture();
  await fixture.setUp();
});

afterEach(async () => {
  await fixture.tearDown();
});

describe('Engine', () => {
  it('fires a due schedule and records the result', async () => {
    const hook = await fixture.addTarget('/hook');
    const schedule = await fixture.addSchedule(hook, Date.now() + 300);
    await fixture.createEngine().start();

    const [run] = await waitFor(async () => {
      const runs = await fixture.runsOf(schedule.id);
      return runs.length === 1 && runs[0]!.status !== 'RUNNING' ? runs : null;
    });
    expect(run!.status).toBe('SUCCESS');
    expect(run!.status_code).toBe(200);
    expect(run!.instance_id).toBe('test-instance');
    expect(run!.started_at.getTime()).toBeGreaterThanOrEqual(schedule.next_run_at!.getTime());
    expect(fixture.received[0]!.at).toBeGreaterThanOrEqual(schedule.next_run_at!.getTime());
    expect(fixture.received[0]!.key).toBe(`${schedule.id}:${schedule.next_run_at!.getTime()}`);

    const after = await fixture.store.getSchedule(schedule.id);
    expect(after!.next_run_at!.getTime()).toBe(schedule.next_run_at!.getTime() + 3_600_000);
    expect(after!.run_count).toBe(1);
  });

  it('wakes from an idle sleep when told of a new schedule', async () => {
    const hook = await fixture.addTarget('/wake');
    const engine = fixture.createEngine();
    await engine.start();
    // Nothing is planned, so the loop sleeps with no timer at all.
    await sleep(200);

    const schedule = await fixture.addSchedule(hook, Date.now() + 100);
    engine.wake();

    await waitFor(async () => (await fixture.runsOf(schedule.id)).some((run) => run.status === 'SUCCESS'), 5_000);
  });

  it('finds a schedule written by another process without a wake', async () => {
    const hook = await fixture.addTarget('/elsewhere');
    await fixture.createEngine({ rescanIntervalMs: 300 }).start();
    await sleep(100);

    // Written straight to the database, as another process would: nobody calls wake().
    const schedule = await fixture.addSchedule(hook, Date.now() + 50);

    await waitFor(async () => (await fixture.runsOf(schedule.id)).some((run) => run.status === 'SUCCESS'), 2_000);
  });

  it('does not fire or spin on a fire beyond the timer limit', async () => {
    const hook = await fixture.addTarget('/far');
    // 30 days is longer than setTimeout's 2^31-1 ms; an uncapped timer would fire at once.
    const schedule = await fixture.addSchedule(hook, Date.now() + 30 * 86_400_000);

    let earliestCalls = 0;
    const counting = new Proxy(fixture.store, {
      get(target, property, receiver) {
        if (property === 'earliestNextRunAt') earliestCalls += 1;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await fixture.createEngine({ store: counting, rescanIntervalMs: 600_000 }).start();
    await sleep(1_000);

    expect(await fixture.runsOf(schedule.id)).toHaveLength(0);
    expect(fixture.received).toHaveLength(0);
    expect(earliestCalls).toBeLessThanOrEqual(2);
  });

  it('records runs left RUNNING by a dead process as INTERRUPTED', async () => {
    const hook = await fixture.addTarget('/dead');
    const schedule = await fixture.addSchedule(hook, Date.now() + 3_600_000);
    const orphan = await fixture.store.insertRun({
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

    await fixture.createEngine().start();

    const recovered = await fixture.store.getRun(orphan.id);
    expect(recovered!.status).toBe('FAILURE');
    expect(recovered!.error_type).toBe('INTERRUPTED');
    expect(recovered!.finished_at).not.toBeNull();
  });

  it('interrupts requests still in flight after the shutdown grace', async () => {
    fixture.on('/hang', () => {});
    const hang = await fixture.addTarget('/hang');
    const schedule = await fixture.addSchedule(hang, Date.now() + 100);
    const engine = fixture.createEngine();
    await engine.start();
    await waitFor(async () => fixture.received.length === 1);

    const stopStarted = Date.now();
    await engine.stop(300);
    const stopMs = Date.now() - stopStarted;
    expect(stopMs).toBeGreaterThanOrEqual(250);
    expect(stopMs).toBeLessThan(5_000);

    const [run] = await fixture.runsOf(schedule.id);
    expect(run!.status).toBe('FAILURE');
    expect(run!.error_type).toBe('INTERRUPTED');
  });

  it('pauses a schedule it cannot plan and keeps firing the others', async () => {
    const hook = await fixture.addTarget('/ok');
    const broken = await fixture.addSchedule(hook, Date.now() + 100, {
      // A config no strategy can read: the grid has no anchor.
      schedule_config: { interval_seconds: 1, start_time: 'not a time' },
    });
    const healthy = await fixture.addSchedule(hook, Date.now() + 150);
    await fixture.createEngine().start();

    await waitFor(async () => (await fixture.runsOf(healthy.id)).some((run) => run.status === 'SUCCESS'), 5_000);
    expect(await fixture.runsOf(broken.id)).toHaveLength(0);
    expect((await fixture.store.getSchedule(broken.id))!.status).toBe('PAUSED');
  });
});
