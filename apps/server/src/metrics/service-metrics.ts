import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';

import { SCHEDULE_STATUSES } from '@api-scheduler/core';
import type { ScheduleStatus } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from './openmetrics-text.js';
import { RunMetrics } from './run-metrics.js';
import { timeStoreCalls } from './timed-store.js';

/**
 * How long one read of the schedule counts and the database ping serves
 * scrapes, in milliseconds. Counting schedules scans their table, and
 * several Prometheus servers may scrape the same process.
 */
export const DATABASE_FIGURES_MAX_AGE_MS = 5_000;

const DATABASE_CALL_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface DatabaseFigures {
  readAt: number;
  up: boolean;
  schedules: Record<ScheduleStatus, number> | null;
}

/**
 * The Prometheus metrics of one server process, in a registry of its own,
 * so two servers in one process (as in tests) never share a series.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly databaseCalls: Histogram<'operation'>;
  private readonly databaseErrors: Counter<'operation'>;
  private store: Store | null = null;
  private figures: DatabaseFigures | null = null;
  private reading: Promise<DatabaseFigures> | null = null;

  constructor(private readonly logger: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.databaseCalls = new Histogram({
      name: 'api_scheduler_database_query_duration_seconds',
      help: 'Duration of store operations, by operation (such as ping and claimDueSchedules). One operation can run several SQL statements in a transaction.',
      labelNames: ['operation'],
      buckets: DATABASE_CALL_BUCKETS_SECONDS,
      registers,
    });
    this.databaseErrors = new Counter({
      name: 'api_scheduler_database_query_errors_total',
      help: 'Store operations that failed, by operation.',
      labelNames: ['operation'],
      registers,
    });

    const figuresOf = () => this.databaseFigures();
    new Gauge({
      name: 'api_scheduler_database_up',
      help: `1 when the last database ping succeeded, 0 when it failed. Read at most every ${DATABASE_FIGURES_MAX_AGE_MS / 1000} s.`,
      registers,
      async collect() {
        this.set((await figuresOf()).up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'api_scheduler_schedules',
      help: `Schedules in the database, by status. Read at most every ${DATABASE_FIGURES_MAX_AGE_MS / 1000} s. Absent while the database does not respond.`,
      labelNames: ['status'],
      registers,
      async collect() {
        const { schedules } = await figuresOf();
        this.reset();
        if (schedules === null) return;
        for (const status of SCHEDULE_STATUSES) this.set({ status }, schedules[status]);
      },
    });
  }

  /** Wraps the store so that its calls are timed, and keeps the wrapper for the database figures. */
  instrumentStore(store: Store): Store {
    this.store = timeStoreCalls(store, (operation, seconds, failed) => {
      this.databaseCalls.observe({ operation }, seconds);
      if (failed) this.databaseErrors.inc({ operation });
    });
    return this.store;
  }

  /** Registers the run metrics of an engine and returns the run observer that feeds them. */
  addRunMetrics(): RunMetrics {
    return new RunMetrics(this.registry);
  }

  /** Renders every metric in the Prometheus text format 0.0.4 or in OpenMetrics 1.0.0. */
  async render(format: 'prometheus' | 'openmetrics'): Promise<{ contentType: string; body: string }> {
    // Read first, because the registry collects every metric at once: the
    // ping of this scrape then counts in the query histogram of this scrape.
    await this.databaseFigures();

    if (format === 'prometheus') {
      return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await this.registry.metrics() };
    }

    return { contentType: OPENMETRICS_CONTENT_TYPE, body: renderOpenMetrics(await this.registry.getMetricsAsJSON()) };
  }

  /** Reads the ping and the schedule counts, or returns the last reading while it is younger than DATABASE_FIGURES_MAX_AGE_MS. */
  private databaseFigures(): Promise<DatabaseFigures> {
    if (this.figures !== null && Date.now() - this.figures.readAt < DATABASE_FIGURES_MAX_AGE_MS) return Promise.resolve(this.figures);
    this.reading ??= this.readDatabaseFigures().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async readDatabaseFigures(): Promise<DatabaseFigures> {
    const wasUp = this.figures?.up ?? true;
    let up = false;
    let schedules: Record<ScheduleStatus, number> | null = null;
    if (this.store !== null) {
      try {
        await this.store.ping();
        up = true;
        schedules = await this.store.countSchedulesByStatus();
      } catch (error) {
        // Logged when the state changes, not on every scrape.
        if (wasUp) this.logger.warn({ err: error, database_up: up }, 'Reading database metrics failed');
      }
    }
    if (up && !wasUp) this.logger.info('Database responds to metrics reads again');
    this.figures = { readAt: Date.now(), up, schedules };
    return this.figures;
  }
}
