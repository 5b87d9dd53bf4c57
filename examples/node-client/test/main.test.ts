import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { createSchedulerClient } from '@api-scheduler/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TargetServer } from '../../../apps/server/test/support/target-server.js';
import { startServerWithKeys } from '../../../packages/client/test/support/server-with-keys.js';
import type { ServerWithKeys } from '../../../packages/client/test/support/server-with-keys.js';

const mainPath = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let setup: ServerWithKeys;
let target: TargetServer;

beforeAll(async () => {
  target = await new TargetServer().start();
  setup = await startServerWithKeys();
});

afterAll(async () => {
  await setup?.server.dispose();
  await target?.stop();
});

/** Runs the built example with plain Node.js, as a user would. */
function runExample(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainPath], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 45_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('node-client example', () => {
  it('creates a CRON schedule and prints its run', async () => {
    if (!existsSync(mainPath)) throw new Error(`${mainPath} is missing: build the workspace first (npm test builds it)`);

    const result = await runExample({ SCHEDULER_URL: setup.server.url, SCHEDULER_API_KEY: setup.writeKey, TARGET_URL: `${target.url}/ping` });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Created target \S+ and CRON schedule (\S+); next run at \d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    expect(lines[1]).toMatch(new RegExp(`^Run \\S+: SUCCESS, HTTP 200, \\d+(\\.\\d+)? ms, POST ${target.url}/ping$`));

    const received = target.requestsTo('/ping');
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe('POST');
    expect(received[0]!.body).toBe('{"hello": "world"}');

    const scheduleId = /CRON schedule (\S+);/.exec(lines[0]!)![1]!;
    const client = createSchedulerClient({ url: `${setup.server.url}/trpc`, apiKey: setup.readKey });
    const schedule = await client.schedules.get.query({ id: scheduleId });
    expect(schedule.schedule_type).toBe('CRON');
    expect(schedule.schedule_config).toEqual({ expression: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' });
    expect(schedule.run_count).toBe(0);
  });

  it('prints the field messages of a rejected target', async () => {
    if (!existsSync(mainPath)) throw new Error(`${mainPath} is missing: build the workspace first (npm test builds it)`);

    const result = await runExample({ SCHEDULER_URL: setup.server.url, SCHEDULER_API_KEY: setup.writeKey, TARGET_URL: 'ftp://127.0.0.1/ping' });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('(code UNPROCESSABLE_CONTENT, HTTP 422)');
    expect(result.stderr).toContain('  url: Unsupported URL scheme "ftp": only http and https are allowed');
  });
});
