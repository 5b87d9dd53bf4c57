import { DEFAULT_RETRY_POLICY, NO_ALERT, firstRunAt, maskHeaders, newId, planFire, resolveScheduleConfig } from '@api-scheduler/core';
import type { Run, RunRequest, Schedule, ScheduleType, Target } from '@api-scheduler/core';

import type { ClaimInput, NewTarget, PlanFireFn } from '../src/index.js';

export const second = 1_000;
export const minute = 60_000;
export const hour = 3_600_000;

/** The instant that the claim tests use as "now", unless a test sets another. */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

// Ids made from a strictly increasing clock, so creation order is id order
// even within one millisecond of wall time.
let idClock = Date.parse('2029-01-01T00:00:00.000Z');
export function orderedId(): string {
  idClock += 1;
  return newId(idClock);
}

export function newTarget(overrides: Partial<NewTarget> = {}): NewTarget {
  return {
    id: orderedId(),
    name: 'hook',
    // The discard port on loopback, although no test here sends a request.
    url: 'http://127.0.0.1:9/hook',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer test-secret' },
    body_template: '{"ping":true}',
    timeout_ms: 5_000,
    signing_secret: null,
    created_at: new Date(T0 - hour),
    updated_at: new Date(T0 - hour),
    ...overrides,
  };
}

export interface ScheduleOptions {
  type?: ScheduleType;
  /** A schedule_config as a client sends it. The default fires every minute on a grid that starts a day before T0. */
  config?: Record<string, unknown>;
  /** The instant the schedule is created at, which "now" in its config means. The default is 30 s before T0. */
  createdAt?: number;
  overrides?: Partial<Schedule>;
}

/**
 * Builds a schedule the way the API does: config resolved, next_run_at from
 * firstRunAt. With the defaults, next_run_at is T0, and every whole minute
 * before T0 is a slot, so a schedule set due earlier has missed slots.
 */
export function newSchedule(target: Target | NewTarget, options: ScheduleOptions = {}): Schedule {
  const type = options.type ?? 'INTERVAL';
  const createdAt = options.createdAt ?? T0 - 30 * second;
  const config = resolveScheduleConfig(type, options.config ?? { interval_seconds: 60, start_time: iso(T0 - 24 * hour) }, {
    now: createdAt,
    timezone: 'UTC',
  });
  const nextRunAt = firstRunAt(type, config, createdAt);

  return {
    id: orderedId(),
    target_id: target.id,
    name: 'every minute',
    schedule_type: type,
    schedule_config: config,
    status: 'ACTIVE',
    next_run_at: nextRunAt === null ? null : new Date(nextRunAt),
    run_count: 0,
    last_run_at: null,
    timezone: 'UTC',
    retry_policy: DEFAULT_RETRY_POLICY,
    overlap_policy: 'skip',
    misfire_policy: 'fire_once',
    ...NO_ALERT,
    created_at: new Date(createdAt),
    updated_at: new Date(createdAt),
    ...options.overrides,
  };
}

export function describeRequest(target: Target): RunRequest {
  return { method: target.method, url: target.url, headers: maskHeaders(target.headers) };
}

export const plan: PlanFireFn = (schedule, now) =>
  planFire(
    {
      schedule_type: schedule.schedule_type,
      schedule_config: schedule.schedule_config,
      misfire_policy: schedule.misfire_policy,
      run_count: schedule.run_count,
      next_run_at: schedule.next_run_at!.getTime(),
    },
    now,
    { misfireGraceMs: 1_000, fireAllLimit: 100 },
  );

export function claimInput(now: number, overrides: Partial<ClaimInput> = {}): ClaimInput {
  return { now, limit: 100, instanceId: 'instance-a', plan, describeRequest, ...overrides };
}

/** Builds a run as the engine records one, RUNNING unless overridden. */
export function newRun(schedule: Schedule, overrides: Partial<Run> = {}): Run {
  const scheduledFor = overrides.scheduled_for ?? new Date(T0);
  return {
    id: orderedId(),
    schedule_id: schedule.id,
    target_id: schedule.target_id,
    scheduled_for: scheduledFor,
    attempt: 1,
    started_at: scheduledFor,
    finished_at: null,
    status: 'RUNNING',
    status_code: null,
    latency_ms: null,
    response_size: null,
    response_headers: null,
    response_body: null,
    truncated: false,
    error_type: null,
    error_message: null,
    request: { method: 'POST', url: 'http://127.0.0.1:9/hook', headers: { Authorization: '***' } },
    catch_up: false,
    manual: false,
    missed_count: 0,
    instance_id: 'instance-a',
    ...overrides,
  };
}
