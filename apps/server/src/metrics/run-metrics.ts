import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

import type { Run } from '@api-scheduler/core';
import type { HttpExecutor, RunObserver } from '@api-scheduler/engine';

const RUN_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const FIRE_LATENESS_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Metrics of the runs this process fires, fed by the engine as a run
 * observer. The counters carry a schedule_id label, so their series grow
 * with the number of schedules. The histograms leave it out, because each
 * of their series is a dozen buckets.
 */
export class RunMetrics implements RunObserver {
  private readonly runs: Counter<'schedule_id' | 'status' | 'error_type'>;
  private readonly runDuration: Histogram<'status'>;
  private readonly fireLateness: Histogram;
  private readonly retries: Counter<'schedule_id'>;
  private readonly catchUpFires: Counter<'schedule_id'>;
  private readonly missedFires: Counter<'schedule_id'>;

  constructor(private readonly registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'api_scheduler_runs_total',
      help: 'Finished runs (every attempt, SKIPPED included), by schedule, status and error_type ("" when none).',
      labelNames: ['schedule_id', 'status', 'error_type'],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'api_scheduler_run_duration_seconds',
      help: 'Latency of runs that sent a request, from sending to the end of the response body, by status.',
      labelNames: ['status'],
      buckets: RUN_DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.fireLateness = new Histogram({
      name: 'api_scheduler_fire_lateness_seconds',
      help: 'Time from the planned instant to the start of a fire (started_at - scheduled_for), for first attempts that are neither catch-up nor manual.',
      buckets: FIRE_LATENESS_BUCKETS_SECONDS,
      registers,
    });
    this.retries = new Counter({
      name: 'api_scheduler_retries_total',
      help: 'Retry attempts started, by schedule.',
      labelNames: ['schedule_id'],
      registers,
    });
    this.catchUpFires = new Counter({
      name: 'api_scheduler_catch_up_fires_total',
      help: 'Fires made for slots missed by more than the misfire grace (misfire policies fire_once, fire_all and skip), by schedule.',
      labelNames: ['schedule_id'],
      registers,
    });
    this.missedFires = new Counter({
      name: 'api_scheduler_missed_fires_total',
      help: 'Missed slots that got no fire of their own (the missed_count of catch-up runs), by schedule.',
      labelNames: ['schedule_id'],
      registers,
    });
  }

  /** Registers the gauges of the engine's executor: requests in flight and waiting. */
  watchExecutor(executor: Pick<HttpExecutor, 'inFlight' | 'queued'>): void {
    const registers = [this.registry];
    new Gauge({
      name: 'api_scheduler_requests_in_flight',
      help: 'Requests of this process holding a concurrency slot, from sending until the response body is read.',
      registers,
      collect() {
        this.set(executor.inFlight);
      },
    });
    new Gauge({
      name: 'api_scheduler_requests_queued',
      help: 'Requests of this process waiting for a concurrency slot.',
      registers,
      collect() {
        this.set(executor.queued);
      },
    });
  }

  onRunStarted(run: Run): void {
    const schedule_id = run.schedule_id;
    if (run.attempt > 1) {
      this.retries.inc({ schedule_id });
      return;
    }
    if (run.catch_up) {
      this.catchUpFires.inc({ schedule_id });
      if (run.missed_count > 0) this.missedFires.inc({ schedule_id }, run.missed_count);
      return;
    }
    if (run.manual || run.status !== 'RUNNING') return;
    this.fireLateness.observe(Math.max(0, run.started_at.getTime() - run.scheduled_for.getTime()) / 1000);
  }

  onRunFinished(run: Run): void {
    this.runs.inc({ schedule_id: run.schedule_id, status: run.status, error_type: run.error_type ?? '' });
    if (run.latency_ms !== null) this.runDuration.observe({ status: run.status }, run.latency_ms / 1000);
  }
}
