import { queryNumberField } from '@api-scheduler/core';
import { z } from 'zod';

import { scheduleConfigOutput } from './schedule.js';

/** Maximum number of fires in one preview. */
export const MAX_PREVIEW_COUNT = 1_000;

/** Number of fires to list; the REST query string sends it as text, hence the coercion. */
export const previewCountSchema = queryNumberField('count', { min: 1, max: MAX_PREVIEW_COUNT }).default(10);

export const previewFireOutput = z.object({
  at: z.date().describe('The planned instant, UTC'),
  local: z.string().describe('The same instant in the schedule\'s time zone, ISO 8601 with its offset, such as 2026-03-29T03:30:00.000+02:00'),
});

export const schedulePreviewOutput = z.object({
  schedule_id: z.string(),
  timezone: z.string(),
  fires: z.array(previewFireOutput).describe('The next planned fires, earliest first; empty when none remains'),
});
export type SchedulePreviewOutput = z.output<typeof schedulePreviewOutput>;

export const configPreviewOutput = z.object({
  timezone: z.string().describe('The time zone the config was read in'),
  schedule_config: scheduleConfigOutput,
  fires: z.array(previewFireOutput).describe('The fires that a schedule created now with this config would make, earliest first'),
});
export type ConfigPreviewOutput = z.output<typeof configPreviewOutput>;
