import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TargetServer } from '../../../apps/server/test/support/target-server.js';
import { SchedulerClientError, createSchedulerClient, createTargetAndSchedule, iterateRunPages, iterateRuns, waitForNextRun } from '../src/index.js';
import type { SchedulerClient } from '../src/index.js';
import { startServerWithKeys } from './support/server-with-keys.js';
import type { ServerWithKeys } from './support/server-with-keys.js';

let setup: ServerWithKeys;
let target: TargetServer;
let client: SchedulerClient;

beforeAll(async () => {
  target = await new TargetServer().start();
  setup = await startServerWithKeys();
  client = createSchedulerClient({ url: setup.trpcUrl, apiKey: setup.writeKey });
});

afterAll(async () => {
  await setup?.server.dispose();
  await target?.stop();
});

/** Creates a target at `path` of the local target server and an hourly schedule, which fires only when triggered during a test. */
function hourlySchedule(path: string) {
  return createTargetAndSchedule(client, {
    target: { url: `${target.url}${path}`, method: 'POST', body_template: '{"from":"client test"}' },
    schedule: { schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 3600 }, name: path },
  });
}

describe('createTargetAndSchedule', () => {
  it('creates a target and its schedule', async () => {
    const { target: created, schedule } = await hourlySchedule('/pair');

    expect(schedule.target_id).toBe(created.id);
    expect(created.url).toBe(`${target.url}/pair`);
    expect(schedule.status).toBe('ACTIVE');
    expect(schedule.next_run_at).toBeInstanceOf(Date);
    expect((await client.targets.get.query({ id: created.id })).name).toBe(created.name);
  });

  it('deletes the target when the schedule is rejected', async () => {
    const before = await client.targets.list.query({ limit: 1000 });
    const failure = await createTargetAndSchedule(client, {
      target: { url: `${target.url}/rejected`, method: 'GET', name: 'rejected schedule' },
      schedule: { schedule_type: 'CRON', schedule_config: { expression: 'not a cron expression' } },
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SchedulerClientError);
    expect((failure as SchedulerClientError).code).toBe('UNPROCESSABLE_CONTENT');
    expect(Object.keys((failure as SchedulerClientError).fieldErrors)).toContain('schedule_config.expression');
    const after = await client.targets.list.query({ limit: 1000 });
    expect(after.items.map((item) => item.id).sort()).toEqual(before.items.map((item) => item.id).sort());
  });
});

describe('waitForNextRun', () => {
  it('triggers and returns the finished run', async () => {
    const { schedule } = await hourlySchedule('/triggered');

    const run = await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 10_000 });

    expect(run.schedule_id).toBe(schedule.id);
    expect(run.manual).toBe(true);
    expect(run.status).toBe('SUCCESS');
    expect(run.status_code).toBe(200);
    expect(run.finished_at).toBeInstanceOf(Date);
    expect(target.requestsTo('/triggered')).toHaveLength(1);
  });

  it('returns the next scheduled run', async () => {
    const { schedule } = await createTargetAndSchedule(client, {
      target: { url: `${target.url}/every-second`, method: 'GET' },
      schedule: { schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 1 } },
    });

    const run = await waitForNextRun(client, schedule.id, { timeoutMs: 10_000 });
    await client.schedules.pause.mutate({ id: schedule.id });

    expect(run.schedule_id).toBe(schedule.id);
    expect(run.manual).toBe(false);
    expect(run.status).toBe('SUCCESS');
  });

  it('rejects with TIMEOUT when no run finishes', async () => {
    const { schedule } = await hourlySchedule('/quiet');
    const startedAt = Date.now();

    const failure = await waitForNextRun(client, schedule.id, { timeoutMs: 500 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SchedulerClientError);
    expect((failure as SchedulerClientError).code).toBe('TIMEOUT');
    expect((failure as SchedulerClientError).status).toBeNull();
    expect((failure as SchedulerClientError).message).toBe(`No run of schedule ${schedule.id} finished within 500 ms`);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
  });

  it('rejects an unknown schedule at once', async () => {
    const startedAt = Date.now();

    const failure = await waitForNextRun(client, 'no-such-schedule', { timeoutMs: 30_000 }).catch((error: unknown) => error);

    expect((failure as SchedulerClientError).code).toBe('NOT_FOUND');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('rejects with the abort reason', async () => {
    const { schedule } = await hourlySchedule('/aborted');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the test')), 200);

    const failure = await waitForNextRun(client, schedule.id, { signal: controller.signal }).catch((error: unknown) => error);

    expect((failure as Error).message).toBe('stopped by the test');
  });

  it('rejects a timeout that is not positive', async () => {
    await expect(waitForNextRun(client, 'any', { timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number/);
  });
});

describe('iterateRunPages', () => {
  it('follows the cursor to the last page', async () => {
    const { schedule } = await hourlySchedule('/paged');
    for (let index = 0; index < 5; index += 1) {
      await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 10_000 });
    }
    const listed = await client.runs.list.query({ schedule_id: schedule.id, limit: 100 });

    const pages: string[][] = [];
    for await (const page of iterateRunPages(client, { schedule_id: schedule.id, limit: 2 })) {
      pages.push(page.map((run) => run.id));
    }

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(listed.items.map((run) => run.id));
  });

  it('yields nothing for a filter without runs', async () => {
    const pages = [];
    for await (const page of iterateRunPages(client, { schedule_id: 'no-such-schedule' })) pages.push(page);

    expect(pages).toEqual([]);
  });
});

describe('iterateRuns', () => {
  it('yields every run newest first', async () => {
    const { schedule } = await hourlySchedule('/iterated');
    const triggered: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      triggered.push((await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 10_000 })).id);
    }

    const runs = [];
    for await (const run of iterateRuns(client, { schedule_id: schedule.id, limit: 1 })) runs.push(run);

    expect(runs.map((run) => run.id)).toEqual([...triggered].reverse());
    expect(runs.every((run) => run.started_at instanceof Date)).toBe(true);
  });

  it('stops reading pages when the loop breaks', async () => {
    const requests: string[] = [];
    const countingClient = createSchedulerClient({
      url: setup.trpcUrl,
      apiKey: setup.readKey,
      fetch: async (input, init) => {
        requests.push(String(input));
        return fetch(input, init);
      },
    });

    for await (const run of iterateRuns(countingClient, { limit: 1 })) {
      expect(run.id).toBeTypeOf('string');
      break;
    }

    expect(requests).toHaveLength(1);
  });
});
