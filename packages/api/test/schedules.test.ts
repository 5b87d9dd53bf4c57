import { ValidationError } from '@api-scheduler/core';
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

function createInterval(seconds = 30, extra: Record<string, unknown> = {}) {
  return t.caller.schedules.create({
    target_id: targetId,
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: seconds },
    ...extra,
  });
}

describe('schedules.create', () => {
  it('plans an INTERVAL one interval after now', async () => {
    const schedule = await createInterval(30);

    expect(schedule.schedule_id).toBe(schedule.id);
    expect(schedule.target_id).toBe(targetId);
    expect(schedule.name).toBe('every 30 s');
    expect(schedule.status).toBe('ACTIVE');
    expect(schedule.schedule_config).toEqual({ interval_seconds: 30, start_time: iso(START + 30_000) });
    expect(schedule.next_run_at).toEqual(new Date(START + 30_000));
    expect(schedule.run_count).toBe(0);
    expect(schedule.last_run_at).toBeNull();
    expect(schedule.timezone).toBe('UTC');
    expect(schedule.overlap_policy).toBe('skip');
    expect(schedule.misfire_policy).toBe('fire_once');
    expect(schedule.retry_policy.max_retries).toBe(3);
    expect(t.wakes()).toBe(1);
  });

  it('names periods in their largest whole unit', async () => {
    expect((await createInterval(300)).name).toBe('every 5 min');
    expect((await createInterval(7_200)).name).toBe('every 2 h');
    expect((await createInterval(5_400)).name).toBe('every 90 min');
    expect((await createInterval(86_400)).name).toBe('every 1 d');
  });

  it('keeps a given name and policies', async () => {
    const schedule = await createInterval(60, {
      name: 'heartbeat',
      overlap_policy: 'allow',
      misfire_policy: 'skip',
      retry_policy: { max_retries: 0 },
    });

    expect(schedule.name).toBe('heartbeat');
    expect(schedule.overlap_policy).toBe('allow');
    expect(schedule.misfire_policy).toBe('skip');
    expect(schedule.retry_policy).toEqual({
      max_retries: 0,
      initial_delay_ms: 1_000,
      max_delay_ms: 60_000,
      multiplier: 2,
      jitter: 'full',
      retry_non_idempotent_timeouts: false,
    });
  });

  it('resolves a WINDOW starting now', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 10, max_runs: 3 },
    });

    expect(schedule.name).toBe('window every 10 s');
    expect(schedule.schedule_config).toEqual({
      start_time: iso(START),
      end_time: iso(START + 60_000),
      interval_seconds: 10,
      max_runs: 3,
    });
    expect(schedule.next_run_at).toEqual(new Date(START));
    expect(schedule.status).toBe('ACTIVE');
  });

  it('completes a WINDOW with no slot left', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });

    expect(schedule.status).toBe('COMPLETED');
    expect(schedule.next_run_at).toBeNull();
  });

  it('creates a PAUSED schedule without a next run', async () => {
    const schedule = await createInterval(30, { status: 'PAUSED' });

    expect(schedule.status).toBe('PAUSED');
    expect(schedule.next_run_at).toBeNull();
  });

  it('rejects an interval longer than the window', async () => {
    const error = await rejection(
      t.caller.schedules.create({
        target_id: targetId,
        schedule_type: 'WINDOW',
        schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 },
      }),
    );

    expect(issuesOf(error)).toEqual([
      {
        loc: ['schedule_config', 'interval_seconds'],
        msg: 'Rate (Interval 3600s) cannot be greater than the Window duration',
        type: 'value_error',
      },
    ]);
    expect(t.wakes()).toBe(0);
  });

  it('rejects an unknown target at target_id', async () => {
    const error = await rejection(t.caller.schedules.create({ target_id: 'nope', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 } }));

    expect(issuesOf(error)).toEqual([{ loc: ['target_id'], msg: 'Target nope was not found', type: 'not_found' }]);
  });

  it('lists the target and config issues together', async () => {
    const error = await rejection(t.caller.schedules.create({ target_id: 'nope', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 0 } }));

    const locations = issuesOf(error).map((issue) => issue.loc);
    expect(locations).toEqual([['target_id'], ['schedule_config', 'interval_seconds']]);
  });

  it('rejects an unknown time zone', async () => {
    const error = await rejection(createInterval(30, { timezone: 'Mars/Olympus' }));

    expect(issuesOf(error)[0]?.loc).toEqual(['timezone']);
  });

  it('creates a CRON in its config time zone', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * 1-5', timezone: 'Europe/London' },
    });

    expect(schedule.name).toBe('cron 0 9 * * 1-5 (Europe/London)');
    expect(schedule.timezone).toBe('Europe/London');
    expect(schedule.schedule_config).toEqual({ expression: '0 9 * * 1-5', timezone: 'Europe/London' });
    // 2030-01-01 is a Tuesday, and London keeps GMT in January.
    expect(schedule.next_run_at).toEqual(new Date('2030-01-01T09:00:00.000Z'));
    expect(schedule.status).toBe('ACTIVE');
  });

  it('gives a CRON config the top-level time zone', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * *' },
      timezone: 'Asia/Tokyo',
    });

    expect(schedule.schedule_config).toEqual({ expression: '0 9 * * *', timezone: 'Asia/Tokyo' });
    expect(schedule.next_run_at).toEqual(new Date('2030-01-01T00:00:00.000Z'));
  });

  it('reads a CRON without any time zone in UTC', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '30 6 * * *' } });

    expect(schedule.timezone).toBe('UTC');
    expect(schedule.name).toBe('cron 30 6 * * * (UTC)');
    expect(schedule.next_run_at).toEqual(new Date('2030-01-01T06:30:00.000Z'));
  });

  it('rejects CRON time zones that differ', async () => {
    const error = await rejection(
      t.caller.schedules.create({
        target_id: targetId,
        schedule_type: 'CRON',
        schedule_config: { expression: '0 9 * * *', timezone: 'Europe/London' },
        timezone: 'Europe/Paris',
      }),
    );

    const [issue] = issuesOf(error);
    expect(issue?.msg).toContain('Europe/London');
    expect(issue?.msg).toContain('Europe/Paris');
  });

  it('rejects an invalid cron expression at its field', async () => {
    const error = await rejection(t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '61 * * * *' } }));

    const issues = issuesOf(error);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.loc).toEqual(['schedule_config', 'expression']);
    expect(issues[0]?.msg).toContain('minute 61 is out of range 0-59');
  });

  it('rejects an unknown zone in a CRON config at that field', async () => {
    const error = await rejection(
      t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '* * * * *', timezone: 'Mars/Olympus' } }),
    );

    expect(issuesOf(error)[0]?.loc).toEqual(['schedule_config', 'timezone']);
  });

  it('creates a ONCE named for its instant', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'ONCE',
      schedule_config: { run_at: '2030-05-01T11:00:00' },
      timezone: 'Europe/Berlin',
    });

    expect(schedule.name).toBe('once at 2030-05-01T09:00:00.000Z');
    expect(schedule.schedule_config).toEqual({ run_at: '2030-05-01T09:00:00.000Z' });
    expect(schedule.next_run_at).toEqual(new Date('2030-05-01T09:00:00.000Z'));
    expect(schedule.status).toBe('ACTIVE');
  });

  it('reports a missing field as required', async () => {
    const error = await rejection(t.caller.schedules.create({ target_id: targetId, schedule_config: {} } as never));

    expect(issuesOf(error)).toContainEqual({ loc: ['schedule_type'], msg: 'Field required', type: 'missing' });
  });
});

describe('schedules.get and list', () => {
  it('returns NOT_FOUND naming the id', async () => {
    const error = await rejection(t.caller.schedules.get({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Schedule missing-id was not found');
  });

  it('pages oldest first and filters by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      t.clock.advance(1_000);
      ids.push((await createInterval(30 + i)).id);
    }
    await t.caller.schedules.pause({ id: ids[1]! });

    const first = await t.caller.schedules.list({ limit: 2 });
    expect(first.items.map((schedule) => schedule.id)).toEqual(ids.slice(0, 2));
    const second = await t.caller.schedules.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((schedule) => schedule.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();

    const paused = await t.caller.schedules.list({ status: 'PAUSED' });
    expect(paused.items.map((schedule) => schedule.id)).toEqual([ids[1]]);
  });
});

describe('schedules.update', () => {
  it('renames without planning again', async () => {
    const schedule = await createInterval(30);
    t.clock.advance(100_000);

    const updated = await t.caller.schedules.update({ id: schedule.id, name: 'renamed', overlap_policy: 'queue_one' });

    expect(updated.name).toBe('renamed');
    expect(updated.overlap_policy).toBe('queue_one');
    expect(updated.next_run_at).toEqual(schedule.next_run_at);
    expect(updated.updated_at).toEqual(new Date(START + 100_000));
    expect(t.wakes()).toBe(2);
  });

  it('plans a new config from now', async () => {
    const schedule = await createInterval(30);
    t.clock.advance(100_000);

    const updated = await t.caller.schedules.update({ id: schedule.id, schedule_config: { interval_seconds: 60 } });

    expect(updated.schedule_config).toEqual({ interval_seconds: 60, start_time: iso(START + 160_000) });
    expect(updated.next_run_at).toEqual(new Date(START + 160_000));
    expect(updated.status).toBe('ACTIVE');
  });

  it('changes type when given a config', async () => {
    const schedule = await createInterval(30);

    const updated = await t.caller.schedules.update({
      id: schedule.id,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now + 1 minute', end_time: 'now + 1 hour', interval_seconds: 600 },
    });

    expect(updated.schedule_type).toBe('WINDOW');
    expect(updated.next_run_at).toEqual(new Date(START + 60_000));
  });

  it('requires a config when the type changes', async () => {
    const schedule = await createInterval(30);

    const error = await rejection(t.caller.schedules.update({ id: schedule.id, schedule_type: 'WINDOW' }));

    expect(issuesOf(error)).toEqual([
      { loc: ['schedule_config'], msg: 'schedule_config is required when schedule_type changes to WINDOW', type: 'missing' },
    ]);
  });

  it('rejects an invalid config at its field', async () => {
    const schedule = await createInterval(30);

    const error = await rejection(t.caller.schedules.update({ id: schedule.id, schedule_config: { interval_seconds: -1 } }));

    expect(issuesOf(error)[0]?.loc).toEqual(['schedule_config', 'interval_seconds']);
  });

  it('rejects an unknown time zone', async () => {
    const schedule = await createInterval(30);

    const error = await rejection(t.caller.schedules.update({ id: schedule.id, timezone: 'Nowhere/City' }));

    expect(issuesOf(error)[0]?.loc).toEqual(['timezone']);
  });

  it('accepts a new time zone and keeps the grid', async () => {
    const schedule = await createInterval(30);

    const updated = await t.caller.schedules.update({ id: schedule.id, timezone: 'Europe/Berlin' });

    expect(updated.timezone).toBe('Europe/Berlin');
    expect(updated.schedule_config).toEqual(schedule.schedule_config);
    expect(updated.next_run_at).toEqual(schedule.next_run_at);
  });

  it('moves to another target and rejects an unknown one', async () => {
    const schedule = await createInterval(30);
    const other = await t.caller.targets.create({ url: 'https://example.org/' });

    const moved = await t.caller.schedules.update({ id: schedule.id, target_id: other.id });
    expect(moved.target_id).toBe(other.id);

    const error = await rejection(t.caller.schedules.update({ id: schedule.id, target_id: 'nope' }));
    expect(issuesOf(error)).toEqual([{ loc: ['target_id'], msg: 'Target nope was not found', type: 'not_found' }]);
  });

  it('reactivates a COMPLETED schedule given slots', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });
    expect(schedule.status).toBe('COMPLETED');

    const updated = await t.caller.schedules.update({
      id: schedule.id,
      schedule_config: { start_time: 'now + 10 seconds', end_time: 'now + 1 minute', interval_seconds: 10 },
    });

    expect(updated.status).toBe('ACTIVE');
    expect(updated.next_run_at).toEqual(new Date(START + 10_000));
  });

  it('counts max_runs anew for a new config', async () => {
    const config = { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60, max_runs: 3 };
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'WINDOW', schedule_config: config });
    // As the engine leaves it after the third fire.
    await t.store.updateSchedule(schedule.id, { run_count: 3, status: 'COMPLETED', next_run_at: null, updated_at: new Date(START) });

    const updated = await t.caller.schedules.update({ id: schedule.id, schedule_config: config });

    expect(updated.status).toBe('ACTIVE');
    expect(updated.run_count).toBe(0);
    expect(updated.next_run_at).toEqual(new Date(START));
  });

  it('keeps run_count when only the name changes', async () => {
    const schedule = await createInterval(30);
    await t.store.updateSchedule(schedule.id, { run_count: 7, updated_at: new Date(START) });

    const updated = await t.caller.schedules.update({ id: schedule.id, name: 'renamed' });

    expect(updated.run_count).toBe(7);
  });

  it('keeps a PAUSED schedule paused', async () => {
    const schedule = await createInterval(30, { status: 'PAUSED' });

    const updated = await t.caller.schedules.update({ id: schedule.id, schedule_config: { interval_seconds: 45 } });

    expect(updated.status).toBe('PAUSED');
    expect(updated.next_run_at).toBeNull();
    expect(updated.schedule_config).toMatchObject({ interval_seconds: 45 });
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    const error = await rejection(t.caller.schedules.update({ id: 'missing-id', name: 'x' }));

    expect(error.code).toBe('NOT_FOUND');
  });

  it('changes INTERVAL to CRON and plans from now', async () => {
    const schedule = await createInterval(30);
    t.clock.advance(3_600_000);

    const updated = await t.caller.schedules.update({ id: schedule.id, schedule_type: 'CRON', schedule_config: { expression: '15 * * * *' } });

    expect(updated.schedule_type).toBe('CRON');
    expect(updated.schedule_config).toEqual({ expression: '15 * * * *', timezone: 'UTC' });
    expect(updated.next_run_at).toEqual(new Date('2030-01-01T01:15:00.000Z'));
    expect(updated.status).toBe('ACTIVE');
  });

  it('moves a CRON to a new time zone', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *' } });
    expect(schedule.next_run_at).toEqual(new Date('2030-01-01T09:00:00.000Z'));
    t.clock.advance(60_000);

    const updated = await t.caller.schedules.update({ id: schedule.id, timezone: 'Asia/Tokyo' });

    expect(updated.timezone).toBe('Asia/Tokyo');
    expect(updated.schedule_config).toEqual({ expression: '0 9 * * *', timezone: 'Asia/Tokyo' });
    // 09:00 in Tokyo is 00:00 UTC, and 2030-01-01T00:00Z has just passed.
    expect(updated.next_run_at).toEqual(new Date('2030-01-02T00:00:00.000Z'));
    expect(updated.name).toBe(schedule.name);
  });

  it('takes a CRON config time zone as the schedule time zone', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *' } });

    const updated = await t.caller.schedules.update({ id: schedule.id, schedule_config: { expression: '0 9 * * *', timezone: 'America/New_York' } });

    expect(updated.timezone).toBe('America/New_York');
    expect(updated.next_run_at).toEqual(new Date('2030-01-01T14:00:00.000Z'));
  });

  it('rejects a CRON config time zone that differs from the patch', async () => {
    const schedule = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *' } });

    const error = await rejection(
      t.caller.schedules.update({ id: schedule.id, timezone: 'Europe/Paris', schedule_config: { expression: '0 9 * * *', timezone: 'Europe/London' } }),
    );

    expect(issuesOf(error).length).toBeGreaterThan(0);
    expect((await t.caller.schedules.get({ id: schedule.id })).timezone).toBe('UTC');
  });

  it('pauses and resumes through status', async () => {
    const schedule = await createInterval(30);

    const paused = await t.caller.schedules.update({ id: schedule.id, status: 'PAUSED' });
    expect(paused.status).toBe('PAUSED');
    expect(paused.next_run_at).toBeNull();

    t.clock.advance(95_000);
    const resumed = await t.caller.schedules.update({ id: schedule.id, status: 'ACTIVE' });
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.next_run_at).toEqual(new Date(START + 120_000));
  });

  it('pauses while changing the config', async () => {
    const schedule = await createInterval(30);

    const updated = await t.caller.schedules.update({ id: schedule.id, status: 'PAUSED', schedule_config: { interval_seconds: 90 } });

    expect(updated.status).toBe('PAUSED');
    expect(updated.next_run_at).toBeNull();
    expect(updated.schedule_config).toMatchObject({ interval_seconds: 90 });
  });

  it('rejects a status change of a COMPLETED schedule', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });

    const error = await rejection(t.caller.schedules.update({ id: schedule.id, status: 'ACTIVE' }));

    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('is COMPLETED');
  });

  it('validates every field as create does', async () => {
    const schedule = await createInterval(30);
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: '' }, ['name']],
      [{ name: 'x'.repeat(201) }, ['name']],
      [{ target_id: '' }, ['target_id']],
      [{ schedule_type: 'HOURLY' }, ['schedule_type']],
      [{ schedule_config: 'every minute' }, ['schedule_config']],
      [{ schedule_config: { interval_seconds: 0 } }, ['schedule_config', 'interval_seconds']],
      [{ schedule_config: { interval_seconds: 30, extra: 1 } }, ['schedule_config', 'extra']],
      [{ timezone: '' }, ['timezone']],
      [{ retry_policy: { max_retries: 99 } }, ['retry_policy', 'max_retries']],
      [{ retry_policy: { initial_delay_ms: 5_000, max_delay_ms: 1_000 } }, ['retry_policy', 'max_delay_ms']],
      [{ overlap_policy: 'sometimes' }, ['overlap_policy']],
      [{ misfire_policy: 'later' }, ['misfire_policy']],
      [{ status: 'COMPLETED' }, ['status']],
      [{ next_run_at: '2030-01-01T00:00:00Z' }, ['next_run_at']],
    ];

    for (const [patch, loc] of cases) {
      const error = await rejection(t.caller.schedules.update({ id: schedule.id, ...patch } as never));
      expect(issuesOf(error)[0]?.loc, JSON.stringify(patch)).toEqual(loc);
    }
    expect(await t.caller.schedules.get({ id: schedule.id })).toEqual(schedule);
  });
});

describe('schedules.pause and resume', () => {
  it('pauses an ACTIVE schedule and clears next_run_at', async () => {
    const schedule = await createInterval(30);

    const paused = await t.caller.schedules.pause({ id: schedule.id });

    expect(paused.status).toBe('PAUSED');
    expect(paused.next_run_at).toBeNull();
    expect(t.wakes()).toBe(2);
  });

  it('pauses a PAUSED schedule without change', async () => {
    const schedule = await createInterval(30, { status: 'PAUSED' });

    const paused = await t.caller.schedules.pause({ id: schedule.id });

    expect(paused.status).toBe('PAUSED');
    expect(paused.updated_at).toEqual(schedule.updated_at);
  });

  it('resumes from now, skipping the paused period', async () => {
    const schedule = await createInterval(30);
    await t.caller.schedules.pause({ id: schedule.id });
    t.clock.advance(95_000);

    const resumed = await t.caller.schedules.resume({ id: schedule.id });

    // Slots are START + 30 s·k; the first at or after START + 95 s is START + 120 s.
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.next_run_at).toEqual(new Date(START + 120_000));
    expect(t.wakes()).toBe(3);
  });

  it('resumes an ACTIVE schedule without change', async () => {
    const schedule = await createInterval(30);

    const resumed = await t.caller.schedules.resume({ id: schedule.id });

    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.next_run_at).toEqual(schedule.next_run_at);
  });

  it('completes a resumed WINDOW that has ended', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 10 },
      status: 'PAUSED',
    });
    t.clock.advance(120_000);

    const resumed = await t.caller.schedules.resume({ id: schedule.id });

    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.next_run_at).toBeNull();
  });

  it('returns CONFLICT for a COMPLETED schedule', async () => {
    const schedule = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });

    const pause = await rejection(t.caller.schedules.pause({ id: schedule.id }));
    expect(pause.code).toBe('CONFLICT');
    expect(pause.message).toBe(`Schedule ${schedule.id} is COMPLETED and cannot be paused: it has no fires left`);

    const resume = await rejection(t.caller.schedules.resume({ id: schedule.id }));
    expect(resume.code).toBe('CONFLICT');
    expect(resume.message).toContain('is COMPLETED and cannot be resumed');
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    expect((await rejection(t.caller.schedules.pause({ id: 'missing-id' }))).code).toBe('NOT_FOUND');
    expect((await rejection(t.caller.schedules.resume({ id: 'missing-id' }))).code).toBe('NOT_FOUND');
  });
});

describe('schedules.delete', () => {
  it('deletes the schedule and wakes the scheduler', async () => {
    const schedule = await createInterval(30);

    await t.caller.schedules.delete({ id: schedule.id });

    expect((await rejection(t.caller.schedules.get({ id: schedule.id }))).code).toBe('NOT_FOUND');
    expect(t.wakes()).toBe(2);
    // The target is free again.
    await expect(t.caller.targets.delete({ id: targetId })).resolves.toBeUndefined();
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    const error = await rejection(t.caller.schedules.delete({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
  });
});
