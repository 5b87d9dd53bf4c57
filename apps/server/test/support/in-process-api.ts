import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { createCaller } from '@api-scheduler/api';
import type { ApiContext, SchedulerControl } from '@api-scheduler/api';
import { FakeClock, NotFoundError, maskHeaders, newId } from '@api-scheduler/core';
import type { Run, Schedule, Target } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import type { Store } from '@api-scheduler/db';
import { pino } from 'pino';

import { createHttpServer } from '../../src/http/server.js';

/** Every stored target, schedule and run, read through the store. */
export interface StoredData {
  targets: Target[];
  schedules: Schedule[];
  runs: Run[];
}

/** The instant that the fake clock of the API shows, so "now" in generated configs is the same on every run. */
export const FAKE_NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

async function readAll<T extends { id: string }>(list: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/**
 * The HTTP server of the API on 127.0.0.1 with a real libSQL store in a
 * temporary folder, a fake clock and no engine. Its SchedulerControl stub
 * sends no HTTP: trigger only inserts the RUNNING manual run that the engine
 * would insert.
 */
export class InProcessApi {
  base = '';
  host = '127.0.0.1';
  port = 0;
  wakes = 0;
  readonly clock = new FakeClock(FAKE_NOW);

  private folder = '';
  private insertedRuns = 0;
  private server: Server | null = null;
  private storeInstance: Store | null = null;
  private contextInstance: ApiContext | null = null;

  get store(): Store {
    if (this.storeInstance === null) throw new Error('InProcessApi.start() has not run');
    return this.storeInstance;
  }

  get context(): ApiContext {
    if (this.contextInstance === null) throw new Error('InProcessApi.start() has not run');
    return this.contextInstance;
  }

  async start(): Promise<void> {
    this.folder = await mkdtemp(join(tmpdir(), 'api-scheduler-bad-input-'));
    const store = await createLibsqlStore({ url: pathToFileURL(join(this.folder, 'scheduler.db')).href });
    await store.migrate();
    this.storeInstance = store;

    const scheduler: SchedulerControl = {
      wake: () => {
        this.wakes += 1;
      },
      trigger: (scheduleId) => this.insertManualRun(scheduleId),
    };
    const logger = pino({ level: 'silent' });
    this.contextInstance = { store, clock: this.clock, logger, scheduler, instanceId: 'bad-input-test', startedAt: FAKE_NOW };

    const server = createHttpServer({ context: this.contextInstance, uiDir: null, logger });
    await new Promise<void>((resolve) => server.listen(0, this.host, resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.base = `http://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.server !== null) {
      const server = this.server;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.storeInstance?.close().catch(() => undefined);
    if (this.folder !== '') await rm(this.folder, { recursive: true, force: true });
  }

  /** Reads every target, schedule and run through the store. */
  async readStoredData(): Promise<StoredData> {
    const store = this.store;
    const [targets, schedules, runs] = await Promise.all([
      readAll((cursor) => store.listTargets({ limit: 1000, cursor })),
      readAll((cursor) => store.listSchedules({ limit: 1000, cursor })),
      readAll((cursor) => store.listRuns({ limit: 1000, cursor })),
    ]);
    return { targets, schedules, runs };
  }

  /**
   * Creates, through the procedures, whatever of the fixture set is missing:
   * targets with and without a body, a schedule of every type, a PAUSED and a
   * COMPLETED schedule, an unused target and finished runs. Requests under
   * test may delete any of them, so each property calls this first.
   */
  async ensureFixtures(data: StoredData): Promise<boolean> {
    const caller = createCaller(this.context);
    let changed = false;

    const targetIds = new Set(data.schedules.map((schedule) => schedule.target_id));
    const unused = data.targets.filter((target) => !targetIds.has(target.id));
    if (data.targets.length < 3 || unused.length === 0) {
      await caller.targets.create({ url: 'http://127.0.0.1:9/get', name: 'fixture GET' });
      await caller.targets.create({
        url: 'http://127.0.0.1:9/post',
        method: 'POST',
        body_template: '{"hello": "world"}',
        headers: { Authorization: 'Bearer fixture-secret', 'X-Plain': 'plain' },
      });
      changed = true;
    }

    const target = data.targets[0] ?? (await caller.targets.list({ limit: 1 })).items[0]!;
    const has = (predicate: (schedule: Schedule) => boolean): boolean => data.schedules.some(predicate);
    const create = async (input: Parameters<typeof caller.schedules.create>[0]): Promise<void> => {
      await caller.schedules.create(input);
      changed = true;
    };

    if (!has((schedule) => schedule.schedule_type === 'INTERVAL' && schedule.status === 'ACTIVE')) {
      await create({ target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 60 } });
    }
    if (!has((schedule) => schedule.schedule_type === 'WINDOW' && schedule.status === 'ACTIVE')) {
      await create({
        target_id: target.id,
        schedule_type: 'WINDOW',
        schedule_config: { start_time: 'now', end_time: 'now + 2 hours', interval_seconds: 600, max_runs: 5 },
      });
    }
    if (!has((schedule) => schedule.schedule_type === 'CRON' && schedule.status === 'ACTIVE')) {
      await create({ target_id: target.id, schedule_type: 'CRON', schedule_config: { expression: '30 2 * * MON-FRI' }, timezone: 'America/New_York' });
    }
    if (!has((schedule) => schedule.schedule_type === 'ONCE' && schedule.status === 'ACTIVE')) {
      await create({ target_id: target.id, schedule_type: 'ONCE', schedule_config: { run_at: 'now + 3 days' } });
    }
    if (!has((schedule) => schedule.status === 'PAUSED')) {
      await create({ target_id: target.id, schedule_type: 'INTERVAL', schedule_config: { interval_seconds: 300 }, status: 'PAUSED' });
    }
    if (!has((schedule) => schedule.status === 'COMPLETED')) {
      // The only slot of this window, ten minutes ago, has passed, so the schedule is COMPLETED from the start.
      await create({
        target_id: target.id,
        schedule_type: 'WINDOW',
        schedule_config: { start_time: 'now - 10 minutes', end_time: 'now + 30 seconds', interval_seconds: 420 },
      });
    }

    if (data.runs.length < 3) {
      const schedules = (await caller.schedules.list({ limit: 3 })).items;
      for (const schedule of schedules) {
        await this.store.insertRun(finishedRun(schedule.id, schedule.target_id, this.nextRunInstant()));
      }
      changed = true;
    }
    return changed;
  }

  /**
   * Returns a new instant for an inserted run. The clock does not move, and
   * runs of one schedule need distinct scheduled_for values because of the
   * unique key (schedule_id, scheduled_for, attempt).
   */
  private nextRunInstant(): number {
    this.insertedRuns += 1;
    return this.clock.now() + this.insertedRuns;
  }

  /** Inserts the RUNNING manual run that the engine's trigger would insert, in its place, and sends nothing. */
  private async insertManualRun(scheduleId: string): Promise<Run> {
    const schedule = await this.store.getSchedule(scheduleId);
    if (!schedule) throw new NotFoundError('schedule', scheduleId);
    const target = await this.store.getTarget(schedule.target_id);
    if (!target) throw new NotFoundError('target', schedule.target_id);

    return this.store.insertRun({
      ...finishedRun(schedule.id, target.id, this.nextRunInstant()),
      finished_at: null,
      status: 'RUNNING',
      status_code: null,
      latency_ms: null,
      response_size: null,
      response_headers: null,
      response_body: null,
      request: { method: target.method, url: target.url, headers: maskHeaders(target.headers) },
      manual: true,
    });
  }
}

function finishedRun(scheduleId: string, targetId: string, at: number): Run {
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
    request: { method: 'GET', url: 'http://127.0.0.1:9/get', headers: {} },
    catch_up: false,
    manual: true,
    missed_count: 0,
    instance_id: 'bad-input-test',
  };
}
