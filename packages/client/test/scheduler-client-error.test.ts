import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TRPCClientError } from '@trpc/client';

import { SchedulerClientError, createSchedulerClient, isSchedulerClientError } from '../src/index.js';
import type { SchedulerClient } from '../src/index.js';
import { startServerWithKeys } from './support/server-with-keys.js';
import type { ServerWithKeys } from './support/server-with-keys.js';

let setup: ServerWithKeys;
let writer: SchedulerClient;

beforeAll(async () => {
  setup = await startServerWithKeys();
  writer = createSchedulerClient({ url: setup.trpcUrl, apiKey: setup.writeKey });
});

afterAll(async () => {
  await setup?.server.dispose();
});

/** Returns a port on 127.0.0.1 that was free a moment ago, so a connection to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Returns the error that `call` rejects with, or fails the test when it resolves. */
async function failureOf(call: Promise<unknown>): Promise<SchedulerClientError> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SchedulerClientError);
  return outcome.error as SchedulerClientError;
}

describe('SchedulerClientError', () => {
  it('carries field messages of invalid input', async () => {
    const error = await failureOf(writer.targets.create.mutate({ url: 'ftp://example.com/', method: 'GET', timeout_ms: 5 }));

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.status).toBe(422);
    expect(error.fieldErrors.url).toEqual(['Unsupported URL scheme "ftp": only http and https are allowed']);
    expect(error.fieldErrors.timeout_ms).toEqual(['timeout_ms must be at least 100']);
    expect(error.issues.map((issue) => issue.loc.join('.')).sort()).toEqual(['timeout_ms', 'url']);
    expect(error.name).toBe('SchedulerClientError');
  });

  it('keys nested field messages by dotted path', async () => {
    const target = await writer.targets.create.mutate({ url: 'http://127.0.0.1:9/hook', method: 'GET' });
    const error = await failureOf(
      writer.schedules.create.mutate({
        target_id: target.id,
        schedule_type: 'WINDOW',
        schedule_config: { start_time: 'now', end_time: 'now + 1 minute', interval_seconds: 3600 },
      }),
    );

    expect(error.code).toBe('UNPROCESSABLE_CONTENT');
    expect(error.fieldErrors['schedule_config.interval_seconds']).toEqual(['Rate (Interval 3600s) cannot be greater than the Window duration']);
  });

  it('reports a missing schedule as NOT_FOUND', async () => {
    const error = await failureOf(writer.schedules.get.query({ id: 'no-such-schedule' }));

    expect(error.code).toBe('NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toContain('no-such-schedule');
    expect(error.fieldErrors).toEqual({});
    expect(isSchedulerClientError(error, 'NOT_FOUND')).toBe(true);
    expect(isSchedulerClientError(error, 'CONFLICT')).toBe(false);
  });

  it('keeps each status within a batch', async () => {
    const [missing, health] = await Promise.allSettled([writer.schedules.get.query({ id: 'missing-in-batch' }), writer.system.health.query()]);

    expect(missing.status).toBe('rejected');
    expect(health.status).toBe('fulfilled');
    const error = (missing as PromiseRejectedResult).reason as SchedulerClientError;
    expect(error.status).toBe(404);
    expect(error.code).toBe('NOT_FOUND');
  });

  it('reports a missing key as UNAUTHORIZED', async () => {
    const anonymous = createSchedulerClient({ url: setup.trpcUrl });
    const error = await failureOf(anonymous.targets.list.query({}));

    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^Authentication required/);
  });

  it('reports a wrong key as UNAUTHORIZED', async () => {
    const wrong = createSchedulerClient({ url: setup.trpcUrl, apiKey: 'sk_000000000000_wrong' });
    const error = await failureOf(wrong.targets.list.query({}));

    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^Invalid API key/);
  });

  it('reports a write with a read key as FORBIDDEN', async () => {
    const reader = createSchedulerClient({ url: setup.trpcUrl, apiKey: setup.readKey });
    const error = await failureOf(reader.targets.create.mutate({ url: 'http://127.0.0.1:9/hook', method: 'GET' }));

    expect(error.code).toBe('FORBIDDEN');
    expect(error.status).toBe(403);
    expect(error.message).toContain('scope write');
  });

  it('reports a wrong key on the subscription', async () => {
    const wrong = createSchedulerClient({ url: setup.trpcUrl, apiKey: 'sk_000000000000_wrong' });
    const error = await new Promise<unknown>((resolve) => {
      const subscription = wrong.runs.onRun.subscribe(undefined, {
        onError: (caught) => {
          subscription.unsubscribe();
          resolve(caught);
        },
      });
    });

    expect(error).toBeInstanceOf(SchedulerClientError);
    expect((error as SchedulerClientError).code).toBe('UNAUTHORIZED');
    expect((error as SchedulerClientError).status).toBe(401);
  });

  it('names the server when it cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/trpc`;
    const unreachable = createSchedulerClient({ url });
    const error = await failureOf(unreachable.system.health.query());

    expect(error.code).toBeNull();
    expect(error.status).toBeNull();
    expect(error.message).toContain(`Request to the API Scheduler server at ${url} failed`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('is a TRPCClientError too', async () => {
    const error = await failureOf(writer.runs.get.query({ id: 'no-such-run' }));

    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data?.code).toBe('NOT_FOUND');
  });
});
