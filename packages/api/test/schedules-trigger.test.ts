import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';

import { appRouter } from '../src/index.js';
import { START, createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;

afterEach(async () => {
  await t.close();
});

async function setUp(options: { engine?: boolean } = {}): Promise<{ targetId: string; scheduleId: string }> {
  t = await createTestContext(options);
  const targetId = (await t.caller.targets.create({ url: 'https://example.com/hook', headers: { Authorization: 'Bearer s3cret' } })).id;
  const scheduleId = (await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } })).id;
  return { targetId, scheduleId };
}

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('schedules.trigger', () => {
  it('returns the manual run in flight', async () => {
    const { targetId, scheduleId } = await setUp();
    t.clock.advance(5_000);

    const run = await t.caller.schedules.trigger({ id: scheduleId });

    expect(t.triggers).toEqual([scheduleId]);
    expect(run).toMatchObject({
      run_id: run.id,
      schedule_id: scheduleId,
      target_id: targetId,
      scheduled_for: new Date(START + 5_000),
      attempt: 1,
      status: 'RUNNING',
      finished_at: null,
      manual: true,
      catch_up: false,
    });
    expect(run.request.headers).toEqual({ Authorization: '***' });
  });

  it('lists the run with manual true', async () => {
    const { scheduleId } = await setUp();

    const run = await t.caller.schedules.trigger({ id: scheduleId });

    const page = await t.caller.runs.list({ schedule_id: scheduleId });
    expect(page.items.map((item) => [item.id, item.manual])).toEqual([[run.id, true]]);
  });

  it('leaves next_run_at and run_count alone', async () => {
    const { scheduleId } = await setUp();
    const before = await t.caller.schedules.get({ id: scheduleId });

    await t.caller.schedules.trigger({ id: scheduleId });

    const after = await t.caller.schedules.get({ id: scheduleId });
    expect(after.next_run_at).toEqual(before.next_run_at);
    expect(after.run_count).toBe(0);
    expect(after.updated_at).toEqual(before.updated_at);
  });

  it('triggers PAUSED and COMPLETED schedules', async () => {
    const { targetId, scheduleId } = await setUp();
    await t.caller.schedules.pause({ id: scheduleId });
    const completed = await t.caller.schedules.create({
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: '2029-12-31T23:50:00Z', end_time: '2030-01-01T00:00:30Z', interval_seconds: 420 },
    });
    expect(completed.status).toBe('COMPLETED');

    const paused = await t.caller.schedules.trigger({ id: scheduleId });
    const extra = await t.caller.schedules.trigger({ id: completed.id });

    expect(paused.manual).toBe(true);
    expect(extra.schedule_id).toBe(completed.id);
    expect((await t.caller.schedules.get({ id: completed.id })).status).toBe('COMPLETED');
  });

  it('returns NOT_FOUND without calling the engine', async () => {
    await setUp();

    const error = await rejection(t.caller.schedules.trigger({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Schedule missing-id was not found');
    expect(t.triggers).toEqual([]);
  });

  it('returns SERVICE_UNAVAILABLE without an engine', async () => {
    const { scheduleId } = await setUp({ engine: false });

    const error = await rejection(t.caller.schedules.trigger({ id: scheduleId }));

    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toContain('SCHEDULER_ROLE=api');
    expect((await t.caller.runs.list({})).items).toEqual([]);
    // An expected refusal, not a failure of the server: nothing is logged.
    expect(t.logs).toEqual([]);
  });

  it('sends 503 with the message over tRPC HTTP', async () => {
    const { scheduleId } = await setUp({ engine: false });
    const request = new Request('http://localhost/trpc/schedules.trigger', {
      method: 'POST',
      body: JSON.stringify(superjson.serialize({ id: scheduleId })),
      headers: { 'content-type': 'application/json' },
    });

    const response = await fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext: () => t.ctx });

    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: never };
    const error = superjson.deserialize<{ message: string; data: { code: string } }>(body.error);
    expect(error.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toContain('no scheduler engine');
  });
});
