import { nearestRankPercentile, successRate } from '../metrics/run-figures.js';
import { previewSchedule } from '../preview-schedule.js';
import { idInput } from '../schemas/common.js';
import { scheduleStatsOutput } from '../schemas/schedule-stats.js';
import type { ScheduleStatsOutput } from '../schemas/schedule-stats.js';
import { readProcedure } from '../trpc.js';
import { getSchedule } from './get-schedule.js';

/** Runs that the latency chart and the rates of a schedule cover, newest first. */
const SERIES_LENGTH = 100;
const NEXT_FIRES = 5;

export const scheduleStatsProcedures = {
  /**
   * Returns the figures of a schedule's detail page. The success rate and
   * latency percentiles cover the newest 100 runs, the ones the series
   * lists, so the store reads no more than those rows and an index count.
   */
  stats: readProcedure
    .input(idInput)
    .output(scheduleStatsOutput)
    .query(async ({ ctx, input }): Promise<ScheduleStatsOutput> => {
      const schedule = await getSchedule(ctx, input.id);
      const samples = await ctx.store.scheduleRunSamples(schedule.id, SERIES_LENGTH);

      const series = samples.recent.toReversed();
      const latencies = series.flatMap((sample) => (sample.status !== 'RUNNING' && sample.latency_ms !== null ? [sample.latency_ms] : []));
      const count = (status: string) => series.filter((sample) => sample.status === status).length;

      return {
        schedule_id: schedule.id,
        total_runs: samples.total_runs,
        success_rate: successRate(count('SUCCESS'), count('FAILURE')),
        latency_p50_ms: nearestRankPercentile(latencies, 0.5),
        latency_p95_ms: nearestRankPercentile(latencies, 0.95),
        latency_series: series.map((sample) => ({ run_id: sample.id, at: sample.started_at, latency_ms: sample.latency_ms, status: sample.status })),
        next_fires: previewSchedule(schedule, ctx.clock.now(), NEXT_FIRES).map((fire) => fire.at),
      };
    }),
};
