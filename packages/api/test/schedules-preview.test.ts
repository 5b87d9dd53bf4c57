import { ValidationError, planFire } from '@api-scheduler/core';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { START, createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;
let targetId: string;

beforeEach(async () => {
  t = await createTestContext();
  targetId = (await t.caller.targets.create({ url: 'https://example.com/hook' })).id;
});

afterEach(async () => {
  await t.close();
});

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

function issuesOf(error: TRPCError) {
  expect(error.code).toBe('UNPROCESSABLE_CONTENT');
  expect(error.cause).toBeInstanceOf(ValidationError);
  return (error.cause as ValidationError).issues;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const instants = (fires: { at: Date }[]): string[] => fires.map((fire) => fire.at.toISOString());

/** Fires every due schedule once, through the store's claim, as the engine would. */
async function claimDue(): Promise<void> {
  await t.store.claimDueSchedules({
    now: t.clock.now(),
    limit: 10,
    instanceId: 'test-instance',
    plan: (schedule, now) => planFire({ ...schedule, next_run_at: schedule.next_run_at!.getTime() }, now, { misfireGraceMs: 60_000, fireAllLimit: 10 }),
    describeRequest: (target) => ({ method: target.method, url: target.url, headers: {} }),
  });
}

describe('schedules.preview', () => {
  it('lists INTERVAL fires from next_run_at', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } });

    const preview = await t.caller.schedules.preview({ id: schedule.id, count: 3 });

    expect(preview.schedule_id).toBe(schedule.id);
    expect(preview.timezone).toBe('UTC');
    expect(preview.fires).toEqual([
      { at: new Date(START + 30_000), local: '2030-01-01T00:00:30.000+00:00' },
      { at: new Date(START + 60_000), local: '2030-01-01T00:01:00.000+00:00' },
      { at: new Date(START + 90_000), local: '2030-01-01T00:01:30.000+00:00' },
    ]);
  });

  it('lists 10 fires by default and up to 1000', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } });

    expect((await t.caller.schedules.preview({ id: schedule.id })).fires).toHaveLength(10);
    const longest = await t.caller.schedules.preview({ id: schedule.id, count: 1000 });
    expect(longest.fires).toHaveLength(1000);
    expect(longest.fires[999]?.at).toEqual(new Date(START + 1000 * 60_000));
  });

  it('starts at an overdue next_run_at', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } });
    t.clock.advance(100_000);

    const preview = await t.caller.schedules.preview({ id: schedule.id, count: 2 });

    // No claim has moved next_run_at yet, so the overdue slot comes first.
    expect(instants(preview.fires)).toEqual([iso(START + 30_000), iso(START + 60_000)]);
  });

  it('shows CRON local times across a DST change', async () => {
    t.clock.set(Date.parse('2026-03-26T12:00:00Z'));
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * *' },
      timezone: 'Europe/London',
    });

    const preview = await t.caller.schedules.preview({ id: schedule.id, count: 5 });

    // Britain moves from GMT to BST at 01:00 UTC on 2026-03-29.
    expect(preview.timezone).toBe('Europe/London');
    expect(preview.fires.map((fire) => fire.local)).toEqual([
      '2026-03-27T09:00:00.000+00:00',
      '2026-03-28T09:00:00.000+00:00',
      '2026-03-29T09:00:00.000+01:00',
      '2026-03-30T09:00:00.000+01:00',
      '2026-03-31T09:00:00.000+01:00',
    ]);
    expect(instants(preview.fires)).toEqual([
      '2026-03-27T09:00:00.000Z',
      '2026-03-28T09:00:00.000Z',
      '2026-03-29T08:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
    ]);
  });

  it('stops a WINDOW at max_runs, counting fires made', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 600, max_runs: 3 },
    });

    const before = await t.caller.schedules.preview({ id: schedule.id });
    expect(instants(before.fires)).toEqual([iso(START), iso(START + 600_000), iso(START + 1_200_000)]);

    await claimDue();
    const after = await t.caller.schedules.preview({ id: schedule.id });
    expect((await t.caller.schedules.get({ id: schedule.id })).run_count).toBe(1);
    expect(instants(after.fires)).toEqual([iso(START + 600_000), iso(START + 1_200_000)]);
  });

  it('stops a WINDOW at its end', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 20 minutes', interval_seconds: 600 },
    });

    const preview = await t.caller.schedules.preview({ id: schedule.id });

    // The end is inclusive: START + 20 min is the last slot.
    expect(instants(preview.fires)).toEqual([iso(START), iso(START + 600_000), iso(START + 1_200_000)]);
  });

  it('lists the one fire of a ONCE', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'ONCE',
      schedule_config: { run_at: '2030-05-01T09:00:00' },
      timezone: 'Europe/Berlin',
    });

    const preview = await t.caller.schedules.preview({ id: schedule.id });

    expect(preview.fires).toEqual([{ at: new Date('2030-05-01T07:00:00.000Z'), local: '2030-05-01T09:00:00.000+02:00' }]);
  });

  it('starts a PAUSED schedule where resume would', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } });
    await t.caller.schedules.pause({ id: schedule.id });
    t.clock.advance(95_000);

    const preview = await t.caller.schedules.preview({ id: schedule.id, count: 3 });

    // Slots are START + 30 s·k; the first at or after START + 95 s is START + 120 s.
    expect(instants(preview.fires)).toEqual([iso(START + 120_000), iso(START + 150_000), iso(START + 180_000)]);
    const resumed = await t.caller.schedules.resume({ id: schedule.id });
    expect(resumed.next_run_at).toEqual(preview.fires[0]?.at);
  });

  it('lists nothing for a COMPLETED schedule', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });
    expect(schedule.status).toBe('COMPLETED');

    const preview = await t.caller.schedules.preview({ id: schedule.id });

    expect(preview).toEqual({ schedule_id: schedule.id, timezone: 'UTC', fires: [] });
  });

  it('rejects a count outside 1 to 1000', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } });

    const cases: [number, string][] = [
      [0, 'count must be at least 1'],
      [-1, 'count must be at least 1'],
      [1001, 'count must be at most 1000'],
      [1e20, 'count must be at most 1000'],
      [2.5, 'count must be a whole number'],
    ];
    for (const [count, message] of cases) {
      const error = await rejection(t.caller.schedules.preview({ id: schedule.id, count }));
      expect(issuesOf(error), String(count)).toEqual([{ loc: ['count'], msg: message, type: expect.any(String) }]);
    }
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    const error = await rejection(t.caller.schedules.preview({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Schedule missing-id was not found');
  });
});

describe('schedules.previewConfig', () => {
  it('resolves an unsaved INTERVAL as create would', async () => {
    const preview = await t.caller.schedules.previewConfig({ schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 }, count: 2 });

    expect(preview).toEqual({
      timezone: 'UTC',
      schedule_config: { interval_seconds: 60, start_time: iso(START + 60_000) },
      fires: [
        { at: new Date(START + 60_000), local: '2030-01-01T00:01:00.000+00:00' },
        { at: new Date(START + 120_000), local: '2030-01-01T00:02:00.000+00:00' },
      ],
    });
    const created = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } });
    expect(created.next_run_at).toEqual(preview.fires[0]?.at);
  });

  it('resolves "now" and stops at max_runs', async () => {
    const preview = await t.caller.schedules.previewConfig({
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60, max_runs: 2 },
      timezone: 'Asia/Tokyo',
    });

    expect(preview.schedule_config).toEqual({ start_time: iso(START), end_time: iso(START + 3_600_000), interval_seconds: 60, max_runs: 2 });
    expect(preview.timezone).toBe('Asia/Tokyo');
    expect(preview.fires.map((fire) => fire.local)).toEqual(['2030-01-01T09:00:00.000+09:00', '2030-01-01T09:01:00.000+09:00']);
  });

  it('takes the time zone of a CRON config', async () => {
    const preview = await t.caller.schedules.previewConfig({
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * 1-5', timezone: 'America/New_York' },
      count: 1,
    });

    expect(preview.timezone).toBe('America/New_York');
    expect(preview.schedule_config).toEqual({ expression: '0 9 * * 1-5', timezone: 'America/New_York' });
    // 2030-01-01 is a Tuesday; 09:00 in New York is 14:00 UTC in winter.
    expect(preview.fires).toEqual([{ at: new Date('2030-01-01T14:00:00.000Z'), local: '2030-01-01T09:00:00.000-05:00' }]);
  });

  it('rejects a config with the issues of create', async () => {
    const config = { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 };

    const preview = await rejection(t.caller.schedules.previewConfig({ schedule_type: 'WINDOW', schedule_config: config }));
    const create = await rejection(t.caller.schedules.create({ target_id: targetId, schedule_type: 'WINDOW', schedule_config: config }));

    expect(issuesOf(preview)).toEqual([
      { loc: ['schedule_config', 'interval_seconds'], msg: 'Rate (Interval 3600s) cannot be greater than the Window duration', type: 'value_error' },
    ]);
    expect(issuesOf(preview)).toEqual(issuesOf(create));
  });

  it('rejects missing fields, an unknown zone and a bad count', async () => {
    const missing = await rejection(t.caller.schedules.previewConfig({ schedule_config: {} } as never));
    expect(issuesOf(missing)).toContainEqual({ loc: ['schedule_type'], msg: 'Field required', type: 'missing' });

    const zone = await rejection(t.caller.schedules.previewConfig({ schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 }, timezone: 'Mars/Olympus' }));
    expect(issuesOf(zone)[0]?.loc).toEqual(['timezone']);

    const count = await rejection(t.caller.schedules.previewConfig({ schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 }, count: 1001 }));
    expect(issuesOf(count)[0]?.loc).toEqual(['count']);
  });

  it('rejects an unknown zone inside a CRON config at that field', async () => {
    const error = await rejection(t.caller.schedules.previewConfig({ schedule_type: 'CRON', schedule_config: { expression: '* * * * *', timezone: 'Mars/Olympus' } }));

    expect(issuesOf(error)).toEqual([
      { loc: ['schedule_config', 'timezone'], msg: 'Unknown time zone "Mars/Olympus": use an IANA name such as UTC or Europe/Berlin', type: 'timezone_error' },
    ]);
  });

  it('stores nothing', async () => {
    await t.caller.schedules.previewConfig({ schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 } });

    expect((await t.caller.schedules.list({})).items).toEqual([]);
    expect(t.wakes()).toBe(0);
  });
});
