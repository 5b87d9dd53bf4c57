import { z } from 'zod';

import type { ApiContext } from '../context.js';
import { describeErrorForLog } from '../errors.js';
import { CpuUsageSampler } from '../metrics/cpu-usage.js';
import { MINUTE_MS, fillMinutes, successRate } from '../metrics/run-figures.js';
import { dashboardOutput, metricsOutput } from '../schemas/metrics.js';
import type { DashboardOutput, MetricsOutput } from '../schemas/metrics.js';
import { toRunOutput } from '../schemas/run.js';
import { readProcedure, router } from '../trpc.js';

/** Minutes of run history that the dashboard covers. */
const DASHBOARD_MINUTES = 60;
/** Entries of the dashboard's next fires and latest failures. */
const DASHBOARD_LIST_LENGTH = 10;

// CPU time belongs to the process, so every context shares one sampler.
const cpuUsage = new CpuUsageSampler();

async function pingDatabase(ctx: ApiContext): Promise<number | null> {
  try {
    return await ctx.store.ping();
  } catch (error) {
    ctx.logger.warn({ err: describeErrorForLog(error) }, 'Database ping failed');
    return null;
  }
}

async function collectCounts(ctx: ApiContext) {
  const [runs, schedules] = await Promise.all([ctx.store.runStats(), ctx.store.countSchedulesByStatus()]);
  return { runs, schedules };
}

export const metricsRouter = router({
  /** Reports process, database and run figures. Counts are null while the database is offline. */
  summary: readProcedure
    .input(z.void())
    .output(metricsOutput)
    .query(async ({ ctx }): Promise<MetricsOutput> => {
      const timestamp = new Date(ctx.clock.now());
      const cpu = cpuUsage.sample();
      const latency = await pingDatabase(ctx);

      // Without the database the counts are unknown: null, not zero, so a dashboard does not read an empty system.
      let counts: Awaited<ReturnType<typeof collectCounts>> | null = null;
      if (latency !== null) {
        try {
          counts = await collectCounts(ctx);
        } catch (error) {
          ctx.logger.warn({ err: describeErrorForLog(error) }, 'Reading run and schedule counts failed');
        }
      }

      const runs = counts?.runs;
      const schedules = counts?.schedules;
      const finished = runs === undefined ? 0 : runs.success_runs + runs.failure_runs;

      return {
        timestamp,
        database: { online: latency !== null, latency_ms: latency },
        system: {
          cpu_usage_percent: cpu,
          active_workers: schedules?.ACTIVE ?? null,
          total_runs: runs?.total_runs ?? null,
          success_runs: runs?.success_runs ?? null,
          avg_latency_ms: runs?.avg_latency_ms ?? null,
        },
        success_rate: runs !== undefined && finished > 0 ? runs.success_runs / finished : null,
        runs_by_status:
          runs === undefined
            ? null
            : { RUNNING: runs.running_runs, SUCCESS: runs.success_runs, FAILURE: runs.failure_runs, SKIPPED: runs.skipped_runs },
        schedules_by_status: schedules === undefined ? null : { ACTIVE: schedules.ACTIVE, PAUSED: schedules.PAUSED, COMPLETED: schedules.COMPLETED },
      };
    }),

  /**
   * Returns the figures of the web UI's dashboard. The run figures (count,
   * success rate, latency percentiles, runs per minute) cover the runs that
   * started in the last 60 whole minutes, the current one included. The
   * store reads only that window, through its started_at index, so the cost
   * does not grow with the run history. The schedule counts, next fires and
   * latest failures cover all schedules and runs.
   */
  dashboard: readProcedure
    .input(z.void())
    .output(dashboardOutput)
    .query(async ({ ctx }): Promise<DashboardOutput> => {
      const now = ctx.clock.now();
      const currentMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
      const since = new Date(currentMinute - (DASHBOARD_MINUTES - 1) * MINUTE_MS);
      const until = new Date(currentMinute + MINUTE_MS);

      const [window, schedules, nextFires, failures] = await Promise.all([
        ctx.store.runWindowStats({ since, until }),
        ctx.store.countSchedulesByStatus(),
        ctx.store.listNextFires(DASHBOARD_LIST_LENGTH),
        ctx.store.listRuns({ status: 'FAILURE', limit: DASHBOARD_LIST_LENGTH }),
      ]);

      return {
        since,
        total_runs: window.total_runs,
        success_rate: successRate(window.success_runs, window.failure_runs),
        latency_p50_ms: window.latency_p50_ms,
        latency_p95_ms: window.latency_p95_ms,
        runs_per_minute: fillMinutes(window.per_minute, now, DASHBOARD_MINUTES),
        schedules: { ACTIVE: schedules.ACTIVE, PAUSED: schedules.PAUSED, COMPLETED: schedules.COMPLETED },
        next_fires: nextFires,
        latest_failures: failures.items.map(toRunOutput),
      };
    }),
});
