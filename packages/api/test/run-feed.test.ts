import { newId, systemClock } from '@api-scheduler/core';
import type { Run } from '@api-scheduler/core';
import { RunEvents } from '@api-scheduler/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RunFeed } from '../src/index.js';
import type { RunChange } from '../src/index.js';
import { makeRun } from './run-fixtures.js';
import { createTestContext } from './test-context.js';
import type { TestContext } from './test-context.js';

const POLL_MS = 30;

let t: TestContext;
let scheduleId: string;
let targetId: string;
const feeds: RunFeed[] = [];

beforeEach(async () => {
  t = await createTestContext();
  targetId = (await t.caller.targets.create({ url: 'https://example.com/' })).id;
  scheduleId = (await t.caller.schedules.create({ target_id: targetId, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 10 } })).id;
});

afterEach(async () => {
  for (const feed of feeds.splice(0)) feed.close();
  await t.close();
});

function startFeed(events: RunEvents | null, pollIntervalMs: number | null): { changes: RunChange[]; unsubscribe: () => void } {
  // The feed reads ids against real time, as a server does.
  const feed = new RunFeed({ store: t.store, clock: systemClock, logger: t.ctx.logger, events, pollIntervalMs });
  feeds.push(feed);
  const changes: RunChange[] = [];
  const unsubscribe = feed.subscribe((change) => changes.push(change));
  return { changes, unsubscribe };
}

async function waitUntil(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runningRun(at: number, overrides: Partial<Run> = {}): Run {
  return makeRun(scheduleId, targetId, at, { id: newId(at), status: 'RUNNING', finished_at: null, status_code: null, latency_ms: null, ...overrides });
}

async function finish(run: Run): Promise<void> {
  await t.store.finishRuns([
    { ...run, finished_at: new Date(), status: 'SUCCESS', status_code: 200, latency_ms: 5, response_size: 2, response_headers: {}, response_body: '{}', truncated: false, error_type: null, error_message: null },
  ]);
}

const summary = (changes: RunChange[]) => changes.map((change) => `${change.kind}:${change.run.id}`);

describe('RunFeed', () => {
  it('polls the store for started and finished runs', async () => {
    const feed = startFeed(null, POLL_MS);
    await sleep(POLL_MS * 2);

    const run = await t.store.insertRun(runningRun(Date.now()));
    await waitUntil(() => feed.changes.length === 1);
    await finish(run);
    await waitUntil(() => feed.changes.length === 2);
    await sleep(POLL_MS * 4);

    expect(summary(feed.changes)).toEqual([`started:${run.id}`, `finished:${run.id}`]);
    expect(feed.changes[1]!.run.status).toBe('SUCCESS');
  });

  it('reports the finish of runs in flight before it started', async () => {
    const run = await t.store.insertRun(runningRun(Date.now() - 60_000));
    const feed = startFeed(null, POLL_MS);
    await sleep(POLL_MS * 3);

    await finish(run);
    await waitUntil(() => feed.changes.length === 1);

    expect(summary(feed.changes)).toEqual([`finished:${run.id}`]);
  });

  it('finds runs whose ids lag behind by a second', async () => {
    const feed = startFeed(null, POLL_MS);
    await sleep(POLL_MS * 3);

    // Made by a process whose clock runs a second behind.
    const run = await t.store.insertRun(runningRun(Date.now() - 1_000, { status: 'SUCCESS', finished_at: new Date() }));
    await waitUntil(() => feed.changes.length === 1);

    expect(summary(feed.changes)).toEqual([`finished:${run.id}`]);
  });

  it('delivers each change once from events and polls', async () => {
    const events = new RunEvents();
    const feed = startFeed(events, POLL_MS);
    await sleep(POLL_MS * 2);

    const run = await t.store.insertRun(runningRun(Date.now()));
    events.onRunStarted(run);
    await finish(run);
    const finished = (await t.store.getRun(run.id))!;
    events.onRunFinished(finished);
    await sleep(POLL_MS * 5);

    expect(summary(feed.changes)).toEqual([`started:${run.id}`, `finished:${run.id}`]);
  });

  it('forwards engine events without polling', async () => {
    const events = new RunEvents();
    const feed = startFeed(events, null);
    const run = runningRun(Date.now());

    events.onRunStarted(run);
    events.onRunFinished({ ...run, status: 'FAILURE', finished_at: new Date() });
    feed.unsubscribe();
    events.onRunStarted(runningRun(Date.now()));

    expect(summary(feed.changes)).toEqual([`started:${run.id}`, `finished:${run.id}`]);
    expect(events.listenerCount('started')).toBe(0);
  });

  it('stops polling when the last listener leaves', async () => {
    let polls = 0;
    const store = new Proxy(t.store, {
      get(target, property, receiver) {
        if (property === 'listRunsAfter') polls += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const feed = new RunFeed({ store, clock: systemClock, logger: t.ctx.logger, events: null, pollIntervalMs: POLL_MS });
    feeds.push(feed);
    const unsubscribe = feed.subscribe(() => undefined);
    await waitUntil(() => polls >= 2);

    unsubscribe();
    await sleep(POLL_MS * 2);
    const pollsAfterUnsubscribe = polls;
    await sleep(POLL_MS * 4);

    expect(polls).toBe(pollsAfterUnsubscribe);
  });
});
