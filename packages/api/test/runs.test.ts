import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { makeRun } from './run-fixtures.js';
import { START, createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;
let targetId: string;
let scheduleId: string;

beforeEach(async () => {
  t = await createTestContext();
  targetId = (await t.caller.targets.create({ url: 'https://example.com/hook' })).id;
  scheduleId = (await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 10 } })).id;
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

describe('runs.get', () => {
  it('returns the run with both ids and masked headers', async () => {
    const run = await t.store.insertRun(makeRun(scheduleId, targetId, START + 10_000));

    const fetched = await t.caller.runs.get({ id: run.id });

    expect(fetched.run_id).toBe(run.id);
    expect(fetched.id).toBe(run.id);
    expect(fetched.schedule_id).toBe(scheduleId);
    expect(fetched.target_id).toBe(targetId);
    expect(fetched.scheduled_for).toEqual(new Date(START + 10_000));
    expect(fetched.status).toBe('SUCCESS');
    expect(fetched.request.headers).toEqual({ Authorization: '***', Accept: '*/*' });
    expect(fetched.response_headers).toEqual({ 'content-type': 'application/json', 'set-cookie': '***' });
  });

  it('leaves reserved header names of older runs out', async () => {
    const run = await t.store.insertRun(
      makeRun(scheduleId, targetId, START + 10_000, {
        response_headers: JSON.parse('{"constructor": "c", "prototype": "p", "__proto__": "x", "x-kept": "k"}') as Record<string, string>,
        request: { method: 'GET', url: 'https://example.com/hook', headers: { constructor: 'c', Accept: '*/*' } },
      }),
    );

    const fetched = await t.caller.runs.get({ id: run.id });

    expect(Object.keys(fetched.response_headers ?? {})).toEqual(['x-kept']);
    expect(Object.keys(fetched.request.headers)).toEqual(['Accept']);
  });

  it('returns NOT_FOUND naming the id', async () => {
    const error = await rejection(t.caller.runs.get({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Run missing-id was not found');
  });
});

describe('runs.list', () => {
  async function insertRuns(count: number, scheduleFor = scheduleId): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const at = START + (ids.length + 1) * 10_000 + (scheduleFor === scheduleId ? 0 : 5_000);
      ids.push((await t.store.insertRun(makeRun(scheduleFor, targetId, at))).id);
    }
    return ids;
  }

  it('pages newest first', async () => {
    const ids = await insertRuns(5);
    const newestFirst = [...ids].reverse();

    const first = await t.caller.runs.list({ limit: 2 });
    expect(first.items.map((run) => run.run_id)).toEqual(newestFirst.slice(0, 2));

    const second = await t.caller.runs.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((run) => run.run_id)).toEqual(newestFirst.slice(2, 4));

    const last = await t.caller.runs.list({ limit: 2, cursor: second.next_cursor! });
    expect(last.items.map((run) => run.run_id)).toEqual(newestFirst.slice(4));
    expect(last.next_cursor).toBeNull();
  });

  it('filters by schedule, status and time', async () => {
    const other = await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 20 } });
    const mine = await insertRuns(2);
    await insertRuns(1, other.id);
    const failed = await t.store.insertRun(
      makeRun(scheduleId, targetId, START + 100_000, { status: 'FAILURE', status_code: 503, error_type: 'HTTP_5XX', error_message: 'Service Unavailable' }),
    );

    const bySchedule = await t.caller.runs.list({ schedule_id: scheduleId });
    expect(bySchedule.items.map((run) => run.id)).toEqual([failed.id, mine[1], mine[0]]);

    const byStatus = await t.caller.runs.list({ status: 'FAILURE' });
    expect(byStatus.items.map((run) => run.id)).toEqual([failed.id]);

    const since = await t.caller.runs.list({ schedule_id: scheduleId, since: new Date(START + 20_000) });
    expect(since.items.map((run) => run.id)).toEqual([failed.id, mine[1]]);
  });

  it('rejects until before since', async () => {
    const error = await rejection(t.caller.runs.list({ since: new Date(START + 1_000), until: new Date(START) }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.message).toBe('until must not be before since');
  });

  it('rejects an impossible date in since', async () => {
    const error = await rejection(t.caller.runs.list({ since: '2026-02-30T00:00:00Z' as never }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.message).toBe('since: since must be an ISO 8601 time, such as 2026-05-01T09:00:00Z');
  });

  it('rejects a limit above the maximum', async () => {
    const error = await rejection(t.caller.runs.list({ limit: 5_000 }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
  });
});
