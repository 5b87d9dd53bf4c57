import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLibsqlStore } from '@api-scheduler/db';
import type { Run, Schedule } from '@api-scheduler/core';

import { ServerProcess, sleep, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

const SCHEDULES = 200;
const KILLS = 10;
const INTERVAL_MS = 1_000;

// A seeded generator, so a failing run can be repeated with the same kill times.
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

let target: TargetServer;
let server: ServerProcess;

beforeAll(async () => {
  target = await new TargetServer().start();
  server = new ServerProcess();
});

afterAll(async () => {
  await server.dispose();
  await target.stop();
});

describe('crash safety', () => {
  it('survives SIGKILL at random moments with nothing lost or doubled', { timeout: 180_000 }, async () => {
    const seed = Number(process.env.CRASH_TEST_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const context = `seed ${seed} (set CRASH_TEST_SEED to repeat)`;

    await server.start();
    const created = await server.request('POST', '/targets/', { url: `${target.url}/burst` });
    const schedulesBefore: any[] = [];
    for (let i = 0; i < SCHEDULES; i += 1) {
      const response = await server.request('POST', '/schedules/', {
        target_id: created.body.id,
        name: `burst ${i}`,
        schedule_type: 'INTERVAL',
        schedule_config: { interval_seconds: 1, start_time: 'now + 2 seconds' },
        overlap_policy: 'allow',
      });
      expect(response.status, context).toBe(201);
      schedulesBefore.push(response.body);
    }

    for (let kill = 0; kill < KILLS; kill += 1) {
      await sleep(2_500 + random() * 3_500);
      await server.stop('SIGKILL');
      await sleep(200 + random() * 1_300);
      await server.start();

      // Runs of the dead process become FAILURE / INTERRUPTED before the API answers.
      const running = (await server.request('GET', '/runs/?status=RUNNING&limit=1000')).body as any[];
      const current = server.logs.filter((line) => line.msg === 'API Scheduler is listening').at(-1)?.instance_id;
      const orphans = running.filter((run) => run.instance_id !== current);
      expect(orphans, `${context}: runs left RUNNING after restart ${kill + 1}`).toEqual([]);
    }

    await sleep(2_000);
    expect(await server.stop('SIGTERM'), context).toBe(0);

    const store = await createLibsqlStore({ url: server.databaseUrl });
    try {
      const schedules = await allSchedules(store);
      const runs = await allRuns(store);

      expect(runs.filter((run) => run.status === 'RUNNING'), context).toEqual([]);

      const keys = runs.map((run) => `${run.schedule_id}|${run.scheduled_for.getTime()}|${run.attempt}`);
      expect(new Set(keys).size, `${context}: a (schedule, scheduled_for, attempt) appears twice`).toBe(keys.length);

      // No schedule is lost or changed: the same ids, targets, configs and policies.
      expect(schedules, context).toHaveLength(SCHEDULES);
      for (const before of schedulesBefore) {
        const after = schedules.find((schedule) => schedule.id === before.id);
        expect(after, `${context}: schedule ${before.id} is missing`).toBeDefined();
        expect(after!.status).toBe('ACTIVE');
        expect(after!.target_id).toBe(before.target_id);
        expect(after!.schedule_config).toEqual(before.schedule_config);
        expect(after!.overlap_policy).toBe('allow');
      }

      // Every planned slot up to next_run_at has a run or is counted by a catch-up run's missed_count.
      let slotsChecked = 0;
      for (const schedule of schedules) {
        const own = runs.filter((run) => run.schedule_id === schedule.id);
        const covered = new Set(own.map((run) => run.scheduled_for.getTime()));
        for (const run of own.filter((each) => each.catch_up)) {
          for (let k = 1; k <= run.missed_count; k += 1) covered.add(run.scheduled_for.getTime() - k * INTERVAL_MS);
        }
        const first = Date.parse((schedule.schedule_config as { start_time: string }).start_time);
        for (let slot = first; slot < schedule.next_run_at!.getTime(); slot += INTERVAL_MS) {
          expect(covered.has(slot), `${context}: slot ${new Date(slot).toISOString()} of ${schedule.id} has no run`).toBe(true);
          slotsChecked += 1;
        }
      }
      expect(slotsChecked).toBeGreaterThan(SCHEDULES * 30);

      // The database itself refuses a second run for a slot, not only the code.
      const sample = runs[0]!;
      await expect(store.insertRun({ ...sample, id: '01900000-0000-7000-8000-00000000ffff' })).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});

async function allSchedules(store: Awaited<ReturnType<typeof createLibsqlStore>>): Promise<Schedule[]> {
  const result: Schedule[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listSchedules({ limit: 1000, ...(cursor ? { cursor } : {}) });
    result.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return result;
}

async function allRuns(store: Awaited<ReturnType<typeof createLibsqlStore>>): Promise<Run[]> {
  const result: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 1000, ...(cursor ? { cursor } : {}) });
    result.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return result;
}

export { waitFor };
