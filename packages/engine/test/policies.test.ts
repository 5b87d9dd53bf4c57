import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_RETRY_POLICY } from '@api-scheduler/core';
import type { RetryPolicy, Run } from '@api-scheduler/core';

import { EngineFixture, sleep, waitFor } from './engine-fixture.js';

let fixture: EngineFixture;

beforeEach(async () => {
  fixture = new EngineFixture();
  await fixture.setUp();
});

afterEach(async () => {
  await fixture.tearDown();
});

const quickRetries: RetryPolicy = { ...DEFAULT_RETRY_POLICY, initial_delay_ms: 100, multiplier: 2, max_delay_ms: 5_000, jitter: 'none' };

const finished = (runs: Run[]) => runs.filter((run) => run.status !== 'RUNNING');

/** Responds to the first `failures` requests with `status` and to the rest with 200. */
function failFirst(path: string, failures: number, status: number, headers: Record<string, string> = {}): void {
  let seen = 0;
  fixture.on(path, (_request, response) => {
    seen += 1;
    if (seen <= failures) response.writeHead(status, headers).end('not yet');
    else response.end('ok');
  });
}

function respondAfter(path: string, delayMs: number): void {
  fixture.on(path, (_request, response) => {
    setTimeout(() => response.end('slow'), delayMs);
  });
}

describe('retries', () => {
  it('retries a 503 with backoff and the same Idempotency-Key', async () => {
    failFirst('/flaky', 2, 503);
    const target = await fixture.addTarget('/flaky');
    const schedule = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: quickRetries });
    await fixture.createEngine().start();

    const runs = await waitFor(async () => {
      const all = finished(await fixture.runsOf(schedule.id));
      return all.length === 3 ? all : null;
    });
    expect(runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
    expect(runs.map((run) => run.status)).toEqual(['FAILURE', 'FAILURE', 'SUCCESS']);
    expect(runs.map((run) => run.error_type)).toEqual(['HTTP_5XX', 'HTTP_5XX', null]);
    expect(new Set(runs.map((run) => run.scheduled_for.getTime())).size).toBe(1);

    const requests = fixture.requestsTo('/flaky');
    expect(new Set(requests.map((request) => request.key)).size).toBe(1);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(100);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(200);

    // Retries are attempts of one fire: the schedule counts one fire.
    expect((await fixture.store.getSchedule(schedule.id))!.run_count).toBe(1);
  });

  it('honours Retry-After on a 429', async () => {
    failFirst('/limited', 1, 429, { 'retry-after': '1' });
    const target = await fixture.addTarget('/limited');
    const schedule = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: quickRetries });
    await fixture.createEngine().start();

    await waitFor(async () => finished(await fixture.runsOf(schedule.id)).length === 2);
    const [first, second] = fixture.requestsTo('/limited');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('stops after max_retries', async () => {
    failFirst('/down', 100, 500);
    const target = await fixture.addTarget('/down');
    const schedule = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: { ...quickRetries, max_retries: 2 } });
    await fixture.createEngine().start();

    await waitFor(async () => finished(await fixture.runsOf(schedule.id)).length === 3);
    await sleep(800);
    expect(fixture.requestsTo('/down')).toHaveLength(3);
  });

  it('does not retry a 404', async () => {
    failFirst('/missing', 100, 404);
    const target = await fixture.addTarget('/missing');
    const schedule = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: quickRetries });
    await fixture.createEngine().start();

    await waitFor(async () => finished(await fixture.runsOf(schedule.id)).length === 1);
    await sleep(500);
    expect(fixture.requestsTo('/missing')).toHaveLength(1);
  });

  it('does not retry a timed-out POST unless allowed', async () => {
    fixture.on('/stuck', () => {});
    const target = await fixture.addTarget('/stuck', { method: 'POST', timeout_ms: 300 });
    const notRetried = await fixture.addSchedule(target, Date.now() + 100, { retry_policy: quickRetries });
    const allowed = await fixture.addSchedule(target, Date.now() + 100, {
      retry_policy: { ...quickRetries, max_retries: 1, retry_non_idempotent_timeouts: true },
    });
    await fixture.createEngine().start();

    const allowedRuns = await waitFor(async () => {
      const runs = finished(await fixture.runsOf(allowed.id));
      return runs.length === 2 ? runs : null;
    });
    expect(allowedRuns.map((run) => run.error_type)).toEqual(['TIMEOUT', 'TIMEOUT']);

    const notRetriedRuns = finished(await fixture.runsOf(notRetried.id));
    expect(notRetriedRuns).toHaveLength(1);
    expect(notRetriedRuns[0]!.error_type).toBe('TIMEOUT');
  });

  it('never counts retries toward max_runs', async () => {
    let seen = 0;
    fixture.on('/every-other', (_request, response) => {
      seen += 1;
      response.writeHead(seen % 2 === 1 ? 500 : 200).end();
    });
    const target = await fixture.addTarget('/every-other');
    const start = Date.now() + 200;
    const schedule = await fixture.addSchedule(target, start, {
      schedule_type: 'WINDOW',
      schedule_config: { start_time: new Date(start).toISOString(), end_time: new Date(start + 60_000).toISOString(), interval_seconds: 1, max_runs: 2 },
      retry_policy: quickRetries,
    });
    await fixture.createEngine().start();

    await waitFor(async () => (await fixture.store.getSchedule(schedule.id))!.status === 'COMPLETED', 10_000);
    await waitFor(async () => finished(await fixture.runsOf(schedule.id)).length === 4);
    const runs = await fixture.runsOf(schedule.id);
    expect(runs.map((run) => run.attempt)).toEqual([1, 2, 1, 2]);
    expect(new Set(runs.map((run) => run.scheduled_for.getTime())).size).toBe(2);
    expect((await fixture.store.getSchedule(schedule.id))!.run_count).toBe(2);
  });
});

describe('overlap policies', () => {
  it('skip records a SKIPPED run while the previous one is in flight', async () => {
    respondAfter('/slow', 1_500);
    const target = await fixture.addTarget('/slow');
    const schedule = await fixture.addSchedule(target, Date.now() + 200, { interval_seconds: 1, overlap_policy: 'skip' });
    await fixture.createEngine().start();

    const runs = await waitFor(async () => {
      const all = finished(await fixture.runsOf(schedule.id));
      return all.length >= 4 ? all : null;
    });
    const skipped = runs.filter((run) => run.status === 'SKIPPED');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped[0]!.error_message).toContain('overlap policy "skip"');
    // Never two requests of this schedule in flight at once.
    const requests = fixture.requestsTo('/slow');
    for (let i = 1; i < requests.length; i += 1) expect(requests[i]!.at - requests[i - 1]!.at).toBeGreaterThanOrEqual(1_400);
  });

  it('queue_one sends one waiting fire after the run in flight', async () => {
    respondAfter('/queue', 2_500);
    const target = await fixture.addTarget('/queue');
    const schedule = await fixture.addSchedule(target, Date.now() + 200, { interval_seconds: 1, overlap_policy: 'queue_one' });
    await fixture.createEngine().start();

    await waitFor(async () => fixture.requestsTo('/queue').length >= 2, 8_000);
    const runs = await fixture.runsOf(schedule.id);
    // Slots 2 and 3 come while slot 1 is in flight: slot 2 waits, slot 3 is skipped.
    expect(runs[1]!.status === 'RUNNING' || runs[1]!.status === 'SUCCESS').toBe(true);
    expect(runs[2]!.status).toBe('SKIPPED');
    expect(runs[2]!.error_message).toContain('queue_one');

    const [first, second] = fixture.requestsTo('/queue');
    // The queued fire starts once the first one has responded, not at its own slot.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2_400);
    expect(second!.key).toBe(`${schedule.id}:${runs[1]!.scheduled_for.getTime()}`);
  });

  it('allow sends fires that overlap', async () => {
    respondAfter('/parallel', 2_500);
    const target = await fixture.addTarget('/parallel');
    const schedule = await fixture.addSchedule(target, Date.now() + 200, { interval_seconds: 1, overlap_policy: 'allow' });
    await fixture.createEngine().start();

    await waitFor(async () => fixture.requestsTo('/parallel').length >= 3, 8_000);
    const runs = await fixture.runsOf(schedule.id);
    expect(runs.some((run) => run.status === 'SKIPPED')).toBe(false);
    const [first, , third] = fixture.requestsTo('/parallel');
    expect(third!.at - first!.at).toBeLessThan(2_500);
  });
});

describe('misfire policies', () => {
  const second = 1_000;

  async function overdueSchedule(path: string, policy: 'fire_once' | 'fire_all' | 'skip', missedSlots: number) {
    const target = await fixture.addTarget(path);
    // A 10 s grid whose slot came due `missedSlots` slots ago, as after downtime.
    const due = Date.now() - (missedSlots - 1) * 10 * second - 5 * second;
    return fixture.addSchedule(target, due, { interval_seconds: 10, misfire_policy: policy });
  }

  it('fire_once sends one catch-up run with missed_count', async () => {
    const schedule = await overdueSchedule('/once', 'fire_once', 4);
    await fixture.createEngine().start();

    const [run] = await waitFor(async () => {
      const runs = finished(await fixture.runsOf(schedule.id));
      return runs.length === 1 ? runs : null;
    });
    expect(run!.catch_up).toBe(true);
    expect(run!.missed_count).toBe(3);
    expect(fixture.requestsTo('/once')).toHaveLength(1);
    const after = await fixture.store.getSchedule(schedule.id);
    expect((after!.next_run_at!.getTime() - schedule.next_run_at!.getTime()) % 10_000).toBe(0);
    expect(after!.next_run_at!.getTime()).toBeGreaterThan(Date.now());
  });

  it('fire_all sends every missed slot, spread out', async () => {
    const schedule = await overdueSchedule('/all', 'fire_all', 4);
    await fixture.createEngine({ catchUpSpacingMs: 300 }).start();

    const runs = await waitFor(async () => {
      const all = finished(await fixture.runsOf(schedule.id));
      return all.length === 4 ? all : null;
    });
    expect(runs.every((run) => run.catch_up)).toBe(true);
    const slots = runs.map((run) => run.scheduled_for.getTime()).sort((a, b) => a - b);
    expect(slots.map((slot) => slot - slots[0]!)).toEqual([0, 10_000, 20_000, 30_000]);

    const requests = fixture.requestsTo('/all');
    expect(requests).toHaveLength(4);
    // The engine spaces the starts by 300 ms; arrival at the target jitters
    // with each request's latency, and fires sent at once arrive within ms.
    for (let i = 1; i < requests.length; i += 1) expect(requests[i]!.at - requests[i - 1]!.at).toBeGreaterThanOrEqual(250);
  });

  it('fire_all keeps to the configured limit', async () => {
    const schedule = await overdueSchedule('/capped', 'fire_all', 6);
    await fixture.createEngine({ fireAllLimit: 2, catchUpSpacingMs: 0 }).start();

    const runs = await waitFor(async () => {
      const all = finished(await fixture.runsOf(schedule.id));
      return all.length === 2 ? all : null;
    });
    await sleep(300);
    expect(fixture.requestsTo('/capped')).toHaveLength(2);
    expect(runs.map((run) => run.missed_count).sort()).toEqual([0, 4]);
  });

  it('skip sends nothing and records one SKIPPED run', async () => {
    const schedule = await overdueSchedule('/skipped', 'skip', 3);
    const logLines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
    await fixture.createEngine({ logger }).start();

    const [run] = await waitFor(async () => {
      const runs = await fixture.runsOf(schedule.id);
      return runs.length === 1 ? runs : null;
    });
    await sleep(300);
    expect(run!.status).toBe('SKIPPED');
    expect(run!.missed_count).toBe(2);
    expect(fixture.requestsTo('/skipped')).toHaveLength(0);
    // The claim records this run finished, and it still gets its one log line.
    const runLines = logLines.filter((line) => line.msg === 'run finished' && line.schedule_id === schedule.id);
    expect(runLines).toHaveLength(1);
    expect(runLines[0]!.run_id).toBe(run!.id);
    expect(runLines[0]!.status).toBe('SKIPPED');
  });
});

describe('run now', () => {
  it('sends an extra run and leaves the grid alone', async () => {
    const target = await fixture.addTarget('/now');
    const schedule = await fixture.addSchedule(target, Date.now() + 3_600_000, { overlap_policy: 'skip' });
    const engine = fixture.createEngine();
    await engine.start();

    const run = await engine.trigger(schedule.id);
    expect(run.manual).toBe(true);
    expect(run.status).toBe('RUNNING');

    const done = await waitFor(async () => {
      const stored = await fixture.store.getRun(run.id);
      return stored?.status === 'SUCCESS' ? stored : null;
    });
    expect(done.manual).toBe(true);
    expect(fixture.requestsTo('/now')).toHaveLength(1);

    const after = await fixture.store.getSchedule(schedule.id);
    expect(after!.next_run_at!.getTime()).toBe(schedule.next_run_at!.getTime());
    expect(after!.run_count).toBe(0);
  });

  it('accepts 50 triggers at the same moment', async () => {
    const target = await fixture.addTarget('/burst');
    const schedule = await fixture.addSchedule(target, Date.now() + 3_600_000);
    // A stopped clock: every trigger requests the same millisecond.
    const now = Date.now();
    const engine = fixture.createEngine({ clock: { now: () => now } });
    await engine.start();

    const runs = await Promise.all(Array.from({ length: 50 }, () => engine.trigger(schedule.id)));

    const slots = new Set(runs.map((run) => run.scheduled_for.getTime()));
    expect(slots.size).toBe(50);
    await waitFor(async () => fixture.requestsTo('/burst').length === 50);
  });

  it('moves off a planned instant of the grid', async () => {
    const target = await fixture.addTarget('/on-slot');
    const slot = Date.now() + 60_000;
    const schedule = await fixture.addSchedule(target, slot, { interval_seconds: 1 });
    // A clock stopped exactly on a planned instant.
    const engine = fixture.createEngine({ clock: { now: () => slot } });
    await engine.start();

    const run = await engine.trigger(schedule.id);
    expect(run.scheduled_for.getTime()).toBe(slot + 1);

    // The grid fire of that instant is claimed and sent as well.
    const runs = await waitFor(async () => {
      const all = (await fixture.runsOf(schedule.id)).filter((each) => each.status === 'SUCCESS');
      return all.length === 2 ? all : null;
    });
    expect(runs.map((each) => [each.scheduled_for.getTime() - slot, each.manual]).sort()).toEqual([
      [0, false],
      [1, true],
    ]);
  });

  it('rejects an unknown schedule', async () => {
    const engine = fixture.createEngine();
    await engine.start();

    await expect(engine.trigger('01900000-0000-7000-8000-000000000000')).rejects.toThrow(/was not found/);
  });
});

describe('grid under a slow target', () => {
  it('fires ten times on the grid while each request takes 3 s', async () => {
    respondAfter('/three-seconds', 3_000);
    const target = await fixture.addTarget('/three-seconds');
    const start = Date.now() + 300;
    const schedule = await fixture.addSchedule(target, start, { interval_seconds: 1, overlap_policy: 'allow' });
    await fixture.createEngine().start();

    await waitFor(async () => fixture.requestsTo('/three-seconds').length >= 10, 15_000);
    const requests = fixture.requestsTo('/three-seconds').slice(0, 10);
    requests.forEach((request, index) => {
      const planned = start + index * 1_000;
      expect(request.key).toBe(`${schedule.id}:${planned}`);
      // Generous: the point is that lateness does not grow with each slow fire.
      expect(request.at - planned).toBeGreaterThanOrEqual(0);
      expect(request.at - planned).toBeLessThan(250);
    });
  });
});
