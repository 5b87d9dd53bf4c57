import {
  ConflictError,
  NotFoundError,
  ValidationError,
  createScheduleInput,
  newId,
  pageInput,
  resolveScheduleConfig,
  scheduleStatusSchema,
  updateScheduleInput,
} from '@api-scheduler/core';
import type { ResolveOptions, Schedule, ScheduleConfig, ScheduleType, ValidationIssue } from '@api-scheduler/core';
import type { SchedulePatch, Store } from '@api-scheduler/db';
import { z } from 'zod';

import type { ApiContext } from '../context.js';
import { activate, defaultScheduleName } from '../plan-schedule.js';
import { idInput, pageOutput } from '../schemas/common.js';
import { scheduleOutput, toScheduleOutput } from '../schemas/schedule.js';
import { publicProcedure, router } from '../trpc.js';

const listSchedulesInput = pageInput.extend({
  status: scheduleStatusSchema.optional(),
  target_id: z.string().min(1).optional(),
});

function targetNotFound(targetId: string): ValidationIssue {
  return { loc: ['target_id'], msg: `Target ${targetId} was not found`, type: 'not_found' };
}

async function checkTarget(store: Store, targetId: string, issues: ValidationIssue[]): Promise<void> {
  if ((await store.getTarget(targetId)) === null) issues.push(targetNotFound(targetId));
}

/** Resolves a config, adding its validation issues to `issues` instead of throwing them. */
function resolveConfig(type: ScheduleType, raw: unknown, options: ResolveOptions, issues: ValidationIssue[]): ScheduleConfig | null {
  try {
    return resolveScheduleConfig(type, raw, options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return null;
  }
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

async function getSchedule(ctx: ApiContext, id: string): Promise<Schedule> {
  const schedule = await ctx.store.getSchedule(id);
  if (!schedule) throw new NotFoundError('schedule', id);
  return schedule;
}

export const schedulesRouter = router({
  list: publicProcedure
    .input(listSchedulesInput)
    .output(pageOutput(scheduleOutput))
    .query(async ({ ctx, input }) => {
      const page = await ctx.store.listSchedules(input);
      return { items: page.items.map(toScheduleOutput), next_cursor: page.next_cursor };
    }),

  get: publicProcedure
    .input(idInput)
    .output(scheduleOutput)
    .query(async ({ ctx, input }) => toScheduleOutput(await getSchedule(ctx, input.id))),

  create: publicProcedure
    .input(createScheduleInput)
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const now = ctx.clock.now();

      // Both checks run, so one response lists every problem.
      const issues: ValidationIssue[] = [];
      await checkTarget(ctx.store, input.target_id, issues);
      const config = resolveConfig(input.schedule_type, input.schedule_config, { now, timezone: input.timezone }, issues);
      if (config === null || issues.length > 0) throw new ValidationError(issues);

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
            timezone: input.timezone,
            retry_policy: input.retry_policy,
            overlap_policy: input.overlap_policy,
            misfire_policy: input.misfire_policy,
            created_at: new Date(now),
            updated_at: new Date(now),
          }),
        input.target_id,
      );

      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  update: publicProcedure
    .input(updateScheduleInput.extend(idInput.shape))
    .output(scheduleOutput)
    .mutation(async ({ ctx, input }) => {
      const { id, schedule_type, schedule_config, timezone, ...fields } = input;
      const existing = await getSchedule(ctx, id);
      const now = ctx.clock.now();
      const issues: ValidationIssue[] = [];

      if (fields.target_id !== undefined && fields.target_id !== existing.target_id) {
        await checkTarget(ctx.store, fields.target_id, issues);
      }

      const type = schedule_type ?? existing.schedule_type;
      const zone = timezone ?? existing.timezone;
      const typeChanged = type !== existing.schedule_type;
      const replan = typeChanged || schedule_config !== undefined || zone !== existing.timezone;

      let config: ScheduleConfig | null = existing.schedule_config;
      if (typeChanged && schedule_config === undefined) {
        issues.push({ loc: ['schedule_config'], msg: `schedule_config is required when schedule_type changes to ${type}`, type: 'missing' });
      } else if (replan) {
        // A stored config has its times resolved to UTC already, so resolving it again keeps its slots.
        config = resolveConfig(type, schedule_config ?? existing.schedule_config, { now, timezone: zone }, issues);
      }
      if (config === null || issues.length > 0) throw new ValidationError(issues);

      const patch: SchedulePatch = { ...fields, updated_at: new Date(now) };
      if (replan) {
        Object.assign(patch, { schedule_type: type, schedule_config: config, timezone: zone });
        // A paused schedule keeps its status, and resume plans it from the new config.
        if (existing.status !== 'PAUSED') Object.assign(patch, activate(type, config, existing.run_count, now));
      }

      const schedule = await writeSchedule(() => ctx.store.updateSchedule(id, patch), fields.target_id);
      ctx.scheduler.wake();
      return toScheduleOutput(schedule);
    }),

  delete: publicProcedure
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await ctx.store.deleteSchedule(input.id);
      ctx.scheduler.wake();
    }),

  pause: publicProcedure
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

  resume: publicProcedure
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
});
