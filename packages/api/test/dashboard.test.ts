import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { makeRun } from './run-fixtures.js';
import { START, createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;

beforeEach(async () => {
  t = await createTestContext();
});

afterEach(async () => {
  await t.close();
});

const MINUTE = 60_000;

async function createSchedule(targetId: string, intervalSeconds = 10) {
  return t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: intervalSeconds } });
}

describe('metrics.dashboard', () => {
  it('returns zeros and nulls on an empty database', async () => {
    const dashboard = await t.caller.metrics.dashboard();

    expect(dashboard.total_runs).toBe(0);
    expect(dashboard.success_rate).toBeNull();
    expect(dashboard.latency_p50_ms).toBeNull();
    expect(dashboard.latency_p95_ms).toBeNull();
    expect(dashboard.schedules).toEqual({ ACTIVE: 0, PAUSED: 0, COMPLETED: 0 });
    expect(dashboard.next_fires).toEqual([]);
    expect(dashboard.latest_failures).toEqual([]);
    expect(dashboard.runs_per_minute).toHaveLength(60);
    expect(dashboard.runs_per_minute.every((minute) => minute.success + minute.failure + minute.skipped === 0)).toBe(true);
  });

  it('lists 60 whole minutes ending with the current one', async () => {
    t.clock.set(START + 90 * MINUTE + 25_000);

    const { runs_per_minute: minutes, since } = await t.caller.metrics.dashboard();

    expect(minutes[0]!.minute).toEqual(new Date(START + 31 * MINUTE));
    expect(minutes[59]!.minute).toEqual(new Date(START + 90 * MINUTE));
    expect(since).toEqual(minutes[0]!.minute);
    for (let index = 1; index < minutes.length; index += 1) {
      expect(minutes[index]!.minute.getTime() - minutes[index - 1]!.minute.getTime()).toBe(MINUTE);
    }
  });

  it('counts the runs of the last hour', async () => {
    const targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
    const schedule = await createSchedule(targetId);
    const now = START + 2 * 60 * MINUTE + 30_000;
    t.clock.set(now);

    // Outside the window: 61 minutes before the current minute.
    await t.store.insertRun(makeRun(schedule.id, targetId, now - 61 * MINUTE, { latency_ms: 9_999 }));
    // Inside: two minutes ago and in the current minute.
    const twoMinutesAgo = now - 2 * MINUTE;
    await t.store.insertRun(makeRun(schedule.id, targetId, twoMinutesAgo, { latency_ms: 100 }));
    await t.store.insertRun(makeRun(schedule.id, targetId, twoMinutesAgo + 1_000, { latency_ms: 300 }));
    await t.store.insertRun(makeRun(schedule.id, targetId, now - 1_000, { status: 'FAILURE', status_code: 500, error_type: 'HTTP_5XX', latency_ms: 200 }));
    await t.store.insertRun(makeRun(schedule.id, targetId, now - 500, { status: 'SKIPPED', status_code: null, latency_ms: null }));
    await t.store.insertRun(makeRun(schedule.id, targetId, now, { status: 'RUNNING', finished_at: null, status_code: null, latency_ms: null }));

    const dashboard = await t.caller.metrics.dashboard();

    expect(dashboard.total_runs).toBe(5);
    expect(dashboard.success_rate).toBeCloseTo(2 / 3);
    expect(dashboard.latency_p50_ms).toBe(200);
    expect(dashboard.latency_p95_ms).toBe(300);
    expect(dashboard.runs_per_minute[57]).toEqual({ minute: new Date(Math.floor(twoMinutesAgo / MINUTE) * MINUTE), success: 2, failure: 0, skipped: 0 });
    expect(dashboard.runs_per_minute[59]).toEqual({ minute: new Date(Math.floor(now / MINUTE) * MINUTE), success: 0, failure: 1, skipped: 1 });
  });

  it('lists next fires, schedule counts and masked failures', async () => {
    const targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
    const later = await createSchedule(targetId, 60);
    const sooner = await createSchedule(targetId, 5);
    const paused = await createSchedule(targetId, 1);
    await t.caller.schedules.pause({ id: paused.id });
    for (let index = 0; index < 12; index += 1) {
      await t.store.insertRun(makeRun(sooner.id, targetId, START + index * 1_000, { status: 'FAILURE', status_code: 503, error_type: 'HTTP_5XX' }));
    }

    const dashboard = await t.caller.metrics.dashboard();

    expect(dashboard.schedules).toEqual({ ACTIVE: 2, PAUSED: 1, COMPLETED: 0 });
    expect(dashboard.next_fires.map((fire) => fire.schedule_id)).toEqual([sooner.id, later.id]);
    expect(dashboard.next_fires[0]!.name).toBe(sooner.name);
    expect(dashboard.next_fires[0]!.at).toEqual(sooner.next_run_at);
    expect(dashboard.latest_failures).toHaveLength(10);
    expect(dashboard.latest_failures[0]!.started_at).toEqual(new Date(START + 11_000));
    expect(dashboard.latest_failures[0]!.response_headers?.['set-cookie']).toBe('***');
  });
});

describe('schedules.stats', () => {
  it('rejects an unknown id with NOT_FOUND', async () => {
    await expect(t.caller.schedules.stats({ id: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('summarizes the newest 100 runs oldest first', async () => {
    const targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
    const schedule = await createSchedule(targetId, 10);
    // 110 runs: latency 1..110 ms, every 10th a FAILURE, the newest still RUNNING.
    for (let index = 1; index <= 110; index += 1) {
      const overrides =
        index === 110
          ? { status: 'RUNNING' as const, finished_at: null, latency_ms: null }
          : index % 10 === 0
            ? { status: 'FAILURE' as const, error_type: 'HTTP_5XX' as const, latency_ms: index }
            : { latency_ms: index };
      await t.store.insertRun(makeRun(schedule.id, targetId, START + index * 1_000, overrides));
    }

    const stats = await t.caller.schedules.stats({ id: schedule.id });

    expect(stats.total_runs).toBe(110);
    expect(stats.latency_series).toHaveLength(100);
    expect(stats.latency_series[0]).toMatchObject({ at: new Date(START + 11_000), latency_ms: 11, status: 'SUCCESS' });
    expect(stats.latency_series[99]).toMatchObject({ at: new Date(START + 110_000), latency_ms: null, status: 'RUNNING' });
    // Runs 11..109 finished, and 9 of those 99 failed: 20, 30, …, 100.
    const failures = [20, 30, 40, 50, 60, 70, 80, 90, 100].length;
    expect(stats.success_rate).toBeCloseTo((99 - failures) / 99);
    // Latencies 11..109: rank ceil(0.5·99) = 50 is 60, rank ceil(0.95·99) = 95 is 105.
    expect(stats.latency_p50_ms).toBe(60);
    expect(stats.latency_p95_ms).toBe(105);
    expect(stats.next_fires).toHaveLength(5);
    expect(stats.next_fires[0]).toEqual(schedule.next_run_at);
    expect(stats.next_fires[1]!.getTime() - stats.next_fires[0]!.getTime()).toBe(10_000);
  });

  it('returns no next fires for a COMPLETED schedule', async () => {
    const targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'ONCE', schedule_config: { run_at: new Date(START + 60_000).toISOString() } });
    await t.store.updateSchedule(schedule.id, { status: 'COMPLETED', next_run_at: null, updated_at: new Date(START) });

    const stats = await t.caller.schedules.stats({ id: schedule.id });

    expect(stats.next_fires).toEqual([]);
    expect(stats.total_runs).toBe(0);
    expect(stats.success_rate).toBeNull();
    expect(stats.latency_p50_ms).toBeNull();
  });
});
