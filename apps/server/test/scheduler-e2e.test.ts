import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import type { ServerProcess } from './support/server-process.js';
import { sleep, waitFor } from './support/server-process.js';

// Real-time tests: the bounds are generous on purpose, because the machine
// may be busy; precision is measured by the benchmarks, not here.
const ON_TIME_MS = 500;

const { target, startServer } = useEndToEnd();

async function createTarget(server: ServerProcess, path: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await server.request('POST', '/targets/', { url: `${target().url}${path}`, method: 'POST', body_template: '{"hello":"world"}', ...extra });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** The planned instant a request was sent for, from its Idempotency-Key (schedule id and Unix ms). */
function plannedInstant(headers: Record<string, string | string[] | undefined>): number {
  const key = String(headers['idempotency-key']);
  return Number(key.slice(key.lastIndexOf(':') + 1));
}

describe('scheduler end to end', () => {
  it('fires an INTERVAL schedule on its grid', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/interval');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 2 },
    });
    expect(created.status).toBe(201);
    expect(created.body.schedule_id).toBe(created.body.id);
    const scheduleId = created.body.id as string;
    const start = Date.parse(created.body.schedule_config.start_time);

    const runs = await waitFor(
      async () => {
        const finished = (await server.runsOf(scheduleId)).filter((run) => run.status !== 'RUNNING');
        return finished.length >= 3 ? finished : null;
      },
      15_000,
      'three finished runs',
    );

    for (const run of runs) {
      expect(run.status).toBe('SUCCESS');
      expect(run.status_code).toBe(200);
      expect(typeof run.latency_ms).toBe('number');
      expect(run.run_id).toBe(run.id);
      expect(run.scheduled_for).toMatch(/Z$/);
      expect((Date.parse(run.scheduled_for) - start) % 2000).toBe(0);
      expect(Date.parse(run.started_at)).toBeGreaterThanOrEqual(Date.parse(run.scheduled_for));
      expect(Date.parse(run.started_at) - Date.parse(run.scheduled_for)).toBeLessThan(ON_TIME_MS);
    }

    const requests = target().requestsTo('/interval');
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.body).toBe('{"hello":"world"}');
      const lateness = request.receivedAt - plannedInstant(request.headers);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(ON_TIME_MS);
    }
  });

  it('completes a WINDOW schedule after max_runs', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/window');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 1, max_runs: 3 },
    });
    expect(created.status).toBe(201);
    const scheduleId = created.body.id as string;

    const schedule = await waitFor(
      async () => {
        const response = await server.request('GET', `/schedules/${scheduleId}`);
        return response.body.status === 'COMPLETED' ? response.body : null;
      },
      10_000,
      'the WINDOW schedule to complete',
    );
    expect(schedule.run_count).toBe(3);
    expect(schedule.next_run_at).toBeNull();

    // Wait past where a fourth fire would have been.
    await sleep(1_500);
    const runs = await server.runsOf(scheduleId);
    expect(runs).toHaveLength(3);
    expect(target().requestsTo('/window')).toHaveLength(3);
  });

  it('rejects a WINDOW whose interval exceeds the window', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/too-long');
    const response = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 },
    });
    expect(response.status).toBe(422);
    expect(response.body.detail[0].msg).toBe('Rate (Interval 3600s) cannot be greater than the Window duration');
  });

  it('catches up once after a restart and keeps the grid', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/restart');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 3, start_time: 'now + 1 second' },
    });
    const scheduleId = created.body.id as string;
    const start = Date.parse(created.body.schedule_config.start_time);

    await waitFor(async () => (await server.runsOf(scheduleId)).some((run) => run.status === 'SUCCESS'), 10_000, 'the first run');
    expect(await server.stop('SIGTERM')).toBe(0);
    const stoppedAt = Date.now();

    // Stay down across at least two planned slots.
    await sleep(6_500);
    const missedSlots = Math.floor((Date.now() - start) / 3000) - Math.floor((stoppedAt - start) / 3000);
    expect(missedSlots).toBeGreaterThanOrEqual(2);

    await server.start();
    const catchUp = await waitFor(
      async () => (await server.runsOf(scheduleId)).find((run) => run.catch_up === true && run.status !== 'RUNNING'),
      5_000,
      'the catch-up run',
    );
    expect(Date.parse(catchUp.started_at) - server.listeningAt).toBeLessThan(1_000);
    expect(catchUp.missed_count).toBeGreaterThanOrEqual(1);
    expect((Date.parse(catchUp.scheduled_for) - start) % 3000).toBe(0);

    // The next regular fire is on the original grid and not a catch-up.
    const regular = await waitFor(
      async () =>
        (await server.runsOf(scheduleId)).find(
          (run) => run.catch_up === false && Date.parse(run.scheduled_for) > Date.parse(catchUp.scheduled_for) && run.status !== 'RUNNING',
        ),
      8_000,
      'a regular run after the catch-up',
    );
    expect((Date.parse(regular.scheduled_for) - start) % 3000).toBe(0);
    expect(Date.parse(regular.scheduled_for) - Date.parse(catchUp.scheduled_for)).toBe(3000);

    const catchUps = (await server.runsOf(scheduleId)).filter((run) => run.catch_up === true);
    expect(catchUps).toHaveLength(1);
  });

  it('keeps other fires on time while a target is slow', async () => {
    target().on('/slow', (_request, response) => {
      setTimeout(() => {
        response.writeHead(200);
        response.end('slow');
      }, 5_000);
    });
    const server = await startServer();
    const slowTarget = await createTarget(server, '/slow', { timeout_ms: 20_000 });
    const fastTarget = await createTarget(server, '/fast');

    await server.request('POST', '/schedules/', {
      target_id: slowTarget,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 1, start_time: 'now + 1 second' },
      overlap_policy: 'allow',
    });
    const fast = await server.request('POST', '/schedules/', {
      target_id: fastTarget,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 1, start_time: 'now + 1 second' },
    });
    expect(fast.status).toBe(201);

    // Six seconds in, the slow target holds about five requests open at once.
    await sleep(6_500);
    expect(target().requestsTo('/slow').length).toBeGreaterThanOrEqual(5);

    const fastRequests = target().requestsTo('/fast');
    expect(fastRequests.length).toBeGreaterThanOrEqual(5);
    for (const request of fastRequests) {
      const lateness = request.receivedAt - plannedInstant(request.headers);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(100);
    }
  });
});
