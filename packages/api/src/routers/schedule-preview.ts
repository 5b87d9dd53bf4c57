import { ValidationError, createScheduleInput, timezoneSchema } from '@api-scheduler/core';
import type { ValidationIssue } from '@api-scheduler/core';
import { z } from 'zod';

import { previewSchedule, previewSlots } from '../preview-schedule.js';
import { resolveScheduleTiming } from '../resolve-schedule-timing.js';
import { idInput } from '../schemas/common.js';
import { configPreviewOutput, previewCountSchema, schedulePreviewOutput } from '../schemas/schedule-preview.js';
import { readProcedure } from '../trpc.js';
import { getSchedule } from './get-schedule.js';

const previewConfigInput = z.strictObject({
  schedule_type: createScheduleInput.shape.schedule_type,
  schedule_config: createScheduleInput.shape.schedule_config,
  timezone: timezoneSchema.optional(),
  count: previewCountSchema,
});

/** The preview procedures of the schedules router. */
export const schedulePreviewProcedures = {
  /** Lists the next planned fires of a stored schedule. */
  preview: readProcedure
    .input(idInput.extend({ count: previewCountSchema }))
    .output(schedulePreviewOutput)
    .query(async ({ ctx, input }) => {
      const schedule = await getSchedule(ctx, input.id);
      return {
        schedule_id: schedule.id,
        timezone: schedule.timezone,
        fires: previewSchedule(schedule, ctx.clock.now(), input.count),
      };
    }),

  /**
   * Lists the fires that a schedule created now with this config would make,
   * with the config resolved ("now" becomes an instant), or rejects the
   * config with the same issues as create. Nothing is stored, so a form can
   * call it as the user types.
   */
  previewConfig: readProcedure
    .input(previewConfigInput)
    .output(configPreviewOutput)
    .query(({ ctx, input }) => {
      const now = ctx.clock.now();
      const issues: ValidationIssue[] = [];
      const timing = resolveScheduleTiming(
        { type: input.schedule_type, config: input.schedule_config, timezone: input.timezone, defaultTimezone: 'UTC', now },
        issues,
      );
      if (timing === null) throw new ValidationError(issues);

      // A new schedule's first fire is the first slot at or after now, as create plans it.
      const fires = previewSlots({ type: input.schedule_type, ...timing, from: now, count: input.count, runCount: 0 });
      return { timezone: timing.timezone, schedule_config: timing.config, fires };
    }),
};
