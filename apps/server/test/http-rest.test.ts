import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import type { ApiContext, AppRouter } from '@api-scheduler/api';
import { newId, systemClock } from '@api-scheduler/core';
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

const SECRET_FILE_CONTENT = 'outside the ui folder';
const INDEX_HTML = '<!doctype html><title>API Scheduler UI</title>';

async function start(databaseName: string, uiDir: string | null, logger: Logger = pino({ level: 'silent' })): Promise<Running> {
  const store = await createLibsqlStore({ url: pathToFileURL(join(folder, databaseName)).href });
  await store.migrate();

  const context: ApiContext = {
    store,
    clock: systemClock,
    logger,
    scheduler: {
      wake() {
        wakes += 1;
      },
    },
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
    ] as const) {
      const response = await send(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await json(response)).toEqual({ detail: 'Schedule missing-id was not found' });
    }
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
      { target_id: target.id, schedule_type: 'ONCE', schedule_config: { run_at: 'now' } },
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
        '/docs',
        '/metrics',
        '/openapi.json',
        '/runs/',
        '/runs/{id}',
        '/schedules/',
        '/schedules/{id}',
        '/schedules/{id}/pause',
        '/schedules/{id}/resume',
        '/targets/',
        '/targets/{id}',
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

describe('health and UI', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await send('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(await json(health)).toEqual({ status: 'ok' });

    expect((await send('GET', '/readyz')).status).toBe(200);
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
    const other = await start('logged.db', null, pino({ level: 'debug' }, sink));

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
