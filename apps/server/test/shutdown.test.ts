import { existsSync, statSync } from 'node:fs';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ServerProcess, waitFor } from './support/server-process.js';
import { TargetServer } from './support/target-server.js';

let target: TargetServer;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  target = await new TargetServer().start();
  // Holds every request open until the test ends.
  target.on('/hang', () => {});
});

afterAll(async () => {
  await target.stop();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s records the request in flight as INTERRUPTED and exits 0', async (signal) => {
    const server = new ServerProcess({ SCHEDULER_SHUTDOWN_GRACE_MS: '700' });
    servers.push(server);
    await server.start();

    const created = await server.request('POST', '/targets/', { url: `${target.url}/hang`, timeout_ms: 60_000 });
    const schedule = await server.request('POST', '/schedules/', {
      target_id: created.body.id,
      schedule_type: 'ONCE',
      schedule_config: { run_at: 'now' },
    });
    const [run] = await waitFor(
      async () => {
        const runs = (await server.request('GET', `/runs/?schedule_id=${schedule.body.id}`)).body as any[];
        return runs.length === 1 ? runs : null;
      },
      5_000,
      'the run to start',
    );
    expect(run.status).toBe('RUNNING');

    const stopStarted = Date.now();
    const code = await server.stop(signal);
    const stopMs = Date.now() - stopStarted;
    expect(code).toBe(0);
    // It waited for the grace period, and not much longer.
    expect(stopMs).toBeGreaterThanOrEqual(600);
    expect(stopMs).toBeLessThan(10_000);

    // The database was closed cleanly: SQLite removes or empties its WAL file on the last close.
    const wal = `${server.databaseUrl.slice('file:'.length)}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);

    await server.start();
    const after = (await server.request('GET', `/runs/${run.id}`)).body;
    expect(after.status).toBe('FAILURE');
    expect(after.error_type).toBe('INTERRUPTED');
    expect(after.error_message).toMatch(/stopped/);
    const logs = server.logs.map((line) => line.msg);
    expect(logs).toContain('received signal');
    expect(logs).toContain('stopped');
  });
});
