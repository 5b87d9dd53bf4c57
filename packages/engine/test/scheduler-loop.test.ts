import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { systemClock } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

import type { Dispatcher } from '../src/dispatcher.js';
import { Scheduler } from '../src/scheduler.js';

const CLAIMS_BEFORE_STOP = 200;

describe('Scheduler loop', () => {
  it('yields to the event loop when behind', async () => {
    let claims = 0;
    let claimsBeforeImmediate: number | null = null;
    let scheduler: Scheduler | undefined = undefined;

    // A store that always reports a due schedule and returns without I/O,
    // so every await in the loop settles as a microtask. Without a yield the
    // loop would starve setImmediate until the store stops it.
    const store = {
      claimDueSchedules: async () => {
        claims += 1;
        if (claims >= CLAIMS_BEFORE_STOP) void scheduler!.stop();
        return [];
      },
      earliestNextRunAt: async () => 0,
    } as unknown as Store;

    scheduler = new Scheduler({
      store,
      dispatcher: { inFlightCount: 0 } as Dispatcher,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      instanceId: 'test-instance',
      claimBatchSize: 10,
      maxBacklogInFlight: 100,
      plan: { misfireGraceMs: 1_000, fireAllLimit: 100 },
      errorBackoffMs: 1_000,
      rescanIntervalMs: 2_000,
    });
    setImmediate(() => {
      claimsBeforeImmediate = claims;
    });
    scheduler.start();

    await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.stop();

    expect(claimsBeforeImmediate).not.toBeNull();
    expect(claimsBeforeImmediate!).toBeLessThan(CLAIMS_BEFORE_STOP);
  });

  it('pauses between claims that find due schedules locked', async () => {
    let claims = 0;
    // A store whose earliest schedule is always due but never claimable, as
    // when another instance has locked it in an open claim.
    const store = {
      claimDueSchedules: async () => {
        claims += 1;
        return [];
      },
      earliestNextRunAt: async () => 0,
    } as unknown as Store;
    const scheduler = new Scheduler({
      store,
      dispatcher: { inFlightCount: 0 } as Dispatcher,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      instanceId: 'test-instance',
      claimBatchSize: 10,
      maxBacklogInFlight: 100,
      plan: { misfireGraceMs: 1_000, fireAllLimit: 100 },
      errorBackoffMs: 1_000,
      rescanIntervalMs: 2_000,
    });

    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await scheduler.stop();

    // One claim per CONTENDED_CLAIM_RETRY_MS (10 ms) at most, with room for timer jitter.
    expect(claims).toBeGreaterThan(3);
    expect(claims).toBeLessThanOrEqual(31);
  });
});
