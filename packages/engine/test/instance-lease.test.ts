import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EMPTY_RUN_OUTCOME, newId, systemClock } from '@api-scheduler/core';
import type { Run, Schedule, Target } from '@api-scheduler/core';

import { INTERRUPTED_BY_LAPSED_LEASE, InstanceLease } from '../src/index.js';
import { EngineFixture, sleep, waitFor } from './engine-fixture.js';

const silent = pino({ level: 'silent' });

function runningRun(schedule: Schedule, target: Target, instanceId: string, scheduledFor: number): Run {
  return {
    id: newId(),
    schedule_id: schedule.id,
    target_id: target.id,
    scheduled_for: new Date(scheduledFor),
    attempt: 1,
    started_at: new Date(),
    ...EMPTY_RUN_OUTCOME,
    status: 'RUNNING',
    request: { method: 'GET', url: target.url, headers: {} },
    catch_up: false,
    manual: false,
    missed_count: 0,
    instance_id: instanceId,
  };
}

describe('InstanceLease', () => {
  const fixture = new EngineFixture();
  let lease: InstanceLease | null = null;

  beforeEach(() => fixture.setUp());
  afterEach(async () => {
    await lease?.stop();
    lease = null;
    await fixture.tearDown();
  });

  it('registers the engine at start and removes it at stop', async () => {
    const engine = fixture.createEngine({ instanceId: 'instance-a', leaseMs: 9_000 });
    const before = Date.now();

    await engine.start();

    const [instance] = await fixture.store.listInstances();
    expect(instance?.id).toBe('instance-a');
    expect(instance!.lease_expires_at.getTime() - instance!.heartbeat_at.getTime()).toBe(9_000);
    expect(instance!.heartbeat_at.getTime()).toBeGreaterThanOrEqual(before);

    await engine.stop(0);

    expect(await fixture.store.listInstances()).toEqual([]);
  });

  it('renews the lease on every heartbeat', async () => {
    lease = new InstanceLease({ store: fixture.store, clock: systemClock, logger: silent, instanceId: 'instance-a', leaseMs: 3_000, heartbeatIntervalMs: 50 });
    await lease.start();
    const first = (await fixture.store.listInstances())[0]!;

    const renewed = await waitFor(async () => {
      const current = (await fixture.store.listInstances())[0];
      return current !== undefined && current.heartbeat_at > first.heartbeat_at ? current : null;
    });

    expect(renewed.started_at).toEqual(first.started_at);
    expect(renewed.lease_expires_at.getTime()).toBe(renewed.heartbeat_at.getTime() + 3_000);
  });

  it('interrupts the runs of an instance once its lease lapses', async () => {
    const target = await fixture.addTarget('/slow');
    const schedule = await fixture.addSchedule(target, Date.now() + 3_600_000);
    const leaseEnd = Date.now() + 400;
    await fixture.store.heartbeat({ instanceId: 'dead', now: new Date(leaseEnd - 400), leaseMs: 400 });
    const orphan = await fixture.store.insertRun(runningRun(schedule, target, 'dead', Date.now()));
    lease = new InstanceLease({ store: fixture.store, clock: systemClock, logger: silent, instanceId: 'live', leaseMs: 3_000, heartbeatIntervalMs: 50 });

    await lease.start();
    expect((await fixture.store.getRun(orphan.id))?.status).toBe('RUNNING');

    const interrupted = await waitFor(async () => {
      const run = await fixture.store.getRun(orphan.id);
      return run?.status === 'FAILURE' ? run : null;
    });

    expect(interrupted.error_type).toBe('INTERRUPTED');
    expect(interrupted.error_message).toBe(INTERRUPTED_BY_LAPSED_LEASE);
    expect(interrupted.finished_at!.getTime()).toBeGreaterThan(leaseEnd);
    expect((await fixture.store.listInstances()).map((instance) => instance.id)).toEqual(['live']);
  });

  it('logs a failed heartbeat and keeps going', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    lease = new InstanceLease({ store: fixture.store, clock: systemClock, logger: pino(sink), instanceId: 'instance-a', leaseMs: 3_000, heartbeatIntervalMs: 30 });
    await lease.start();

    await fixture.store.close();
    await waitFor(async () => lines.filter((line) => line.msg.startsWith('renewing the instance lease failed')).length >= 2);
    await lease.stop();
    lease = null;
    await sleep(100);

    expect(lines.some((line) => line.msg === 'removing the instance row at stop failed')).toBe(true);
    // The fixture closes the store again at tear-down; give it a new one.
    await fixture.reopenStore();
  });
});
