import { z } from 'zod';

import type { ApiContext } from '../context.js';
import { describeErrorForLog } from '../errors.js';
import { CpuUsageSampler } from '../metrics/cpu-usage.js';
import { metricsOutput } from '../schemas/metrics.js';
import type { MetricsOutput } from '../schemas/metrics.js';
import { readProcedure, router } from '../trpc.js';

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
});
