import { z } from 'zod';

import { runOutput } from './run.js';

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

const latencyPercentile = (percentile: number) =>
  z.number().nullable().describe(`Nearest-rank ${percentile}th percentile of latency_ms over the finished runs that have one, or null when there is none`);

export const dashboardOutput = z.object({
  since: z.date().describe('Start of the window that the run figures cover: the start of the minute 59 minutes before the current one'),
  total_runs: z.number().int().describe('Runs that started in the window, RUNNING ones included'),
  success_rate: z.number().nullable().describe('SUCCESS runs divided by finished (SUCCESS + FAILURE) runs of the window, or null when none has finished'),
  latency_p50_ms: latencyPercentile(50),
  latency_p95_ms: latencyPercentile(95),
  runs_per_minute: z
    .array(z.object({ minute: z.date(), success: z.number().int(), failure: z.number().int(), skipped: z.number().int() }))
    .describe('Finished runs per minute of their start, for the 60 minutes of the window, oldest first, the current minute last'),
  schedules: z.object({ ACTIVE: z.number().int(), PAUSED: z.number().int(), COMPLETED: z.number().int() }),
  next_fires: z.array(z.object({ schedule_id: z.string(), name: z.string(), at: z.date() })).describe('Up to 10 ACTIVE schedules, earliest next_run_at first'),
  latest_failures: z.array(runOutput).describe('Up to 10 FAILURE runs, newest first'),
});
export type DashboardOutput = z.output<typeof dashboardOutput>;
