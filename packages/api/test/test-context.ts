import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { FakeClock } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { pino } from 'pino';

import { createCaller } from '../src/index.js';
import type { ApiContext } from '../src/index.js';

export const START = Date.parse('2030-01-01T00:00:00.000Z');

export interface TestContext {
  ctx: ApiContext;
  caller: ReturnType<typeof createCaller>;
  store: Store;
  clock: FakeClock;
  /** How many times procedures called scheduler.wake(). */
  wakes(): number;
  /** Log records written at warn level or above, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Creates a context on a real libSQL file in a fresh temporary folder, with a fake clock at START. */
export async function createTestContext(): Promise<TestContext> {
  const folder = await mkdtemp(join(tmpdir(), 'api-scheduler-api-'));
  const store = await createLibsqlStore({ url: pathToFileURL(join(folder, 'test.db')).href });
  await store.migrate();

  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });

  let wakeCount = 0;
  const clock = new FakeClock(START);
  const ctx: ApiContext = {
    store,
    clock,
    logger: pino({ level: 'warn' }, sink),
    scheduler: {
      wake() {
        wakeCount += 1;
      },
    },
    instanceId: 'test-instance',
    startedAt: START,
  };

  return {
    ctx,
    caller: createCaller(ctx),
    store,
    clock,
    wakes: () => wakeCount,
    logs,
    async close() {
      // A test may have closed the store already, to make it fail.
      await store.close().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
