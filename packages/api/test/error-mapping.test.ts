import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { appRouter } from '../src/index.js';
import { createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;

beforeEach(async () => {
  t = await createTestContext();
});

afterEach(async () => {
  await t.close();
});

interface ErrorShape {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; path?: string; stack?: string; issues: unknown };
}

/** Sends one tRPC request through the fetch adapter, in-process, and decodes the error it returns. */
async function trpcError(path: string, input: unknown, method: 'GET' | 'POST' = 'POST'): Promise<{ status: number; error: ErrorShape }> {
  const encoded = JSON.stringify(superjson.serialize(input));
  const url = method === 'GET' ? `http://localhost/trpc/${path}?input=${encodeURIComponent(encoded)}` : `http://localhost/trpc/${path}`;
  const request = new Request(url, method === 'GET' ? { method } : { method, body: encoded, headers: { 'content-type': 'application/json' } });

  const response = await fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext: () => t.ctx });
  const body = (await response.json()) as { error: { json: unknown; meta?: never } };
  return { status: response.status, error: superjson.deserialize<ErrorShape>(body.error as never) };
}

describe('error mapping through the caller', () => {
  it('hides an unexpected failure and logs it', async () => {
    await t.store.close();

    const error = await t.caller.targets.list({}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('INTERNAL_SERVER_ERROR');
    expect((error as TRPCError).message).toBe('Internal server error');
    const record = t.logs.find((entry) => entry.msg === 'Procedure failed');
    expect(record?.path).toBe('targets.list');
    expect(record?.level).toBe(50);
    expect(record?.err).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  });
});

describe('error formatter over HTTP', () => {
  it('puts REST issues into data.issues with status 422', async () => {
    const { status, error } = await trpcError('targets.create', { url: 'not a url', timeout_ms: 1 });

    expect(status).toBe(422);
    expect(error.data.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.data.issues).toEqual([
      { loc: ['url'], msg: 'Invalid URL "not a url": expected an absolute http:// or https:// URL', type: 'custom' },
      { loc: ['timeout_ms'], msg: 'timeout_ms must be at least 100', type: 'too_small' },
    ]);
    expect(error.data.stack).toBeUndefined();
  });

  it('carries a core ValidationError as issues', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });

    const { status, error } = await trpcError('schedules.create', {
      target_id: target.id,
      schedule_type: 'WINDOW',
      schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 },
    });

    expect(status).toBe(422);
    expect(error.data.issues).toEqual([
      { loc: ['schedule_config', 'interval_seconds'], msg: 'Rate (Interval 3600s) cannot be greater than the Window duration', type: 'value_error' },
    ]);
  });

  it('maps NotFoundError to 404 without issues', async () => {
    const { status, error } = await trpcError('schedules.get', { id: 'missing-id' }, 'GET');

    expect(status).toBe(404);
    expect(error.message).toBe('Schedule missing-id was not found');
    expect(error.data.issues).toBeNull();
  });

  it('maps ConflictError to 409', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });
    await t.caller.schedules.create({ target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } });

    const { status, error } = await trpcError('targets.delete', { id: target.id });

    expect(status).toBe(409);
    expect(error.data.code).toBe('CONFLICT');
  });

  it('rejects form and binary input with 415 and stores nothing', async () => {
    const form = new FormData();
    form.append('url', 'https://example.com/form');
    const bodies: [string, RequestInit][] = [
      ['multipart/form-data', { method: 'POST', body: form }],
      ['application/octet-stream', { method: 'POST', body: '{"json": {"url": "https://example.com/"}}', headers: { 'content-type': 'application/octet-stream' } }],
    ];

    for (const [type, init] of bodies) {
      const request = new Request('http://localhost/trpc/targets.create', init);
      const response = await fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext: () => t.ctx });
      const body = (await response.json()) as { error: { json: unknown } };
      const error = superjson.deserialize<ErrorShape>(body.error as never);

      expect(response.status, type).toBe(415);
      expect(error.data.code, type).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message, type).toContain('application/json');
      expect(error.data.issues, type).toBeNull();
    }
    expect((await t.caller.targets.list({})).items).toEqual([]);
  });

  it('rejects a __proto__ key that superjson would drop, at its location', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });
    const cases: [string, string, (string | number)[]][] = [
      ['targets.create', '{"json": {"url": "https://example.com/", "headers": {"__proto__": "x", "X-Ok": "y"}}}', ['headers', '__proto__']],
      [
        'schedules.create',
        `{"json": {"target_id": "${target.id}", "schedule_type": "INTERVAL", "schedule_config": {"interval_seconds": 60, "__proto__": {"a": 1}}}}`,
        ['schedule_config', '__proto__'],
      ],
      ['targets.create', '{"json": {"__proto__": null, "url": "https://example.com/"}}', ['__proto__']],
      ['targets.create', '{"json": {"url": "https://example.com/", "headers": [[{"__proto__": 1}]]}}', ['headers', 0, 0, '__proto__']],
    ];

    for (const [path, body, loc] of cases) {
      const request = new Request(`http://localhost/trpc/${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const response = await fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext: () => t.ctx });
      const error = superjson.deserialize<ErrorShape>(((await response.json()) as { error: never }).error);

      expect(response.status, body).toBe(422);
      expect(error.data.code, body).toBe('UNPROCESSABLE_CONTENT');
      expect(error.data.issues, body).toEqual([{ loc, msg: 'Unrecognized key "__proto__": it is a reserved name', type: 'unrecognized_keys' }]);
    }
    expect((await t.caller.targets.list({})).items.map((item) => item.id)).toEqual([target.id]);
    expect((await t.caller.schedules.list({})).items).toEqual([]);

    // Only the call with the key fails, not the other calls of its batch.
    const input = encodeURIComponent('{"1": {"json": {"__proto__": 1}}}');
    const request = new Request(`http://localhost/trpc/system.health,targets.list?batch=1&input=${input}`);
    const response = await fetchRequestHandler({ endpoint: '/trpc', req: request, router: appRouter, createContext: () => t.ctx });
    const [health, list] = (await response.json()) as [{ result?: unknown }, { error?: { json: { data: { httpStatus: number } } } }];
    expect(health.result).toBeDefined();
    expect(list.error?.json.data.httpStatus).toBe(422);
  });

  it('sends a generic 500 without a stack', async () => {
    await t.store.close();

    const { status, error } = await trpcError('runs.list', {}, 'GET');

    expect(status).toBe(500);
    expect(error.message).toBe('Internal server error');
    expect(error.data.stack).toBeUndefined();
  });
});
