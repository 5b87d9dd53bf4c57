import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { schedulerWithoutEngine } from '@api-scheduler/api';
import type { ApiContext, AppRouter, SchedulerControl } from '@api-scheduler/api';
import { NotFoundError, maskHeaders, newId, systemClock } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { TRPCClientError, createTRPCClient, httpBatchLink } from '@trpc/client';
import { pino } from 'pino';
import type { Logger } from 'pino';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpServer } from '../src/http/server.js';

interface Running {
  server: Server;
  store: Store;
  base: string;
}

let folder: string;
let running: Running;
let base: string;
let wakes = 0;
/** The schedule ids passed to the stub engine's trigger, in order. */
const triggered: string[] = [];

const SECRET_FILE_CONTENT = 'outside the ui folder';
const INDEX_HTML = '<!doctype html><title>API Scheduler UI</title>';

/** Inserts the RUNNING manual run that the engine's trigger would insert, in its place, and sends nothing. */
async function insertManualRun(store: Store, scheduleId: string): Promise<Run> {
  const schedule = await store.getSchedule(scheduleId);
  if (!schedule) throw new NotFoundError('schedule', scheduleId);
  const target = await store.getTarget(schedule.target_id);
  if (!target) throw new NotFoundError('target', schedule.target_id);

  const now = Date.now();
  return store.insertRun({
    ...makeRun(schedule.id, target.id, now),
    finished_at: null,
    status: 'RUNNING',
    status_code: null,
    latency_ms: null,
    response_size: null,
    response_headers: null,
    response_body: null,
    request: { method: target.method, url: target.url, headers: maskHeaders(target.headers) },
    manual: true,
  });
}

interface StartOptions {
  logger?: Logger;
  /** False starts the server as a SCHEDULER_ROLE=api process does, without an engine. */
  engine?: boolean;
}

async function start(databaseName: string, uiDir: string | null, options: StartOptions = {}): Promise<Running> {
  const store = await createLibsqlStore({ url: pathToFileURL(join(folder, databaseName)).href });
  await store.migrate();
  const logger = options.logger ?? pino({ level: 'silent' });

  const engine: SchedulerControl = {
    wake() {
      wakes += 1;
    },
    trigger(scheduleId) {
      triggered.push(scheduleId);
      return insertManualRun(store, scheduleId);
    },
  };

  const context: ApiContext = {
    store,
    clock: systemClock,
    logger,
    scheduler: options.engine === false ? schedulerWithoutEngine : engine,
    instanceId: 'http-test',
    startedAt: Date.now(),
  };

  const server = createHttpServer({ context, uiDir, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, store, base: `http://127.0.0.1:${port}` };
}

async function stop(target: Running): Promise<void> {
  target.server.closeAllConnections();
  await new Promise<void>((resolve) => target.server.close(() => resolve()));
  await target.store.close().catch(() => undefined);
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'api-scheduler-http-'));
  const uiDir = join(folder, 'ui');
  await mkdir(join(uiDir, '_app', 'immutable'), { recursive: true });
  await writeFile(join(uiDir, 'index.html'), INDEX_HTML);
  await writeFile(join(uiDir, '_app', 'immutable', 'app.js'), 'console.log("ui");');
  await writeFile(join(folder, 'secret.txt'), SECRET_FILE_CONTENT);

  running = await start('scheduler.db', uiDir);
  base = running.base;
});

afterAll(async () => {
  await stop(running);
  await rm(folder, { recursive: true, force: true });
});

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  return fetch(`${base}${path}`, init);
}

async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Sends a request with the path exactly as written: fetch would normalize "..". */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

async function createTarget(overrides: Record<string, unknown> = {}): Promise<any> {
  const response = await send('POST', '/targets/', { url: 'https://example.com/hook', ...overrides });
  expect(response.status).toBe(201);
  return json(response);
}

async function createSchedule(targetId: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const response = await send('POST', '/schedules/', {
    target_id: targetId,
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: 30 },
    ...overrides,
  });
  expect(response.status).toBe(201);
  return json(response);
}

function makeRun(scheduleId: string, targetId: string, at: number): Run {
  return {
    id: newId(at),
    schedule_id: scheduleId,
    target_id: targetId,
    scheduled_for: new Date(at),
    attempt: 1,
    started_at: new Date(at),
    finished_at: new Date(at + 50),
    status: 'SUCCESS',
    status_code: 200,
    latency_ms: 50,
    response_size: 2,
    response_headers: { 'content-type': 'application/json' },
    response_body: '{}',
    truncated: false,
    error_type: null,
    error_message: null,
    request: { method: 'GET', url: 'https://example.com/hook', headers: {} },
    catch_up: false,
    manual: false,
    missed_count: 0,
    instance_id: 'http-test',
  };
}

/** Follows X-Next-Cursor from `path` to the last page and returns the ids of every page. */
async function collectPages(path: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await send('GET', cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    expect(response.status).toBe(200);
    const items = await json<{ id: string }[]>(response);
    expect(Array.isArray(items)).toBe(true);
    pages.push(items.map((item) => item.id));
    cursor = response.headers.get('x-next-cursor');
  } while (cursor !== null && pages.length < 20);
  return pages;
}

describe('REST targets', () => {
  it('creates with 201, Location and masked secrets', async () => {
    const response = await send('POST', '/targets/', { url: 'https://example.com/a', headers: { Authorization: 'Bearer s3cret' } });

    expect(response.status).toBe(201);
    const target = await json(response);
    expect(target.target_id).toBe(target.id);
    expect(target.headers).toEqual({ Authorization: '***' });
    expect(target.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(response.headers.get('location')).toBe(`/targets/${target.id}`);
  });

  it('gets, patches and deletes one target', async () => {
    const target = await createTarget();

    const fetched = await send('GET', `/targets/${target.id}`);
    expect(fetched.status).toBe(200);
    expect((await json(fetched)).id).toBe(target.id);

    const patched = await send('PATCH', `/targets/${target.id}`, { name: 'renamed', method: 'POST' });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ name: 'renamed', method: 'POST' });

    const deleted = await send('DELETE', `/targets/${target.id}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');

    const afterDelete = await send('GET', `/targets/${target.id}`);
    expect(afterDelete.status).toBe(404);
    expect(await json(afterDelete)).toEqual({ detail: `Target ${target.id} was not found` });
  });

  it('rejects deleting a used target with 409', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);

    const response = await send('DELETE', `/targets/${target.id}`);

    expect(response.status).toBe(409);
    const body = await json(response);
    expect(typeof body.detail).toBe('string');
    expect(body.detail).toContain(schedule.id);
  });

  it('lists as an array with and without the trailing slash', async () => {
    await createTarget();

    for (const path of ['/targets/', '/targets']) {
      const response = await send('GET', path);
      expect(response.status).toBe(200);
      expect(Array.isArray(await json(response))).toBe(true);
    }
  });

  it('pages with X-Next-Cursor', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) created.push((await createTarget({ url: `https://example.com/page/${i}` })).id);

    const pages = await collectPages('/targets/?limit=3');
    const seen = pages.flat();

    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(created));
  });
});

describe('REST schedules', () => {
  it('creates, reads, patches, pauses, resumes and deletes', async () => {
    const target = await createTarget();
    const wakesBefore = wakes;

    const schedule = await createSchedule(target.id);
    expect(schedule.schedule_id).toBe(schedule.id);
    expect(schedule.target_id).toBe(target.id);
    expect(schedule.name).toBe('every 30 s');
    expect(schedule.next_run_at).toMatch(/Z$/);
    expect(wakes).toBe(wakesBefore + 1);

    expect((await send('GET', `/schedules/${schedule.id}`)).status).toBe(200);
    const listed = await json<{ id: string }[]>(await send('GET', `/schedules/?target_id=${target.id}`));
    expect(listed.map((item) => item.id)).toEqual([schedule.id]);

    const patched = await send('PATCH', `/schedules/${schedule.id}/`, { name: 'renamed', misfire_policy: 'skip' });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ name: 'renamed', misfire_policy: 'skip' });

    const paused = await send('POST', `/schedules/${schedule.id}/pause`);
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ status: 'PAUSED', next_run_at: null });

    const resumed = await send('POST', `/schedules/${schedule.id}/resume`);
    expect(resumed.status).toBe(200);
    expect((await json(resumed)).status).toBe('ACTIVE');

    const deleted = await send('DELETE', `/schedules/${schedule.id}`);
    expect(deleted.status).toBe(204);

    const afterDelete = await send('GET', `/schedules/${schedule.id}`);
    expect(afterDelete.status).toBe(404);
    expect(await json(afterDelete)).toEqual({ detail: `Schedule ${schedule.id} was not found` });
  });

  it('rejects pausing a COMPLETED schedule with 409', async () => {
    const target = await createTarget();
    const past = new Date(Date.now() - 10 * 60_000).toISOString();
    const schedule = await createSchedule(target.id, {
      schedule_type: 'WINDOW',
      // Slots every 7 minutes from 10 minutes ago: the next would be after the end.
      schedule_config: { start_time: past, end_time: 'now + 30 seconds', interval_seconds: 420 },
    });
    expect(schedule.status).toBe('COMPLETED');

    const pause = await send('POST', `/schedules/${schedule.id}/pause`);
    expect(pause.status).toBe(409);
    expect((await json(pause)).detail).toContain('COMPLETED');

    const resume = await send('POST', `/schedules/${schedule.id}/resume`);
    expect(resume.status).toBe(409);
  });

  it('rejects an interval longer than the window with the exact message', async () => {
    const target = await createTarget();

    const response = await send('POST', '/schedules/', {
      target_id: target.id,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 },
    });

    expect(response.status).toBe(422);
    const body = await json(response);
    expect(body.detail[0].msg).toBe('Rate (Interval 3600s) cannot be greater than the Window duration');
    expect(body.detail[0].loc).toEqual(['body', 'schedule_config', 'interval_seconds']);
    expect(body.detail[0].type).toBe('value_error');
  });

  it('rejects an unknown target at body.target_id', async () => {
    const response = await send('POST', '/schedules/', { target_id: 'nope', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 } });

    expect(response.status).toBe(422);
    expect((await json(response)).detail).toEqual([{ loc: ['body', 'target_id'], msg: 'Target nope was not found', type: 'not_found' }]);
  });

  it('returns 404 for actions on an unknown id', async () => {
    for (const [method, path] of [
      ['GET', '/schedules/missing-id'],
      ['PATCH', '/schedules/missing-id'],
      ['DELETE', '/schedules/missing-id'],
      ['POST', '/schedules/missing-id/pause'],
      ['POST', '/schedules/missing-id/resume'],
      ['POST', '/schedules/missing-id/trigger'],
      ['GET', '/schedules/missing-id/next'],
    ] as const) {
      const response = await send(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await json(response)).toEqual({ detail: 'Schedule missing-id was not found' });
    }
  });
});

describe('REST input that the database or tRPC would mangle', () => {
  it('rejects reserved header names, __proto__ included', async () => {
    const before = await collectPages('/targets/');
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const body = `{"url": "https://example.com/", "headers": {"${name}": "x", "X-Ok": "y"}}`;

      const created = await send('POST', '/targets/', body);
      expect(created.status, name).toBe(422);
      expect((await json(created)).detail, name).toEqual([
        {
          loc: ['body', 'headers', name],
          msg: `Header name "${name}" is not supported: __proto__, constructor and prototype are reserved names`,
          type: 'invalid_key',
        },
      ]);
    }
    expect(await collectPages('/targets/')).toEqual(before);

    const target = await createTarget();
    const patched = await send('PATCH', `/targets/${target.id}`, '{"headers": {"__proto__": "x"}}');
    expect(patched.status).toBe(422);
    expect((await json(patched)).detail[0].loc).toEqual(['body', 'headers', '__proto__']);
  });

  it('rejects NUL in names and bodies', async () => {
    const target = await createTarget({ method: 'POST' });
    const cases: [string, string, Record<string, unknown>, (string | number)[], string][] = [
      ['POST', '/targets/', { url: 'https://example.com/', name: 'a\u0000b' }, ['body', 'name'], 'Name may not contain the NUL character (U+0000)'],
      ['POST', '/targets/', { url: 'https://example.com/', method: 'POST', body_template: 'before\u0000after' }, ['body', 'body_template'], 'Body may not contain the NUL character (U+0000)'],
      ['PATCH', `/targets/${target.id}`, { body_template: 'x\u0000' }, ['body', 'body_template'], 'Body may not contain the NUL character (U+0000)'],
      ['POST', '/schedules/', { target_id: target.id, name: 'x\u0000y', schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 } }, ['body', 'name'], 'Name may not contain the NUL character (U+0000)'],
    ];

    for (const [method, path, body, loc, msg] of cases) {
      const response = await send(method, path, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect((await json(response)).detail, JSON.stringify(body)).toEqual([{ loc, msg, type: 'custom' }]);
    }
  });

  it('rejects a header value that HTTP cannot carry, naming the header', async () => {
    const response = await send('POST', '/targets/', { url: 'https://example.com/', headers: { 'X-A': '😀', 'X-B': 'é' } });

    expect(response.status).toBe(422);
    expect((await json(response)).detail).toEqual([
      {
        loc: ['body', 'headers', 'X-A'],
        msg: 'Header "X-A" cannot be sent: its value contains "😀" (U+1F600), and header values may contain only tab and the Latin-1 characters U+0020 to U+00FF except U+007F',
        type: 'custom',
      },
    ]);
  });

  it('rejects a GET target with a body, also after a PATCH', async () => {
    const created = await send('POST', '/targets/', { url: 'https://example.com/', method: 'GET', body_template: '{}' });
    expect(created.status).toBe(422);
    expect((await json(created)).detail[0].loc).toEqual(['body', 'body_template']);

    const target = await createTarget({ method: 'POST', body_template: '{}' });
    const patched = await send('PATCH', `/targets/${target.id}`, { method: 'HEAD' });
    expect(patched.status).toBe(422);
    expect((await json(patched)).detail[0]).toEqual({
      loc: ['body', 'method'],
      msg: 'A HEAD target cannot have a body_template, because HEAD requests are sent without a body: set body_template to null, or use POST, PUT, PATCH or DELETE',
      type: 'value_error',
    });
  });
});

describe('REST validation messages', () => {
  it('reports one issue per bad value', async () => {
    const target = await createTarget();
    const cases: [string, string, unknown, (string | number)[], string][] = [
      ['POST', '/schedules/', { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 1e20 } }, ['body', 'schedule_config', 'interval_seconds'], 'interval_seconds must be at most 31622400 (366 days)'],
      ['POST', '/targets/', { url: 'https://example.com/', timeout_ms: 1e308 }, ['body', 'timeout_ms'], 'timeout_ms must be at most 300000'],
      ['POST', '/targets/', { url: '' }, ['body', 'url'], 'URL is required'],
      ['POST', '/targets/', { url: 'https://example.com/', name: 'n'.repeat(201) }, ['body', 'name'], 'Name is longer than 200 characters'],
      [
        'POST',
        '/schedules/',
        { target_id: target.id, schedule_type: 'WINDOW', schedule_config: { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60, max_runs: 1e100 } },
        ['body', 'schedule_config', 'max_runs'],
        'max_runs must be at most 1000000000',
      ],
      ['POST', '/schedules/', { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 }, retry_policy: { max_retries: 0.5 } }, ['body', 'retry_policy', 'max_retries'], 'max_retries must be a whole number'],
      ['GET', '/runs/?limit=abc', undefined, ['query', 'limit'], 'limit must be a number'],
      ['GET', '/runs/?limit=0', undefined, ['query', 'limit'], 'limit must be at least 1'],
      ['GET', `/targets/?cursor=${'c'.repeat(201)}`, undefined, ['query', 'cursor'], 'cursor is longer than 200 characters'],
    ];

    for (const [method, path, body, loc, msg] of cases) {
      const response = await send(method, path, body);
      expect(response.status, path).toBe(422);
      expect((await json(response)).detail, JSON.stringify(body ?? path)).toEqual([{ loc, msg, type: expect.any(String) }]);
    }
  });

  it('reports a missing WINDOW time as Field required', async () => {
    const target = await createTarget();

    for (const field of ['start_time', 'end_time']) {
      const config: Record<string, unknown> = { start_time: 'now', end_time: 'now + 1 hour', interval_seconds: 60 };
      delete config[field];
      const response = await send('POST', '/schedules/', { target_id: target.id, schedule_type: 'WINDOW', schedule_config: config });

      expect(response.status, field).toBe(422);
      expect((await json(response)).detail, field).toEqual([{ loc: ['body', 'schedule_config', field], msg: 'Field required', type: 'missing' }]);
    }
  });

  it('reports an unknown schedule_config key at its own location', async () => {
    const target = await createTarget();

    const response = await send('POST', '/schedules/', { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5, bogus: 1 } });

    expect(response.status).toBe(422);
    expect((await json(response)).detail).toEqual([{ loc: ['body', 'schedule_config', 'bogus'], msg: 'Unrecognized key "bogus"', type: 'unrecognized_keys' }]);
  });

  it('rejects impossible dates in since and until', async () => {
    for (const query of ['since=2026-02-30T00:00:00Z', 'until=2027-02-29T00:00:00Z']) {
      const response = await send('GET', `/runs/?${query}`);
      expect(response.status, query).toBe(422);
      expect((await json(response)).detail[0].loc, query).toEqual(['query', query.split('=')[0]]);
    }
    expect((await send('GET', '/runs/?since=2028-02-29T00:00:00Z')).status).toBe(200);
  });

  it('names the X-Next-Cursor header for an invalid cursor', async () => {
    const response = await send('GET', '/runs/?cursor=bogus');

    expect(response.status).toBe(422);
    expect((await json(response)).detail[0].msg).toContain('X-Next-Cursor');
  });
});

describe('REST schedule edits', () => {
  it('changes INTERVAL to CRON and plans from now', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);
    const before = Date.now();

    const response = await send('PATCH', `/schedules/${schedule.id}`, { schedule_type: 'CRON', schedule_config: { expression: '15 * * * *' } });

    expect(response.status).toBe(200);
    const updated = await json(response);
    expect(updated.schedule_type).toBe('CRON');
    expect(updated.schedule_config).toEqual({ expression: '15 * * * *', timezone: 'UTC' });
    expect(updated.next_run_at).toMatch(/T\d{2}:15:00\.000Z$/);
    const next = Date.parse(updated.next_run_at);
    expect(next).toBeGreaterThanOrEqual(before);
    expect(next).toBeLessThanOrEqual(before + 3_600_000);
  });

  it('plans a changed interval from now', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id, { schedule_config: { interval_seconds: 3_600 } });
    const before = Date.now();

    const response = await send('PATCH', `/schedules/${schedule.id}`, { schedule_config: { interval_seconds: 60 } });

    expect(response.status).toBe(200);
    const updated = await json(response);
    // Without a start_time the grid starts one interval after the change.
    expect(updated.next_run_at).toBe(updated.schedule_config.start_time);
    expect(Date.parse(updated.next_run_at) - before).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(updated.next_run_at) - before).toBeLessThan(70_000);
  });

  it('moves a CRON to a new time zone', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id, { schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *' } });
    expect(schedule.next_run_at).toMatch(/T09:00:00\.000Z$/);

    const response = await send('PATCH', `/schedules/${schedule.id}`, { timezone: 'Asia/Tokyo' });

    expect(response.status).toBe(200);
    const updated = await json(response);
    expect(updated.timezone).toBe('Asia/Tokyo');
    expect(updated.schedule_config).toEqual({ expression: '0 9 * * *', timezone: 'Asia/Tokyo' });
    // 09:00 in Tokyo (UTC+09:00, no DST) is 00:00 UTC.
    expect(updated.next_run_at).toMatch(/T00:00:00\.000Z$/);
  });

  it('rejects invalid schedule patches under body', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: '' }, ['body', 'name']],
      [{ target_id: 'nope' }, ['body', 'target_id']],
      [{ schedule_type: 'HOURLY' }, ['body', 'schedule_type']],
      [{ schedule_config: { interval_seconds: 0 } }, ['body', 'schedule_config', 'interval_seconds']],
      [{ schedule_type: 'CRON', schedule_config: { expression: 'every day' } }, ['body', 'schedule_config', 'expression']],
      [{ timezone: 'Mars/Olympus' }, ['body', 'timezone']],
      [{ retry_policy: { multiplier: 0 } }, ['body', 'retry_policy', 'multiplier']],
      [{ overlap_policy: 'sometimes' }, ['body', 'overlap_policy']],
      [{ misfire_policy: 'later' }, ['body', 'misfire_policy']],
      [{ status: 'COMPLETED' }, ['body', 'status']],
      [{ run_count: 0 }, ['body', 'run_count']],
    ];

    for (const [patch, loc] of cases) {
      const response = await send('PATCH', `/schedules/${schedule.id}`, patch);
      expect(response.status, JSON.stringify(patch)).toBe(422);
      expect((await json(response)).detail[0].loc, JSON.stringify(patch)).toEqual(loc);
    }
    expect(await json(await send('GET', `/schedules/${schedule.id}`))).toEqual(schedule);
  });

  it('rejects invalid target patches under body', async () => {
    const target = await createTarget();
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: '' }, ['body', 'name']],
      [{ url: 'ftp://example.com/' }, ['body', 'url']],
      [{ method: 'FETCH' }, ['body', 'method']],
      [{ headers: { 'bad name': 'x' } }, ['body', 'headers', 'bad name']],
      [{ body_template: 42 }, ['body', 'body_template']],
      [{ timeout_ms: 99 }, ['body', 'timeout_ms']],
      [{ headers: { constructor: 'x' } }, ['body', 'headers', 'constructor']],
      [{ headers: { 'X-A': '😀' } }, ['body', 'headers', 'X-A']],
      [{ url: 'http://127.0.0.1:0/' }, ['body', 'url']],
      [{ body_template: '{}' }, ['body', 'body_template']],
      [{ name: 'a\u0000b' }, ['body', 'name']],
    ];

    for (const [patch, loc] of cases) {
      const response = await send('PATCH', `/targets/${target.id}`, patch);
      expect(response.status, JSON.stringify(patch)).toBe(422);
      expect((await json(response)).detail[0].loc, JSON.stringify(patch)).toEqual(loc);
    }
    expect(await json(await send('GET', `/targets/${target.id}`))).toEqual(target);
  });
});

describe('REST CRON and ONCE', () => {
  it('creates a CRON in its config time zone', async () => {
    const target = await createTarget();

    const schedule = await createSchedule(target.id, { schedule_type: 'CRON', schedule_config: { expression: '0 9 * * 1-5', timezone: 'Europe/London' } });

    expect(schedule.name).toBe('cron 0 9 * * 1-5 (Europe/London)');
    expect(schedule.timezone).toBe('Europe/London');
    expect(schedule.status).toBe('ACTIVE');
  });

  it('creates a ONCE named for its instant', async () => {
    const target = await createTarget();

    const schedule = await createSchedule(target.id, { schedule_type: 'ONCE', schedule_config: { run_at: '2099-05-01T09:00:00Z' } });

    expect(schedule.name).toBe('once at 2099-05-01T09:00:00.000Z');
    expect(schedule.schedule_config).toEqual({ run_at: '2099-05-01T09:00:00.000Z' });
    expect(schedule.next_run_at).toBe('2099-05-01T09:00:00.000Z');
  });

  it('rejects an invalid cron expression at its field', async () => {
    const target = await createTarget();

    const response = await send('POST', '/schedules/', { target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: '0 25 * * *' } });

    expect(response.status).toBe(422);
    const [issue, ...rest] = (await json(response)).detail;
    expect(rest).toEqual([]);
    expect(issue.loc).toEqual(['body', 'schedule_config', 'expression']);
    expect(issue.msg).toContain('hour 25 is out of range 0-23');
  });

  it('rejects unknown time zones where they were sent', async () => {
    const target = await createTarget();

    const topLevel = await send('POST', '/schedules/', {
      target_id: target.id,
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * *' },
      timezone: 'Europe/Atlantis',
    });
    expect(topLevel.status).toBe(422);
    expect((await json(topLevel)).detail[0].loc).toEqual(['body', 'timezone']);

    const inConfig = await send('POST', '/schedules/', {
      target_id: target.id,
      schedule_type: 'CRON',
      schedule_config: { expression: '0 9 * * *', timezone: 'Europe/Atlantis' },
    });
    expect(inConfig.status).toBe(422);
    expect((await json(inConfig)).detail).toEqual([
      { loc: ['body', 'schedule_config', 'timezone'], msg: 'Unknown time zone "Europe/Atlantis": use an IANA name such as UTC or Europe/Berlin', type: 'timezone_error' },
    ]);
  });
});

describe('REST preview', () => {
  it('lists the next fires with local times', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id, { timezone: 'Asia/Kolkata' });

    const response = await send('GET', `/schedules/${schedule.id}/next?count=3`);

    expect(response.status).toBe(200);
    const preview = await json(response);
    expect(Object.keys(preview).sort()).toEqual(['fires', 'schedule_id', 'timezone']);
    expect(preview.schedule_id).toBe(schedule.id);
    expect(preview.timezone).toBe('Asia/Kolkata');
    expect(preview.fires).toHaveLength(3);
    expect(preview.fires[0].at).toBe(schedule.next_run_at);
    for (const [index, fire] of (preview.fires as { at: string; local: string }[]).entries()) {
      expect(fire.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(fire.local).toMatch(/\+05:30$/);
      expect(Date.parse(fire.local)).toBe(Date.parse(fire.at));
      expect(Date.parse(fire.at) - Date.parse(schedule.next_run_at)).toBe(index * 30_000);
    }
  });

  it('lists 10 fires by default', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);

    const preview = await json(await send('GET', `/schedules/${schedule.id}/next`));

    expect(preview.fires).toHaveLength(10);
  });

  it('follows a CRON across DST changes', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id, { schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *', timezone: 'Europe/London' } });

    const response = await send('GET', `/schedules/${schedule.id}/next?count=1000`);

    expect(response.status).toBe(200);
    const fires = (await json(response)).fires as { at: string; local: string }[];
    expect(fires).toHaveLength(1000);
    // 1000 days cross both offsets of London, and every fire stays at 09:00 local time.
    const offsets = new Set(fires.map((fire) => fire.local.slice(-6)));
    expect([...offsets].sort()).toEqual(['+00:00', '+01:00']);
    for (const fire of fires) {
      expect(fire.local).toMatch(/T09:00:00\.000\+0[01]:00$/);
      expect(fire.at).toMatch(fire.local.endsWith('+01:00') ? /T08:00:00\.000Z$/ : /T09:00:00\.000Z$/);
    }
  });

  it('lists nothing for a COMPLETED schedule', async () => {
    const target = await createTarget();
    const past = new Date(Date.now() - 10 * 60_000).toISOString();
    const schedule = await createSchedule(target.id, {
      schedule_type: 'WINDOW',
      schedule_config: { start_time: past, end_time: 'now + 30 seconds', interval_seconds: 420 },
    });
    expect(schedule.status).toBe('COMPLETED');

    const response = await send('GET', `/schedules/${schedule.id}/next`);

    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ schedule_id: schedule.id, timezone: 'UTC', fires: [] });
  });

  it('rejects a count outside 1 to 1000 under query', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);

    const cases: [string, string][] = [
      ['0', 'count must be at least 1'],
      ['1001', 'count must be at most 1000'],
      ['1e20', 'count must be at most 1000'],
      ['abc', 'count must be a number'],
      ['1.5', 'count must be a whole number'],
      ['-3', 'count must be at least 1'],
    ];
    for (const [count, message] of cases) {
      const response = await send('GET', `/schedules/${schedule.id}/next?count=${count}`);
      expect(response.status, count).toBe(422);
      expect((await json(response)).detail, count).toEqual([{ loc: ['query', 'count'], msg: message, type: expect.any(String) }]);
    }
  });
});

describe('REST run now', () => {
  it('returns 202 with the manual run and lists it', async () => {
    const target = await createTarget({ headers: { Authorization: 'Bearer s3cret' } });
    const schedule = await createSchedule(target.id);

    const response = await send('POST', `/schedules/${schedule.id}/trigger`);

    expect(response.status).toBe(202);
    const run = await json(response);
    expect(response.headers.get('location')).toBe(`/runs/${run.id}`);
    expect(triggered.at(-1)).toBe(schedule.id);
    expect(run).toMatchObject({ run_id: run.id, schedule_id: schedule.id, target_id: target.id, attempt: 1, status: 'RUNNING', manual: true });
    expect(run.scheduled_for).toMatch(/Z$/);
    expect(run.request.headers).toEqual({ Authorization: '***' });

    const listed = await json<any[]>(await send('GET', `/runs/?schedule_id=${schedule.id}`));
    expect(listed.map((item) => [item.id, item.manual])).toEqual([[run.id, true]]);
    const after = await json(await send('GET', `/schedules/${schedule.id}`));
    expect(after.next_run_at).toBe(schedule.next_run_at);
    expect(after.run_count).toBe(0);
  });

  it('ignores a body', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);

    const response = await send('POST', `/schedules/${schedule.id}/trigger`, { anything: true });

    expect(response.status).toBe(202);
  });

  it('returns 503 from a process without an engine', async () => {
    const other = await start('no-engine.db', null, { engine: false });
    const post = (path: string, body?: unknown) =>
      fetch(`${other.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    const target = await json(await post('/targets/', { url: 'https://example.com/hook' }));
    const schedule = await json(await post('/schedules/', { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } }));

    const response = await post(`/schedules/${schedule.id}/trigger`);
    const missing = await post('/schedules/missing-id/trigger');
    await stop(other);

    expect(response.status).toBe(503);
    expect((await json(response)).detail).toBe(
      'Run now is not available: this process runs with SCHEDULER_ROLE=api and has no scheduler engine. Send the request to a process with SCHEDULER_ROLE=all',
    );
    expect(missing.status).toBe(404);
  });
});

describe('REST runs', () => {
  it('gets a run and pages newest first', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);
    const start = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await running.store.insertRun(makeRun(schedule.id, target.id, start + i * 1_000))).id);

    const single = await send('GET', `/runs/${ids[0]}`);
    expect(single.status).toBe(200);
    expect(await json(single)).toMatchObject({ id: ids[0], run_id: ids[0], schedule_id: schedule.id, target_id: target.id });

    const pages = await collectPages(`/runs/?schedule_id=${schedule.id}&limit=2`);
    expect(pages).toEqual([
      [ids[4], ids[3]],
      [ids[2], ids[1]],
      [ids[0]],
    ]);

    const missing = await send('GET', '/runs/missing-id');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ detail: 'Run missing-id was not found' });
  });

  it('locates invalid query parameters under query', async () => {
    const cases: [string, string][] = [
      ['/runs/?limit=0', 'limit'],
      ['/runs/?limit=abc', 'limit'],
      ['/runs/?status=DONE', 'status'],
      ['/runs/?since=yesterday', 'since'],
      ['/runs/?cursor=bogus', 'cursor'],
      ['/targets/?limit=100000', 'limit'],
      ['/schedules/?status=RUNNING', 'status'],
    ];
    for (const [path, field] of cases) {
      const response = await send('GET', path);
      expect(response.status, path).toBe(422);
      expect((await json(response)).detail[0].loc, path).toEqual(['query', field]);
    }
  });
});

describe('REST errors', () => {
  it('reports a missing field under body', async () => {
    const response = await send('POST', '/targets/', { name: 'no url' });

    expect(response.status).toBe(422);
    expect((await json(response)).detail).toEqual([{ loc: ['body', 'url'], msg: 'Field required', type: 'missing' }]);
  });

  it('rejects malformed JSON at body', async () => {
    const response = await send('POST', '/targets/', '{"url": ');

    expect(response.status).toBe(422);
    const body = await json(response);
    expect(body.detail).toHaveLength(1);
    expect(body.detail[0].loc).toEqual(['body']);
    expect(body.detail[0].type).toBe('json_invalid');
  });

  it('rejects a body that is not an object', async () => {
    for (const body of ['[1, 2]', '42', 'null', '"text"']) {
      const response = await send('POST', '/schedules/', body);
      expect(response.status, body).toBe(422);
      expect((await json(response)).detail[0].loc, body).toEqual(['body']);
    }
  });

  it('rejects an id in a PATCH body', async () => {
    const target = await createTarget();

    const response = await send('PATCH', `/targets/${target.id}`, { id: 'other', name: 'x' });

    expect(response.status).toBe(422);
    expect((await json(response)).detail[0].loc).toEqual(['body', 'id']);
  });

  it('rejects unknown and prototype keys', async () => {
    const response = await send('POST', '/targets/', '{"url": "https://example.com/", "__proto__": {"admin": true}, "extra": 1}');

    expect(response.status).toBe(422);
    const locations = (await json(response)).detail.map((issue: { loc: unknown }) => issue.loc);
    expect(locations).toEqual(expect.arrayContaining([['body', '__proto__'], ['body', 'extra']]));
  });

  it('returns 404 for an unknown path', async () => {
    const response = await send('GET', '/nothing/here');

    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ detail: 'Not Found' });
  });

  it('returns 405 with Allow for a wrong method', async () => {
    const list = await send('PUT', '/targets/', {});
    expect(list.status).toBe(405);
    expect(list.headers.get('allow')).toBe('POST, GET, HEAD');

    const item = await send('POST', '/runs/some-id');
    expect(item.status).toBe(405);
    expect(item.headers.get('allow')).toBe('GET, HEAD');
  });

  it('returns 413 for a body over 1 MiB', async () => {
    const body = JSON.stringify({ url: 'https://example.com/', body_template: 'x'.repeat(1024 * 1024) });

    const response = await send('POST', '/targets/', body);

    expect(response.status).toBe(413);
    expect((await json(response)).detail).toContain('1048576');
  });

  it('returns 415 for a body that is not JSON', async () => {
    const response = await send('POST', '/targets/', 'url=https://example.com/', { 'content-type': 'application/x-www-form-urlencoded' });

    expect(response.status).toBe(415);
  });

  it('answers HEAD like GET without a body', async () => {
    const response = await send('HEAD', '/targets/');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('never answers 500 to odd input', async () => {
    const target = await createTarget();
    const bodies: unknown[] = [
      { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: 'every minute' },
      { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 1e300 } },
      { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5, start_time: 'tomorrow-ish' } },
      { target_id: target.id, schedule_type: 'WINDOW', schedule_config: { start_time: 'now', end_time: 'now', interval_seconds: 5 } },
      { target_id: target.id, schedule_type: 'ONCE', schedule_config: { run_at: 'yesterday' } },
      { target_id: target.id, schedule_type: 'ONCE', schedule_config: { run_at: '2001-01-01T00:00:00Z' } },
      { target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: 42 } },
      { target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: '* * * * * * * *' } },
      { target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: '0 0 31 2 *' } },
      { target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: '* * * * *', timezone: ['UTC'] } },
      { target_id: [target.id], schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 } },
      { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 }, retry_policy: [] },
      { target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 5 }, timezone: '../../etc' },
    ];
    for (const body of bodies) {
      const response = await send('POST', '/schedules/', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }

    // Nesting deep enough to overflow the stack of any recursive walk over the value.
    const depth = 100_000;
    const deep = `{"url": "https://example.com/", "headers": {"a": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    expect((await send('POST', '/targets/', deep)).status).toBe(422);

    for (const path of ['/targets/%E0%A4%A', `/targets/${'x'.repeat(300)}`, '/runs/?since=2030-13-45']) {
      const response = await send('GET', path);
      expect(response.status, path).toBeLessThan(500);
    }
  });
});

describe('GET /metrics', () => {
  it('returns the dashboard shape', async () => {
    const response = await send('GET', '/metrics');

    expect(response.status).toBe(200);
    const metrics = await json(response);
    expect(metrics.timestamp).toMatch(/Z$/);
    expect(metrics.database.online).toBe(true);
    expect(typeof metrics.database.latency_ms).toBe('number');
    expect(Object.keys(metrics.system).sort()).toEqual(['active_workers', 'avg_latency_ms', 'cpu_usage_percent', 'success_runs', 'total_runs']);
    expect(Object.keys(metrics.runs_by_status).sort()).toEqual(['FAILURE', 'RUNNING', 'SKIPPED', 'SUCCESS']);
    expect(Object.keys(metrics.schedules_by_status).sort()).toEqual(['ACTIVE', 'COMPLETED', 'PAUSED']);
  });
});

describe('OpenAPI and docs', () => {
  it('lists every REST path in /openapi.json', async () => {
    const response = await send('GET', '/openapi.json');

    expect(response.status).toBe(200);
    const document = await json(response);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/auth/session',
        '/auth/sign-in',
        '/auth/sign-out',
        '/docs',
        '/healthz',
        '/keys/',
        '/keys/{id}',
        '/metrics',
        '/openapi.json',
        '/readyz',
        '/runs/',
        '/runs/{id}',
        '/schedules/',
        '/schedules/{id}',
        '/schedules/{id}/alerts',
        '/schedules/{id}/next',
        '/schedules/{id}/pause',
        '/schedules/{id}/resume',
        '/schedules/{id}/trigger',
        '/targets/',
        '/targets/{id}',
        '/targets/{id}/test',
      ].sort(),
    );
    expect(Object.keys(document.paths['/targets/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(document.paths['/schedules/'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateSchedule' });
    expect(document.components.schemas.Schedule.properties.next_run_at).toBeDefined();
  });

  it('serves Swagger UI and its script locally', async () => {
    const page = await send('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);

    const script = await send('GET', '/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await script.text()).length).toBeGreaterThan(100_000);

    const initializer = await (await send('GET', '/docs/swagger-initializer.js')).text();
    expect(initializer).toContain("url: '/openapi.json'");
    expect(initializer).toContain('validatorUrl: null');

    expect((await send('GET', '/docs/package.json')).status).toBe(404);
    expect((await rawGet('/docs/../../package.json')).status).toBe(400);
  });
});

describe('tRPC over HTTP', () => {
  const client = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${base}/trpc`, transformer: superjson })] });

  it('batches queries and revives dates', async () => {
    const trpc = client();

    const [health, target] = await Promise.all([trpc.system.health.query(), trpc.targets.create.mutate({ url: 'https://example.com/trpc' })]);
    const page = await trpc.targets.list.query({ limit: 1 });

    expect(health.status).toBe('ok');
    expect(health.instance_id).toBe('http-test');
    expect(target.created_at).toBeInstanceOf(Date);
    expect(page.items).toHaveLength(1);
    expect(page.next_cursor).not.toBeNull();
  });

  it('previews a stored schedule and an unsaved config', async () => {
    const trpc = client();
    const target = await trpc.targets.create.mutate({ url: 'https://example.com/trpc' });
    const schedule = await trpc.schedules.create.mutate({ target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 30 } });

    const stored = await trpc.schedules.preview.query({ id: schedule.id, count: 2 });
    expect(stored.fires[0]?.at).toBeInstanceOf(Date);
    expect(stored.fires[0]?.at).toEqual(schedule.next_run_at);

    const unsaved = await trpc.schedules.previewConfig.query({ schedule_type: 'CRON', schedule_config: { expression: '0 9 * * *', timezone: 'Europe/London' }, count: 3 });
    expect(unsaved.timezone).toBe('Europe/London');
    expect(unsaved.fires).toHaveLength(3);

    const invalid = await trpc.schedules.previewConfig.query({ schedule_type: 'CRON', schedule_config: { expression: '0 9 * *' } }).catch((error: unknown) => error);
    expect((invalid as TRPCClientError<AppRouter>).data?.httpStatus).toBe(422);
    expect((invalid as TRPCClientError<AppRouter>).data?.issues?.[0]?.loc).toEqual(['schedule_config', 'expression']);
  });

  it('carries error codes and validation issues', async () => {
    const trpc = client();

    const notFound = await trpc.schedules.get.query({ id: 'missing-id' }).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(TRPCClientError);
    expect((notFound as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
    expect((notFound as TRPCClientError<AppRouter>).data?.httpStatus).toBe(404);

    const invalid = await trpc.targets.create.mutate({ url: 'ftp://example.com/' }).catch((error: unknown) => error);
    expect((invalid as TRPCClientError<AppRouter>).data?.code).toBe('UNPROCESSABLE_CONTENT');
    expect((invalid as TRPCClientError<AppRouter>).data?.issues?.[0]?.loc).toEqual(['url']);
  });
});

describe('tRPC and keys that superjson rejects', () => {
  const client = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${base}/trpc`, transformer: superjson })] });

  it('rejects a reserved header name on create and stores nothing', async () => {
    const before = await collectPages('/targets/');

    // Sent as raw JSON: the tRPC client's own superjson would refuse to serialize this input.
    for (const name of ['constructor', 'prototype']) {
      const body = `{"json": {"url": "https://example.com/c2", "headers": {"${name}": "y"}}}`;
      const response = await send('POST', '/trpc/targets.create', body);

      expect(response.status, name).toBe(422);
      const { error } = await json<{ error: { json: { data: { issues: { loc: unknown }[] } } } }>(response);
      expect(error.json.data.issues[0]?.loc, name).toEqual(['headers', name]);
    }
    expect(await collectPages('/targets/')).toEqual(before);
  });

  it('lists a run whose response headers held reserved names', async () => {
    const target = await createTarget();
    const schedule = await createSchedule(target.id);
    const headers = JSON.parse('{"constructor": "x", "prototype": "y", "content-type": "text/plain"}') as Record<string, string>;
    const run = await running.store.insertRun({ ...makeRun(schedule.id, target.id, Date.now()), response_headers: headers });

    const page = await client().runs.list.query({ schedule_id: schedule.id });

    expect(page.items.map((item) => item.id)).toEqual([run.id]);
    expect(page.items[0]?.response_headers).toEqual({ 'content-type': 'text/plain' });
  });

  it('logs a failure outside the procedure with its path', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const other = await start('trpc-errors.db', null, { logger: pino({ level: 'info' }, sink) });
    // A target stored before header names were checked, which superjson cannot serialize.
    const now = new Date();
    await other.store.createTarget({
      id: newId(),
      name: 'old',
      url: 'https://example.com/',
      method: 'GET',
      headers: { constructor: 'x' },
      body_template: null,
      timeout_ms: 10_000,
      created_at: now,
      updated_at: now,
    });

    const input = encodeURIComponent(JSON.stringify({ json: {} }));
    const response = await fetch(`${other.base}/trpc/targets.list?input=${input}`);
    await stop(other);

    expect(response.status).toBe(500);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const failures = records.filter((record) => record.msg === 'tRPC request failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 50, path: 'targets.list', type: 'query' });
    expect(JSON.stringify(failures[0]?.err)).toContain('constructor');
  });

  it('logs a failing procedure once', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const other = await start('trpc-closed.db', null, { logger: pino({ level: 'info' }, sink) });
    await other.store.close();

    const input = encodeURIComponent(JSON.stringify({ json: {} }));
    const response = await fetch(`${other.base}/trpc/runs.list?input=${input}`);
    await stop(other);

    expect(response.status).toBe(500);
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.filter((message) => message === 'Procedure failed')).toHaveLength(1);
    expect(messages).not.toContain('tRPC request failed');
  });
});

describe('health and UI', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await send('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(await json(health)).toEqual({ status: 'ok' });

    expect((await send('GET', '/readyz')).status).toBe(200);
  });

  it('readyz needs a running engine', async () => {
    let engineRunning = false;
    const logger = pino({ level: 'silent' });
    const context: ApiContext = { store: running.store, clock: systemClock, logger, scheduler: schedulerWithoutEngine, instanceId: 'readyz-test', startedAt: Date.now() };
    const server = createHttpServer({ context, uiDir: null, logger, engineRunning: () => engineRunning });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    try {
      const stopped = await fetch(url);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ status: 'unavailable', engine: { running: false } });

      engineRunning = true;
      const ready = await fetch(url);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', engine: { running: true } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers /readyz with 503 when the database is closed', async () => {
    const other = await start('closed.db', null);
    await other.store.close();

    const response = await fetch(`${other.base}/readyz`);

    expect(response.status).toBe(503);
    await stop(other);
  });

  it('redirects / and /ui to /ui/', async () => {
    for (const path of ['/', '/ui']) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(302);
      expect(response.headers.get('location'), path).toBe('/ui/');
    }
  });

  it('serves files and falls back to index.html for client routes', async () => {
    const index = await send('GET', '/ui/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe(INDEX_HTML);

    const route = await send('GET', '/ui/schedules/0192-abc');
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX_HTML);

    const script = await send('GET', '/ui/_app/immutable/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');

    expect((await send('GET', '/ui/_app/missing.js')).status).toBe(404);
  });

  it('rejects path traversal', async () => {
    for (const path of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/..%2fsecret.txt', '/ui/_app/..%5c..%5csecret.txt']) {
      const response = await rawGet(path);
      expect(response.status, path).toBe(400);
      expect(response.body, path).not.toContain(SECRET_FILE_CONTENT);
    }
  });
});

describe('request log', () => {
  it('logs method, path, status and time without secrets', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const other = await start('logged.db', null, { logger: pino({ level: 'debug' }, sink) });

    await fetch(`${other.base}/targets/?cursor=secret-cursor`, { headers: { Authorization: 'Bearer do-not-log' } });
    await stop(other);

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const record = records.find((entry) => entry.msg === 'HTTP request');
    expect(record).toMatchObject({ method: 'GET', path: '/targets/', status: 422 });
    expect(typeof record?.ms).toBe('number');
    expect(lines.join('')).not.toContain('do-not-log');
    expect(lines.join('')).not.toContain('secret-cursor');
  });
});
