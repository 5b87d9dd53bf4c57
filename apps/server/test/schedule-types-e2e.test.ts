import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import type { ServerProcess } from './support/server-process.js';
import { sleep, waitFor } from './support/server-process.js';

const { target, startServer } = useEndToEnd();

async function createTarget(server: ServerProcess, path: string): Promise<string> {
  const response = await server.request('POST', '/targets/', { url: `${target().url}${path}` });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('schedule types end to end', () => {
  it('fires a CRON schedule with a seconds field on whole seconds', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/cron');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'CRON',
      schedule_config: { expression: '*/2 * * * * *', timezone: 'Europe/Berlin' },
    });
    expect(created.status).toBe(201);
    expect(created.body.timezone).toBe('Europe/Berlin');

    const runs = await waitFor(
      async () => {
        const finished = (await server.runsOf(created.body.id)).filter((run) => run.status === 'SUCCESS');
        return finished.length >= 2 ? finished : null;
      },
      10_000,
      'two CRON runs',
    );
    for (const run of runs) expect(Date.parse(run.scheduled_for) % 2_000).toBe(0);
  });

  it('fires a ONCE schedule once and completes it', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/once');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'ONCE',
      schedule_config: { run_at: 'now + 2 seconds' },
    });
    expect(created.status).toBe(201);
    const runAt = Date.parse(created.body.schedule_config.run_at);

    const schedule = await waitFor(
      async () => {
        const response = await server.request('GET', `/schedules/${created.body.id}`);
        return response.body.status === 'COMPLETED' ? response.body : null;
      },
      10_000,
      'the ONCE schedule to complete',
    );
    expect(schedule.next_run_at).toBeNull();
    await sleep(500);
    const runs = await server.runsOf(created.body.id);
    expect(runs).toHaveLength(1);
    expect(Date.parse(runs[0].scheduled_for)).toBe(runAt);
    expect(target().requestsTo('/once')).toHaveLength(1);
    expect(target().requestsTo('/once')[0]!.receivedAt).toBeGreaterThanOrEqual(runAt);
  });

  it('runs a schedule now without moving its grid', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/trigger');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 3600 },
    });

    const triggered = await server.request('POST', `/schedules/${created.body.id}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body.manual).toBe(true);

    const run = await waitFor(
      async () => {
        const response = await server.request('GET', `/runs/${triggered.body.id}`);
        return response.body.status === 'SUCCESS' ? response.body : null;
      },
      5_000,
      'the manual run',
    );
    expect(run.run_id).toBe(triggered.body.id);
    const after = await server.request('GET', `/schedules/${created.body.id}`);
    expect(after.body.next_run_at).toBe(created.body.next_run_at);
    expect(after.body.run_count).toBe(0);
  });

  it('previews CRON fires in local time', async () => {
    const server = await startServer();
    const targetId = await createTarget(server, '/preview');
    const created = await server.request('POST', '/schedules/', {
      target_id: targetId,
      schedule_type: 'CRON',
      schedule_config: { expression: '30 1 * * *', timezone: 'Europe/London' },
      status: 'PAUSED',
    });
    expect(created.status).toBe(201);

    const preview = await server.request('GET', `/schedules/${created.body.id}/next?count=3`);
    expect(preview.status).toBe(200);
    expect(preview.body.schedule_id).toBe(created.body.id);
    expect(preview.body.timezone).toBe('Europe/London');
    expect(preview.body.fires).toHaveLength(3);
    for (const fire of preview.body.fires) {
      expect(fire.at).toMatch(/Z$/);
      expect(fire.local).toMatch(/T01:30:00\.000\+0[01]:00$/);
    }
  });
});
