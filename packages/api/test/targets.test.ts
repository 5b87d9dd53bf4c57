import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { validationIssuesOf } from '../src/errors.js';
import { START, createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

let t: TestContext;

beforeEach(async () => {
  t = await createTestContext();
});

afterEach(async () => {
  await t.close();
});

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('targets.create', () => {
  it('fills defaults and both ids', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/hooks/ping' });

    expect(target.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(target.target_id).toBe(target.id);
    expect(target.name).toBe('example.com/hooks/ping');
    expect(target.method).toBe('GET');
    expect(target.headers).toEqual({});
    expect(target.body_template).toBeNull();
    expect(target.timeout_ms).toBe(10_000);
    expect(target.created_at).toEqual(new Date(START));
    expect(target.updated_at).toEqual(new Date(START));
  });

  it('masks secret headers in the response', async () => {
    const target = await t.caller.targets.create({
      url: 'https://example.com/',
      method: 'post',
      headers: { Authorization: 'Bearer s3cret', 'X-Api-Key': 'k', Accept: 'application/json' },
    });

    expect(target.method).toBe('POST');
    expect(target.headers).toEqual({ Authorization: '***', 'X-Api-Key': '***', Accept: 'application/json' });
    const fetched = await t.caller.targets.get({ id: target.id });
    expect(fetched.headers.Authorization).toBe('***');

    // The store keeps the real value for the engine.
    const stored = await t.store.getTarget(target.id);
    expect(stored?.headers.Authorization).toBe('Bearer s3cret');
  });

  it('rejects an invalid url with 422 issues', async () => {
    const error = await rejection(t.caller.targets.create({ url: 'ftp://example.com/' }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.message).toContain('url');
  });

  it('rejects reserved header names and stores nothing', async () => {
    for (const name of ['constructor', 'prototype']) {
      const error = await rejection(t.caller.targets.create({ url: 'https://example.com/', headers: { [name]: 'x' } }));

      expect(error.code, name).toBe('UNPROCESSABLE_CONTENT');
      expect(validationIssuesOf(error.cause), name).toEqual([
        {
          loc: ['headers', name],
          msg: `Header name "${name}" is not supported: __proto__, constructor and prototype are reserved names`,
          type: 'invalid_key',
        },
      ]);
    }
    expect((await t.caller.targets.list({})).items).toEqual([]);
  });

  it('rejects a header value that cannot be sent, naming the header', async () => {
    const error = await rejection(t.caller.targets.create({ url: 'https://example.com/', headers: { 'X-A': '😀' } }));

    expect(validationIssuesOf(error.cause)?.[0]?.loc).toEqual(['headers', 'X-A']);
    expect(validationIssuesOf(error.cause)?.[0]?.msg).toContain('Header "X-A" cannot be sent');
  });

  it.each([['GET'], ['HEAD'], ['OPTIONS']])('rejects a body_template for %s', async (method) => {
    const error = await rejection(t.caller.targets.create({ url: 'https://example.com/', method, body_template: '{"a":1}' }));

    expect(validationIssuesOf(error.cause)).toEqual([
      {
        loc: ['body_template'],
        msg: `A ${method} target cannot have a body_template, because ${method} requests are sent without a body: set body_template to null, or use POST, PUT, PATCH or DELETE`,
        type: 'value_error',
      },
    ]);
  });

  it('rejects unknown fields', async () => {
    const error = await rejection(t.caller.targets.create({ url: 'https://example.com/', colour: 'red' } as never));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.message).toContain('Unrecognized key "colour"');
  });
});

describe('targets.get', () => {
  it('returns NOT_FOUND naming the id', async () => {
    const error = await rejection(t.caller.targets.get({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Target missing-id was not found');
  });
});

describe('targets.list', () => {
  it('pages oldest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      t.clock.advance(1_000);
      ids.push((await t.caller.targets.create({ url: `https://example.com/${i}` })).id);
    }

    const first = await t.caller.targets.list({ limit: 2 });
    expect(first.items.map((target) => target.id)).toEqual(ids.slice(0, 2));
    expect(first.next_cursor).not.toBeNull();

    const second = await t.caller.targets.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((target) => target.id)).toEqual(ids.slice(2, 4));

    const last = await t.caller.targets.list({ limit: 2, cursor: second.next_cursor! });
    expect(last.items.map((target) => target.id)).toEqual(ids.slice(4));
    expect(last.next_cursor).toBeNull();
  });

  it('rejects a malformed cursor with 422', async () => {
    const error = await rejection(t.caller.targets.list({ cursor: 'not-a-cursor' }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(validationIssuesOf(error.cause)?.[0]?.msg).toBe(
      'Invalid cursor: pass the cursor of the previous page unchanged (next_cursor in tRPC, the X-Next-Cursor header in REST), or omit it for the first page',
    );
  });

  it('shows an Idempotency-Key header unmasked', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', headers: { 'Idempotency-Key': 'mine', 'X-Api-Key': 'k' } });

    expect(target.headers).toEqual({ 'Idempotency-Key': 'mine', 'X-Api-Key': '***' });
  });
});

describe('the secret mask', () => {
  it('rejects the mask as a new secret on create', async () => {
    const error = await rejection(t.caller.targets.create({ url: 'https://example.com/', headers: { 'X-Api-Key': '***' } }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(validationIssuesOf(error.cause)?.[0]?.loc).toEqual(['headers', 'X-Api-Key']);
    expect(validationIssuesOf(error.cause)?.[0]?.msg).toContain('this target has no stored X-Api-Key');
  });

  it('rejects the mask for a secret the target does not have', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', headers: { Authorization: 'Bearer real' } });

    const error = await rejection(t.caller.targets.update({ id: target.id, headers: { Authorization: '***', 'X-Token': '***' } }));

    expect(validationIssuesOf(error.cause)?.[0]?.loc).toEqual(['headers', 'X-Token']);
  });

  it('keeps a stored secret sent back as the mask', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', headers: { Authorization: 'Bearer real' } });

    await t.caller.targets.update({ id: target.id, headers: { Authorization: '***', Accept: 'text/plain' } });

    expect((await t.store.getTarget(target.id))?.headers).toEqual({ Authorization: 'Bearer real', Accept: 'text/plain' });
  });
});

describe('targets.update', () => {
  it('patches fields and bumps updated_at', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', name: 'before', method: 'POST' });
    t.clock.advance(5_000);

    const updated = await t.caller.targets.update({ id: target.id, name: 'after', timeout_ms: 2_000, body_template: '{"a":1}' });

    expect(updated.name).toBe('after');
    expect(updated.timeout_ms).toBe(2_000);
    expect(updated.body_template).toBe('{"a":1}');
    expect(updated.url).toBe('https://example.com/');
    expect(updated.updated_at).toEqual(new Date(START + 5_000));
    expect(updated.created_at).toEqual(new Date(START));
  });

  it('keeps a secret header sent back masked', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', headers: { Authorization: 'Bearer s3cret' } });

    await t.caller.targets.update({ id: target.id, headers: { ...target.headers, 'X-Extra': 'yes' } });

    const stored = await t.store.getTarget(target.id);
    expect(stored?.headers).toEqual({ Authorization: 'Bearer s3cret', 'X-Extra': 'yes' });
  });

  it('replaces a secret header given a new value', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/', headers: { Authorization: 'Bearer old' } });

    await t.caller.targets.update({ id: target.id, headers: { Authorization: 'Bearer new' } });

    const stored = await t.store.getTarget(target.id);
    expect(stored?.headers).toEqual({ Authorization: 'Bearer new' });
  });

  it('checks method and body together as they will be stored', async () => {
    const post = await t.caller.targets.create({ url: 'https://example.com/', method: 'POST', body_template: '{"a":1}' });
    const get = await t.caller.targets.create({ url: 'https://example.com/' });

    const toGet = await rejection(t.caller.targets.update({ id: post.id, method: 'GET' }));
    expect(validationIssuesOf(toGet.cause)?.[0]?.loc).toEqual(['method']);
    const withBody = await rejection(t.caller.targets.update({ id: get.id, body_template: '{}' }));
    expect(validationIssuesOf(withBody.cause)?.[0]?.loc).toEqual(['body_template']);

    const bodyDropped = await t.caller.targets.update({ id: post.id, method: 'GET', body_template: null });
    expect(bodyDropped).toMatchObject({ method: 'GET', body_template: null });
    const bodyAdded = await t.caller.targets.update({ id: get.id, method: 'PUT', body_template: '{}' });
    expect(bodyAdded).toMatchObject({ method: 'PUT', body_template: '{}' });
  });

  it('renames a GET target stored with a body', async () => {
    // As stored before the API checked method and body together.
    const target = await t.caller.targets.create({ url: 'https://example.com/', method: 'POST', body_template: '{}' });
    await t.store.updateTarget(target.id, { method: 'GET', updated_at: new Date(START) });

    const renamed = await t.caller.targets.update({ id: target.id, name: 'renamed' });

    expect(renamed.name).toBe('renamed');
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    const error = await rejection(t.caller.targets.update({ id: 'missing-id', name: 'x' }));

    expect(error.code).toBe('NOT_FOUND');
  });

  it('rejects an invalid timeout with 422', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });
    const error = await rejection(t.caller.targets.update({ id: target.id, timeout_ms: 5 }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
  });

  it('validates every field as create does', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ name: '' }, ['name']],
      [{ name: null }, ['name']],
      [{ url: 'ftp://example.com/' }, ['url']],
      [{ url: 'https://user:pass@example.com/' }, ['url']],
      [{ url: 'not a url' }, ['url']],
      [{ method: 'FETCH' }, ['method']],
      [{ headers: { 'bad name': 'x' } }, ['headers', 'bad name']],
      [{ headers: { 'X-Split': 'a\r\nInjected: yes' } }, ['headers', 'X-Split']],
      [{ body_template: 'x'.repeat(256 * 1024 + 1) }, ['body_template']],
      [{ timeout_ms: 99 }, ['timeout_ms']],
      [{ timeout_ms: 300_001 }, ['timeout_ms']],
      [{ created_at: '2030-01-01T00:00:00Z' }, ['created_at']],
      [{ headers: { constructor: 'x' } }, ['headers', 'constructor']],
      [{ headers: { prototype: 'x' } }, ['headers', 'prototype']],
      [{ headers: { 'X-Emoji': '😀' } }, ['headers', 'X-Emoji']],
      [{ name: 'a\u0000b' }, ['name']],
      [{ url: 'http://127.0.0.1:0/' }, ['url']],
      [{ body_template: '{}' }, ['body_template']],
      [{ method: 'POST', body_template: 'a\u0000b' }, ['body_template']],
    ];

    for (const [patch, loc] of cases) {
      const error = await rejection(t.caller.targets.update({ id: target.id, ...patch } as never));
      expect(error.code, JSON.stringify(patch)).toBe('UNPROCESSABLE_CONTENT');
      expect(validationIssuesOf(error.cause)?.[0]?.loc, JSON.stringify(patch)).toEqual(loc);
    }
    expect(await t.caller.targets.get({ id: target.id })).toEqual(target);
  });
});

describe('targets.delete', () => {
  it('deletes an unused target', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });

    await expect(t.caller.targets.delete({ id: target.id })).resolves.toBeUndefined();

    const error = await rejection(t.caller.targets.get({ id: target.id }));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('returns CONFLICT naming the schedules that use it', async () => {
    const target = await t.caller.targets.create({ url: 'https://example.com/' });
    const schedule = await t.caller.schedules.create({
      target_id: target.id,
      name: 'nightly ping',
      schedule_type: 'INTERVAL',
      schedule_config: { interval_seconds: 60 },
    });

    const error = await rejection(t.caller.targets.delete({ id: target.id }));

    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(schedule.id);
  });

  it('returns NOT_FOUND for an unknown id', async () => {
    const error = await rejection(t.caller.targets.delete({ id: 'missing-id' }));

    expect(error.code).toBe('NOT_FOUND');
  });
});
