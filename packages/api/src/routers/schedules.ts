import {
  ConflictError,
  NO_ALERT,
  NotFoundError,
  ValidationError,
  createScheduleInput,
  idFilterSchema,
  newId,
  pageInput,
  queryNumberField,
  scheduleStatusSchema,
  timezoneSchema,
  updateScheduleInput,
} from '@api-scheduler/core';
import type { AlertConfig, Schedule, ScheduleType, ValidationIssue } from '@api-scheduler/core';
import type { SchedulePatch, Store } from '@api-scheduler/db';
import { z } from 'zod';

import { checkUrlAddress } from '../check-url-address.js';
import { activate, defaultScheduleName } from '../plan-schedule.js';
import { resolveScheduleTiming } from '../resolve-schedule-timing.js';
import type { ScheduleTiming } from '../resolve-schedule-timing.js';
import { idInput, pageOutput } from '../schemas/common.js';
import { runOutput, toRunOutput } from '../schemas/run.js';
import { alertNotificationOutput, scheduleOutput, toScheduleOutput } from '../schemas/schedule.js';
import { readProcedure, router, writeProcedure } from '../trpc.js';
import { getSchedule } from './get-schedule.js';
import { schedulePreviewProcedures } from './schedule-preview.js';
import { scheduleStatsProcedures } from './schedule-stats.js';

const listSchedulesInput = pageInput.extend({
  status: scheduleStatusSchema.optional(),
  target_id: idFilterSchema('target_id').optional(),
});

// Core defaults timezone to UTC. Left optional here, so that a CRON config's
// own timezone can take its place when the client sends no top-level one.
const createInput = createScheduleInput.extend({
  timezone: timezoneSchema.optional().describe('IANA time zone of naive times and cron expressions; default the timezone of a CRON config, else UTC'),
});

const updateInput = updateScheduleInput
  .extend({
    status: z
      .enum(['ACTIVE', 'PAUSED'], { error: 'status must be ACTIVE or PAUSED' })
      .optional()
      .describe('PAUSED pauses the schedule and ACTIVE resumes it from now, as the pause and resume actions do'),
  })
  .extend(idInput.shape);

function targetNotFound(targetId: string): ValidationIssue {
  return { loc: ['target_id'], msg: `Target ${targetId} was not found`, type: 'not_found' };
}

async function checkTarget(store: Store, targetId: string, issues: ValidationIssue[]): Promise<void> {
  if ((await store.getTarget(targetId)) === null) issues.push(targetNotFound(targetId));
}

/** Runs a store write, turning an unknown target (deleted since it was checked) into the same 422 as the check. */
async function writeSchedule(write: () => Promise<Schedule>, targetId: string | undefined): Promise<Schedule> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof NotFoundError && error.entity === 'target' && targetId !== undefined) {
      throw new ValidationError([targetNotFound(targetId)]);
    }
    throw error;
  }
}

/**
 * Returns the stored config to resolve again when the patch sends no config.
 * A stored CRON config contains the old time zone, which must follow a new one.
 */
function storedConfigFor(existing: Schedule, type: ScheduleType, timezone: string | undefined): unknown {
  if (type === 'CRON' && timezone !== undefined) return { ...existing.schedule_config, timezone };
  return existing.schedule_config;
}

/**
 * Returns the alert fields an update sets. Removing the alert clears its
 * state and count, and adding one to a schedule without an alert starts
 * them afresh. A changed alert keeps them, so an edit does not notify again.
 */
function alertPatch(existing: Schedule, alert: AlertConfig | null | undefined, now: number): Partial<SchedulePatch> {
  if (alert === undefined) return {};
  if (alert !== null && existing.alert !== null) return { alert };
  const changedAt = existing.alert_state === 'OK' ? existing.alert_changed_at : new Date(now);
  return { ...NO_ALERT, alert, alert_changed_at: changedAt };
}

export const schedulesRouter = router({
  list: readProcedure
    .input(listSchedulesInput)
    .output(pageOutput(scheduleOutput))
    .query(async ({ ctx, input }) => {
      const page = await ctx.store.listSchedules(input);
      return { items: page.items.map(toScheduleOutput), next_cursor: page.next_cursor };
    }),

  get: readProcedure
    .input(idInput)
    .output(scheduleOutput)
    .query(async ({ ctx, input }) => toScheduleOutput(await getSchedule(ctx, input.id))),

  create: writeProcedure
    .input(createInput)
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.clock.now();

      if (input.alert !== null) checkUrlAddress(ctx.addressPolicy, input.alert.webhook_url, ['alert', 'webhook_url']);
      // Both checks run, so one response lists every problem.
      const issues: ValidationIssue[] = [];
      await checkTarget(ctx.store, input.target_id, issues);
      const timing = resolveScheduleTiming(
        { type: input.schedule_type, config: input.schedule_config, timezone: input.timezone, defaultTimezone: 'UTC', now },
        issues,
      );
      if (timing === null || issues.length > 0) throw new ValidationError(issues);
      const { config, timezone } = timing;

      const activation = activate(input.schedule_type, config, 0, now);
      const paused = input.status === 'PAUSED' && activation.status === 'ACTIVE';
      const schedule = await writeSchedule(
        () =>
          ctx.store.createSchedule({
            id: newId(now),
            target_id: input.target_id,
            name: input.name ?? defaultScheduleName(input.schedule_type, config),
            schedule_type: input.schedule_type,
            schedule_config: config,
            status: paused ? 'PAUSED' : activation.status,
            // A paused schedule has no next fire: resume plans it.
            next_run_at: paused ? null : activation.next_run_at,
            run_count: 0,
            last_run_at: null,
            timezone,
            retry_policy: input.retry_policy,
            overlap_policy: input.overlap_policy,
            misfire_policy: input.misfire_policy,
            ...NO_ALERT,
            alert: input.alert,
            created_at: new Date(now),
            updated_at: new Date(now),
          }),
        input.target_id,
      );

      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  update: writeProcedure
    .input(updateInput)
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const { id, schedule_type, schedule_config, timezone, status, alert, ...fields } = input;
      if (alert) checkUrlAddress(ctx.addressPolicy, alert.webhook_url, ['alert', 'webhook_url']);
      const existing = await getSchedule(ctx, id);
      const now = ctx.clock.now();
      const issues: ValidationIssue[] = [];

      if (fields.target_id !== undefined && fields.target_id !== existing.target_id) {
        await checkTarget(ctx.store, fields.target_id, issues);
      }

      const type = schedule_type ?? existing.schedule_type;
      const typeChanged = type !== existing.schedule_type;
      const replan = typeChanged || schedule_config !== undefined || (timezone !== undefined && timezone !== existing.timezone);

      let timing: ScheduleTiming | null = { config: existing.schedule_config, timezone: existing.timezone };
      if (typeChanged && schedule_config === undefined) {
        issues.push({ loc: ['schedule_config'], msg: `schedule_config is required when schedule_type changes to ${type}`, type: 'missing' });
      } else if (replan) {
        // A stored config has its times resolved to UTC already, so resolving it again keeps its slots.
        const config = schedule_config ?? storedConfigFor(existing, type, timezone);
        timing = resolveScheduleTiming({ type, config, timezone, defaultTimezone: existing.timezone, now }, issues);
      }
      if (timing === null || issues.length > 0) throw new ValidationError(issues);

      const statusChanged = status !== undefined && status !== existing.status;
      if (statusChanged && existing.status === 'COMPLETED' && !replan) {
        throw new ConflictError(`Schedule ${id} is COMPLETED and cannot be set to ${status}: change its config to plan new fires`);
      }

      const patch: SchedulePatch = { ...fields, ...alertPatch(existing, alert, now), updated_at: new Date(now) };
      if (replan) {
        Object.assign(patch, { schedule_type: type, schedule_config: timing.config, timezone: timing.timezone });
      }
      // A new type or config is a new plan: its max_runs counts fires from
      // now on, so a COMPLETED schedule given a new window fires again.
      const runCount = typeChanged || schedule_config !== undefined ? 0 : existing.run_count;
      if (runCount !== existing.run_count) patch.run_count = runCount;
      if (replan || statusChanged) {
        // Planned from now, so no slot before the change fires. A schedule
        // that stays or becomes PAUSED gets no next fire, unless no slot is
        // left at all: then it is COMPLETED, as on create.
        const paused = (status ?? existing.status) === 'PAUSED';
        const activation = activate(type, timing.config, runCount, now);
        Object.assign(patch, paused && activation.status === 'ACTIVE' ? { status: 'PAUSED', next_run_at: null } : activation);
      }

      const schedule = await writeSchedule(() => ctx.store.updateSchedule(id, patch), fields.target_id);
      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  delete: writeProcedure
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await ctx.store.deleteSchedule(input.id);
      ctx.scheduler.wake();
    }),

  pause: writeProcedure
    .input(idInput)
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const existing = await getSchedule(ctx, input.id);
      if (existing.status === 'COMPLETED') {
        throw new ConflictError(`Schedule ${input.id} is COMPLETED and cannot be paused: it has no fires left`);
      }
      if (existing.status === 'PAUSED') return toScheduleOutput(existing);

      // NOTE: a read, then a write. A claim that completes the schedule between
      // the two is overwritten with PAUSED, because the Store has no conditional update.
      const schedule = await ctx.store.updateSchedule(input.id, {
        status: 'PAUSED',
        next_run_at: null,
        updated_at: new Date(ctx.clock.now()),
      });
      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  resume: writeProcedure
    .input(idInput)
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const existing = await getSchedule(ctx, input.id);
      if (existing.status === 'COMPLETED') {
        throw new ConflictError(`Schedule ${input.id} is COMPLETED and cannot be resumed: change its config to plan new fires`);
      }
      if (existing.status === 'ACTIVE') return toScheduleOutput(existing);

      // Planned from now, so the paused period never fires.
      const now = ctx.clock.now();
      const activation = activate(existing.schedule_type, existing.schedule_config, existing.run_count, now);
      const schedule = await ctx.store.updateSchedule(input.id, { ...activation, updated_at: new Date(now) });
      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  /**
   * Starts an extra run now ("run now") and returns it while it is RUNNING.
   * It leaves next_run_at and run_count alone, so any status may be
   * triggered, COMPLETED included.
   */
  trigger: writeProcedure
    .input(idInput)
    .output(runOutput)
    .mutation(async ({ ctx, input }) => {
      // Checked here too, so an unknown id is a 404 even in a process without an engine.
      await getSchedule(ctx, input.id);
      const run = await ctx.scheduler.trigger(input.id);
      return toRunOutput(run);
    }),

  /** A schedule's newest alert notifications and how their delivery went. */
  alerts: readProcedure
    .input(idInput.extend({ limit: queryNumberField('limit', { min: 1, max: 100 }).default(20) }))
    .output(z.array(alertNotificationOutput))
    .query(async ({ ctx, input }) => {
      await getSchedule(ctx, input.id);
      return ctx.store.listAlertNotifications(input.id, input.limit);
    }),

  ...schedulePreviewProcedures,
  ...scheduleStatsProcedures,
});
