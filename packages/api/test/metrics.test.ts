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

describe('metrics.summary', () => {
  it('reports zero counts on an empty database', async () => {
    const metrics = await t.caller.metrics.summary();

    expect(metrics.timestamp).toEqual(new Date(START));
    expect(metrics.database.online).toBe(true);
    expect(metrics.database.latency_ms).toBeGreaterThanOrEqual(0);
    expect(metrics.system.active_workers).toBe(0);
    expect(metrics.system.total_runs).toBe(0);
    expect(metrics.system.avg_latency_ms).toBeNull();
    expect(metrics.success_rate).toBeNull();
    expect(metrics.runs_by_status).toEqual({ RUNNING: 0, SUCCESS: 0, FAILURE: 0, SKIPPED: 0 });
    expect(metrics.schedules_by_status).toEqual({ ACTIVE: 0, PAUSED: 0, COMPLETED: 0 });
  });

  it('counts schedules and runs', async () => {
    const targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
    const create = () => t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 10 } });
    const active = await create();
    await create();
    const paused = await create();
    await t.caller.schedules.pause({ id: paused.id });

    const at = (seconds: number) => START + seconds * 1_000;
    await t.store.insertRun(makeRun(active.id, targetId, at(10), { latency_ms: 100 }));
    await t.store.insertRun(makeRun(active.id, targetId, at(20), { latency_ms: 200 }));
    await t.store.insertRun(makeRun(active.id, targetId, at(30), { latency_ms: 300 }));
    await t.store.insertRun(makeRun(active.id, targetId, at(40), { status: 'FAILURE', status_code: 500, error_type: 'HTTP_5XX', latency_ms: 400 }));
    await t.store.insertRun(makeRun(active.id, targetId, at(50), { status: 'SKIPPED', status_code: null, latency_ms: null, finished_at: new Date(at(50)) }));
    await t.store.insertRun(makeRun(active.id, targetId, at(60), { status: 'RUNNING', status_code: null, latency_ms: null, finished_at: null }));

    const metrics = await t.caller.metrics.summary();

    expect(metrics.system.active_workers).toBe(2);
    expect(metrics.schedules_by_status).toEqual({ ACTIVE: 2, PAUSED: 1, COMPLETED: 0 });
    expect(metrics.system.total_runs).toBe(6);
    expect(metrics.system.success_runs).toBe(3);
    expect(metrics.system.avg_latency_ms).toBe(250);
    expect(metrics.runs_by_status).toEqual({ RUNNING: 1, SUCCESS: 3, FAILURE: 1, SKIPPED: 1 });
    expect(metrics.success_rate).toBe(0.75);
  });

  it('measures CPU use between calls', async () => {
    await t.caller.metrics.summary();
    // Busy work between the two samples, so the second one has CPU time to count.
    let sum = 0;
    const until = Date.now() + 50;
    while (Date.now() < until) sum += Math.sqrt(sum + 1);

    const metrics = await t.caller.metrics.summary();

    expect(sum).toBeGreaterThan(0);
    expect(metrics.system.cpu_usage_percent).toBeGreaterThan(0);
  });

  it('reports an offline database with 200 and null counts', async () => {
    await t.store.close();

    const metrics = await t.caller.metrics.summary();

    expect(metrics.database).toEqual({ online: false, latency_ms: null });
    expect(metrics.system.total_runs).toBeNull();
    expect(metrics.system.active_workers).toBeNull();
    expect(metrics.runs_by_status).toBeNull();
    expect(metrics.schedules_by_status).toBeNull();
    expect(t.logs.map((record) => record.msg)).toContain('Database ping failed');
  });
});

describe('system.health', () => {
  it('reports instance, uptime and version', async () => {
    t.clock.advance(90_500);

    const health = await t.caller.system.health();

    expect(health).toEqual({ status: 'ok', instance_id: 'test-instance', uptime_seconds: 90, version: '0.1.0' });
  });
});
