import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { chooseLogFormat } from '../src/logger.js';
import { useEndToEnd } from './support/end-to-end.js';
import { sleep, waitFor } from './support/server-process.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

// Every secret value of the test contains this marker, so one search covers them all.
const SECRET_MARKER = 's3cr3t';
const AUTHORIZATION = `Bearer ${SECRET_MARKER}-value`;
const TOKEN_HEADER = `${SECRET_MARKER}-token-value`;
const SIGNING_SECRET = `${SECRET_MARKER}-signing-secret-0123456789`;
const RETRY_POLICY = { max_retries: 1, initial_delay_ms: 50, max_delay_ms: 50, multiplier: 1, jitter: 'none', retry_non_idempotent_timeouts: false };
// pino's numeric levels.
const WARN = 40;

const { target, startServer } = useEndToEnd();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Parses every line as JSON and fails on the first line that is not a JSON object. */
function parseLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${index + 1} is not JSON: ${line}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`stdout line ${index + 1} is not a JSON object: ${line}`);
    return parsed as Record<string, unknown>;
  });
}

describe('server logs', () => {
  it('logs start, runs, retries and stop as JSON lines without secrets', async () => {
    // Odd requests fail with 503 and even ones succeed, so every fire fails once and its retry succeeds.
    let requests = 0;
    target().on('/logs-flaky', (_request, response) => {
      requests += 1;
      response.writeHead(requests % 2 === 1 ? 503 : 200, { 'content-type': 'text/plain' });
      response.end(requests % 2 === 1 ? 'try again' : 'ok');
    });
    const server = await startServer({ LOG_LEVEL: 'trace' });

    const createdTarget = await server.request('POST', '/targets/', {
      url: `${target().url}/logs-flaky`,
      method: 'POST',
      body_template: '{"hello": "world"}',
      headers: { Authorization: AUTHORIZATION, 'X-Api-Token': TOKEN_HEADER },
      signing_secret: SIGNING_SECRET,
    });
    expect(createdTarget.status).toBe(201);
    const schedule = await server.request('POST', '/schedules/', {
      target_id: createdTarget.body.id,
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 1, start_time: 'now' },
      retry_policy: RETRY_POLICY,
    });
    expect(schedule.status).toBe(201);
    const scheduleId = schedule.body.id as string;

    await waitFor(async () => (await server.runsOf(scheduleId)).filter((run) => run.attempt === 2 && run.status === 'SUCCESS').length >= 2, 15_000, 'two fires that succeeded on retry');
    expect((await server.request('POST', `/schedules/${scheduleId}/trigger`)).status).toBe(202);
    expect((await server.request('POST', `/schedules/${scheduleId}/pause`)).status).toBe(200);

    // Wait until no run is in flight and no retry is waiting: the run list stops changing.
    let runs: any[] = [];
    await waitFor(
      async () => {
        const before = await server.runsOf(scheduleId);
        await sleep(500);
        runs = await server.runsOf(scheduleId);
        return runs.length === before.length && runs.every((run) => run.status !== 'RUNNING');
      },
      15_000,
      'the runs to settle',
    );

    // An API key and a rejected guess of one: neither may reach the log.
    const key = await server.request('POST', '/keys/', { name: 'logs test', scope: 'read' });
    expect(key.status).toBe(201);
    const apiKey = key.body.key as string;
    expect((await fetch(`${server.url}/runs/?limit=1`, { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(200);
    const wrongKey = `${apiKey.slice(0, -4)}AAAA`;
    expect((await fetch(`${server.url}/runs/?limit=1`, { headers: { authorization: `Bearer ${wrongKey}` } })).status).toBe(401);

    expect(await server.stop('SIGTERM')).toBe(0);
    await waitFor(async () => server.stdoutLines.some((line) => line.includes('"msg":"stopped"')), 5_000, 'the stop line');
    const lines = parseLines(server.stdoutLines);

    // Start and stop.
    const startIndex = lines.findIndex((line) => line.msg === 'API Scheduler is listening');
    const stopIndex = lines.findIndex((line) => line.msg === 'stopped');
    expect(startIndex).toBeGreaterThanOrEqual(0);
    expect(lines[startIndex]!.url).toBe(server.url);
    expect(lines.some((line) => line.msg === 'received signal' && line.signal === 'SIGTERM')).toBe(true);
    expect(stopIndex).toBe(lines.length - 1);

    // Exactly one line per run, with its ids, attempt, status and latency.
    const runLines = lines.filter((line) => line.msg === 'run finished' && line.schedule_id === scheduleId);
    expect(runLines.map((line) => line.run_id).sort()).toEqual(runs.map((run) => run.id).sort());
    for (const run of runs) {
      const line = runLines.find((candidate) => candidate.run_id === run.id)!;
      expect(line.level, run.id).toBe(30);
      expect(line.schedule_id, run.id).toBe(scheduleId);
      expect(line.target_id, run.id).toBe(createdTarget.body.id);
      expect(line.attempt, run.id).toBe(run.attempt);
      expect(line.status, run.id).toBe(run.status);
      expect(line.status_code, run.id).toBe(run.status_code);
      expect(line.latency_ms, run.id).toBe(run.latency_ms);
      expect(line.error_type, run.id).toBe(run.error_type);
      expect(line.manual, run.id).toBe(run.manual);
    }
    expect(runLines.some((line) => line.status === 'FAILURE' && line.error_type === 'HTTP_5XX' && line.attempt === 1)).toBe(true);
    expect(runLines.some((line) => line.status === 'SUCCESS' && line.attempt === 2)).toBe(true);
    expect(runLines.some((line) => line.manual === true)).toBe(true);
    expect(lines.some((line) => line.msg === 'retrying run' && line.schedule_id === scheduleId && line.attempt === 1)).toBe(true);

    // No secret value in any line, at any level.
    for (const [index, text] of server.stdoutLines.entries()) {
      expect(text, `line ${index + 1}`).not.toContain(SECRET_MARKER);
      expect(text, `line ${index + 1}`).not.toContain(apiKey);
      expect(text, `line ${index + 1}`).not.toContain(wrongKey);
    }
  });

  it('keeps info lines out at LOG_LEVEL=warn', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'logs-test-'));
    const child = spawn(process.execPath, [cli, 'serve'], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: `file:${join(dataDir, 'scheduler.db')}`,
        LOG_LEVEL: 'warn',
        SCHEDULER_ALLOW_PRIVATE_TARGETS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;

    try {
      await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true, 15_000, 'the server to listen');
      const createdTarget = (await (await fetch(`${url}/targets/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${target().url}/logs-quiet` }) })).json()) as { id: string };
      const schedule = await fetch(`${url}/schedules/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target_id: createdTarget.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 1, start_time: 'now' } }),
      });
      expect(schedule.status).toBe(201);
      const scheduleId = ((await schedule.json()) as { id: string }).id;
      await waitFor(async () => ((await (await fetch(`${url}/runs/?schedule_id=${scheduleId}`)).json()) as unknown[]).length >= 2, 10_000, 'two runs');

      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }

    const lines = parseLines(stdout.trimEnd().split('\n'));
    // The loopback server without API keys logs one warning at start, so the output is not empty.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.level, String(line.msg)).toBeGreaterThanOrEqual(WARN);
    expect(lines.some((line) => line.msg === 'run finished')).toBe(false);
    expect(lines.some((line) => line.msg === 'API Scheduler is listening')).toBe(false);
  });

  it('rejects an invalid LOG_LEVEL at start', () => {
    const result = spawnSync(process.execPath, [cli, 'serve'], {
      env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: 'file:/nonexistent/never-opened.db', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('chooseLogFormat', () => {
  it.each([
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    [true, false, 'pretty'],
    [true, true, 'pretty'],
    [false, true, 'json'],
    [false, false, 'json'],
  ] as const)('LOG_PRETTY=%s with a terminal=%s gives %s', (setting, terminal, expected) => {
    expect(chooseLogFormat(setting, terminal)).toBe(expected);
  });
});
