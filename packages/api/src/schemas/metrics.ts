import { z } from 'zod';

/** Builds the schema of a count read from the database, which is null while the database is offline. */
const count = (description: string) => z.number().int().nullable().describe(`${description}, or null while the database is offline`);

export const metricsOutput = z.object({
  timestamp: z.date(),
  database: z.object({
    online: z.boolean(),
    latency_ms: z.number().nullable().describe('Round trip of a trivial query in milliseconds, or null when the database is offline'),
  }),
  system: z.object({
    cpu_usage_percent: z.number().describe('CPU time of this process since the previous call, in percent of one core, so above 100 when several cores are busy'),
    active_workers: count('Number of ACTIVE schedules'),
    total_runs: count('Number of runs, retries included'),
    success_runs: count('Number of SUCCESS runs'),
    avg_latency_ms: z.number().nullable().describe('Mean latency_ms of finished runs, or null when there is none or the database is offline'),
  }),
  success_rate: z.number().nullable().describe('SUCCESS runs divided by finished (SUCCESS + FAILURE) runs, or null when none has finished'),
  runs_by_status: z
    .object({ RUNNING: z.number().int(), SUCCESS: z.number().int(), FAILURE: z.number().int(), SKIPPED: z.number().int() })
    .nullable()
    .describe('Runs per status, or null while the database is offline'),
  schedules_by_status: z
    .object({ ACTIVE: z.number().int(), PAUSED: z.number().int(), COMPLETED: z.number().int() })
    .nullable()
    .describe('Schedules per status, or null while the database is offline'),
});
export type MetricsOutput = z.output<typeof metricsOutput>;

export const healthOutput = z.object({
  status: z.literal('ok'),
  instance_id: z.string(),
  uptime_seconds: z.number().int(),
  version: z.string(),
});
