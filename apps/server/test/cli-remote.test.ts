import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerProcess } from './support/server-process.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let server: ServerProcess;
let readKey: string;
let writeKey: string;

/**
 * Runs the CLI asynchronously, because a synchronous spawn would block the
 * event loop that reads the server's log lines.
 */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function createKey(scope: string): string {
  const result = spawnSync(process.execPath, [cli, 'keys', 'create', '--name', `cli test ${scope}`, '--scope', scope], {
    env: { PATH: process.env.PATH, DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const key = result.stdout.split('\n').find((line) => line.startsWith('sk_'));
  if (result.status !== 0 || key === undefined) throw new Error(`keys create failed: ${result.stderr}`);
  return key;
}

beforeAll(async () => {
  server = new ServerProcess();
  // Keys exist before the server starts, so it requires them from its first request.
  const migrated = spawnSync(process.execPath, [cli, 'migrate'], { env: { PATH: process.env.PATH, DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'warn' }, timeout: 30_000 });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  readKey = createKey('read');
  writeKey = createKey('write');
  await server.start();
}, 60_000);

afterAll(async () => {
  await server?.dispose();
});

describe('api-scheduler targets and schedules', () => {
  it('creates, lists, pauses, resumes and triggers', async () => {
    const target = await runCli(['targets', 'create', '--url', server.url, '--key', writeKey, '--data', JSON.stringify({ url: 'http://127.0.0.1:9/hook', method: 'GET' })]);
    expect(target.stderr).toBe('');
    expect(target.code).toBe(0);
    const targetId = JSON.parse(target.stdout).id as string;

    const schedule = await runCli(['schedules', 'create', '--url', server.url, '--data', JSON.stringify({ target_id: targetId, name: 'hourly', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 3600 } })], { SCHEDULER_API_KEY: writeKey });
    expect(schedule.stderr).toBe('');
    expect(schedule.code).toBe(0);
    const scheduleId = JSON.parse(schedule.stdout).id as string;

    const targets = await runCli(['targets', 'list', '--url', server.url, '--key', readKey]);
    expect(targets.code).toBe(0);
    expect(JSON.parse(targets.stdout).map((item: { id: string }) => item.id)).toEqual([targetId]);

    const paused = await runCli(['schedules', 'pause', scheduleId, '--url', server.url, '--key', writeKey]);
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout).status).toBe('PAUSED');

    const schedules = await runCli(['schedules', 'list', '--url', server.url, '--key', readKey]);
    expect(schedules.code).toBe(0);
    expect(JSON.parse(schedules.stdout).map((item: { id: string; status: string }) => [item.id, item.status])).toEqual([[scheduleId, 'PAUSED']]);

    const resumed = await runCli(['schedules', 'resume', scheduleId, '--url', server.url, '--key', writeKey]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('ACTIVE');

    const triggered = await runCli(['schedules', 'trigger', scheduleId, '--url', server.url, '--key', writeKey]);
    expect(triggered.code).toBe(0);
    expect(JSON.parse(triggered.stdout).schedule_id).toBe(scheduleId);
  });

  it('exits 3 without a key', async () => {
    const result = await runCli(['targets', 'list', '--url', server.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('HTTP 401');
    expect(result.stderr).toContain('SCHEDULER_API_KEY');
  });

  it('exits 3 for a read key that writes', async () => {
    const result = await runCli(['targets', 'create', '--url', server.url, '--key', readKey, '--data', '{"url": "http://127.0.0.1:9/"}']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('HTTP 403');
    expect(result.stderr).not.toContain(readKey);
  });

  it('exits 3 for an unknown schedule', async () => {
    const result = await runCli(['schedules', 'pause', 'no-such-id', '--url', server.url, '--key', writeKey]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('HTTP 404');
  });

  it('exits 2 for an invalid body', async () => {
    const result = await runCli(['targets', 'create', '--url', server.url, '--key', writeKey, '--data', '{"url": "ftp://x"}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ftp');
  });

  it.each([
    [['targets'], 'targets needs one of list, create'],
    [['schedules', 'stop'], '(got "stop")'],
    [['schedules', 'pause'], 'needs the ID of the schedule'],
    [['targets', 'list', 'extra'], 'Unexpected argument "extra"'],
    [['targets', 'create', '--data', '{'], '--data is not valid JSON'],
    [['targets', 'list', '--url', 'ftp://host'], '--url must be an absolute http:// or https:// URL'],
  ])('exits 2 for usage %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 1 when no server listens', async () => {
    // Port 1 on loopback, where nothing listens, so the connection is refused at once.
    const result = await runCli(['targets', 'list', '--url', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the server at http://127.0.0.1:1');
  });
});
