import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MAX_BODY_BYTES, handleRestRequest } from '../src/index.js';
import type { RestResponse } from '../src/index.js';
import { createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;

beforeEach(async () => {
  t = await createTestContext();
});

afterEach(async () => {
  await t.close();
});

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RestResponse | null> {
  return handleRestRequest(t.ctx, {
    method,
    url: new URL(path, 'http://localhost'),
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? Buffer.alloc(0) : Buffer.from(body),
  });
}

async function callOk(method: string, path: string, body?: unknown): Promise<RestResponse> {
  const response = await call(method, path, body === undefined ? undefined : JSON.stringify(body));
  expect(response).not.toBeNull();
  return response!;
}

const parse = (response: RestResponse | null): any => JSON.parse(String(response?.body));

describe('handleRestRequest', () => {
  it('returns null for a path it does not serve', async () => {
    expect(await call('GET', '/healthz')).toBeNull();
    expect(await call('GET', '/targets/a/b/c')).toBeNull();
  });

  it('creates with 201 and a Location header', async () => {
    const response = await callOk('POST', '/targets/', { url: 'https://example.com/' });

    expect(response.status).toBe(201);
    const target = parse(response);
    expect(response.headers.Location).toBe(`/targets/${target.id}`);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(target.created_at).toBe(new Date(t.clock.now()).toISOString());
  });

  it('puts the next cursor into X-Next-Cursor only while pages remain', async () => {
    for (let i = 0; i < 3; i += 1) {
      t.clock.advance(1_000);
      await callOk('POST', '/targets/', { url: `https://example.com/${i}` });
    }

    const first = await callOk('GET', '/targets/?limit=2');
    expect(parse(first)).toHaveLength(2);
    const cursor = first.headers['X-Next-Cursor'];
    expect(cursor).toBeDefined();

    const last = await callOk('GET', `/targets?limit=2&cursor=${encodeURIComponent(cursor!)}`);
    expect(parse(last)).toHaveLength(1);
    expect(last.headers['X-Next-Cursor']).toBeUndefined();
  });

  it('takes the last of repeated query values and ignores unknown ones', async () => {
    for (let i = 0; i < 3; i += 1) await callOk('POST', '/targets/', { url: `https://example.com/${i}` });

    const response = await callOk('GET', '/targets/?limit=1&limit=2&_=123');

    expect(response.status).toBe(200);
    expect(parse(response)).toHaveLength(2);
  });

  it('accepts JSON media types with parameters or a +json suffix, and no Content-Type', async () => {
    const charset = await call('POST', '/targets/', '{"url":"https://example.com/"}', { 'content-type': 'application/json; charset=utf-8' });
    const suffix = await call('POST', '/targets/', '{"url":"https://example.com/"}', { 'content-type': 'application/merge-patch+json' });
    const none = await handleRestRequest(t.ctx, {
      method: 'POST',
      url: new URL('http://localhost/targets/'),
      headers: {},
      body: Buffer.from('{"url":"https://example.com/"}'),
    });

    expect(charset?.status).toBe(201);
    expect(suffix?.status).toBe(201);
    expect(none?.status).toBe(201);
  });

  it('rejects other media types with 415', async () => {
    const response = await call('POST', '/targets/', '{"url":"https://example.com/"}', { 'content-type': 'text/plain' });

    expect(response?.status).toBe(415);
    expect(parse(response).detail).toContain('application/json');
  });

  it('reports an empty body as missing', async () => {
    const response = await call('POST', '/targets/', '');

    expect(response?.status).toBe(422);
    expect(parse(response).detail).toEqual([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
  });

  it('rejects a body that is not UTF-8', async () => {
    const response = await call('POST', '/targets/', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));

    expect(response?.status).toBe(422);
    expect(parse(response).detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await call('POST', '/targets/', Buffer.alloc(MAX_BODY_BYTES + 1, 0x20));

    expect(response?.status).toBe(413);
  });

  it('locates path parameter issues under path', async () => {
    const response = await call('GET', `/schedules/${'x'.repeat(201)}`);

    expect(response?.status).toBe(422);
    expect(parse(response).detail[0].loc).toEqual(['path', 'id']);
  });

  it('decodes percent-encoded path parameters', async () => {
    const response = await call('GET', '/schedules/a%20b');

    expect(response?.status).toBe(404);
    expect(parse(response).detail).toBe('Schedule a b was not found');
  });

  it('answers HEAD with headers and an empty body', async () => {
    const response = await call('HEAD', '/metrics');

    expect(response?.status).toBe(200);
    expect(response?.body).toBe('');
  });

  it('returns 405 with Allow for /openapi.json and /docs', async () => {
    const openapi = await call('POST', '/openapi.json', '{}');
    expect(openapi?.status).toBe(405);
    expect(openapi?.headers.Allow).toBe('GET, HEAD');

    expect((await call('DELETE', '/docs'))?.status).toBe(405);
  });

  it('serves only the listed Swagger UI files', async () => {
    expect((await call('GET', '/docs/swagger-ui.css'))?.status).toBe(200);
    expect((await call('GET', '/docs/index.js'))?.status).toBe(404);
    expect((await call('GET', '/docs/constructor'))?.status).toBe(404);
  });

  it('hides an unexpected failure behind a generic 500', async () => {
    await t.store.close();

    const response = await call('GET', '/targets/');

    expect(response?.status).toBe(500);
    expect(parse(response)).toEqual({ detail: 'Internal server error' });
  });
});
