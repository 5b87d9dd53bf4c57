import { RUN_STATUSES } from '@api-scheduler/core';
import { z } from 'zod';

export const scheduleStatsOutput = z.object({
  schedule_id: z.string(),
  total_runs: z.number().int().describe('Runs of the schedule in the store, retries included'),
  success_rate: z.number().nullable().describe('SUCCESS runs divided by finished (SUCCESS + FAILURE) runs among the newest 100, or null when none has finished'),
  latency_p50_ms: z.number().nullable().describe('Nearest-rank median latency_ms of the newest 100 runs that have one, or null'),
  latency_p95_ms: z.number().nullable().describe('Nearest-rank 95th percentile latency_ms of the newest 100 runs that have one, or null'),
  latency_series: z
    .array(z.object({ run_id: z.string(), at: z.date().describe('started_at of the run'), latency_ms: z.number().nullable(), status: z.enum(RUN_STATUSES) }))
    .describe('The newest 100 runs, oldest first'),
  next_fires: z.array(z.date()).describe('The next 5 planned fires, earliest first; empty for a COMPLETED schedule'),
});
export type ScheduleStatsOutput = z.output<typeof scheduleStatsOutput>;
