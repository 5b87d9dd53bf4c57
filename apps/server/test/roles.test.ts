import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import { sleep } from './support/server-process.js';

const { target, startServer: startWithEnv } = useEndToEnd();

const startServer = (role: string) => startWithEnv({ SCHEDULER_ROLE: role });

describe('SCHEDULER_ROLE', () => {
  it('worker serves only the health endpoints', async () => {
    const server = await startServer('worker');

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const targets = await fetch(`${server.url}/targets/`);
    expect(targets.status).toBe(404);
    expect(((await targets.json()) as { detail: string }).detail).toContain('SCHEDULER_ROLE=worker');
    expect((await fetch(`${server.url}/trpc/system.health`)).status).toBe(404);
  });

  it('api serves the API but fires nothing', async () => {
    const server = await startServer('api');
    const created = await server.request('POST', '/targets/', { url: `${target().url}/api-only` });
    expect(created.status).toBe(201);
    const schedule = await server.request('POST', '/schedules/', {
      target_id: created.body.id,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 1, start_time: 'now' },
    });
    expect(schedule.status).toBe(201);

    await sleep(1_500);
    expect(target().requestsTo('/api-only')).toHaveLength(0);
    expect(server.logs.some((line) => line.msg === 'engine started')).toBe(false);
  });
});
