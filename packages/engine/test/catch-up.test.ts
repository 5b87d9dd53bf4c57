import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EngineFixture, sleep, waitFor } from './engine-fixture.js';

const BACKLOG_SCHEDULES = 2_000;
const ON_TIME_INTERVAL_MS = 1_000;
const BACKLOG_RESPONSE_DELAY_MS = 50;

let fixture: EngineFixture;

beforeEach(async () => {
  fixture = new EngineFixture();
  await fixture.setUp();
});

afterEach(async () => {
  await fixture.tearDown();
});

/** Lateness of each request to `path`: receive time minus the planned instant in its Idempotency-Key. */
function latenessOf(path: string): number[] {
  return fixture.requestsTo(path).map((request) => request.at - Number(request.key.split(':')[1]));
}

describe('Engine catch-up', () => {
  it('keeps on-time schedules on time', { timeout: 60_000 }, async () => {
    // The backlog target responds after 50 ms, so 20 connections send about
    // 400 requests a second and the backlog takes about 5 s to drain.
    fixture.on('/backlog', (_request, response) => {
      setTimeout(() => response.end('ok'), BACKLOG_RESPONSE_DELAY_MS);
    });
    const backlogTarget = await fixture.addTarget('/backlog');
    const onTimeTarget = await fixture.addTarget('/on-time');
    const hourAgo = Date.now() - 3_600_000;
    for (let i = 0; i < BACKLOG_SCHEDULES; i += 1) await fixture.addSchedule(backlogTarget, hourAgo + i);
    const onTime = await fixture.addSchedule(onTimeTarget, Date.now() + 500, { interval_seconds: ON_TIME_INTERVAL_MS / 1_000, overlap_policy: 'skip' });

    await fixture.createEngine({ executor: { maxConcurrency: 20, maxPerHost: 20 } }).start();
    await waitFor(async () => fixture.requestsTo('/backlog').length >= BACKLOG_SCHEDULES || null, 50_000);
    const backlogDoneAt = Date.now();
    await sleep(ON_TIME_INTERVAL_MS);

    const sentDuringBacklog = fixture.requestsTo('/on-time').filter((request) => request.at <= backlogDoneAt);
    expect(sentDuringBacklog.length).toBeGreaterThanOrEqual(2);
    // Before the backlog was capped and claimed after on-time schedules,
    // these fires queued behind the whole backlog and came seconds late.
    expect(Math.max(...latenessOf('/on-time'))).toBeLessThan(1_000);
    const skipped = (await fixture.runsOf(onTime.id)).filter((run) => run.status === 'SKIPPED');
    expect(skipped).toHaveLength(0);
  });
});
