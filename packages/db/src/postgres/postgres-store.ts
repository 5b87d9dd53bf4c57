import { DomainError } from '@api-scheduler/core';
import type { AlertNotification, ApiKey, ListRunsInput, Page, PageInput, Run, Schedule, ScheduleStatus, StoredApiKey, Target, UpdateTarget } from '@api-scheduler/core';
import { sql } from 'drizzle-orm';

import { silentLogger } from '../logger.js';
import type { StoreLogger } from '../logger.js';
import { withoutQueryParams } from '../query-error.js';
import type {
  AlertDeliveryResult,
  AlertOutcomeInput,
  ClaimAlertNotificationsInput,
  ClaimInput,
  ClaimedFire,
  HeartbeatInput,
  Instance,
  ListSchedulesInput,
  NewSchedule,
  NewTarget,
  NextFire,
  PruneRunsInput,
  ReapInput,
  ReapResult,
  RunResult,
  RunSample,
  RunStats,
  RunWindowStats,
  SchedulePatch,
  SilenceSweepInput,
  Store,
} from '../store.js';
import * as alerts from './alerts.js';
import * as apiKeys from './api-keys.js';
import { claimDueSchedules } from './claim-due-schedules.js';
import * as instances from './instances.js';
import { migratePostgres } from './migrate.js';
import { connectionConfig, openPostgresDatabase } from './open-database.js';
import type { PostgresDatabase } from './open-database.js';
import { pruneRuns } from './prune-runs.js';
import type { PruneCursor } from './prune-runs.js';
import * as runInsights from './run-insights.js';
import * as runs from './runs.js';
import { ScheduleChangeListener } from './schedule-changes.js';
import * as schedules from './schedules.js';
import * as targets from './targets.js';

export const DEFAULT_POOL_SIZE = 10;

export interface PostgresStoreOptions {
  /** A PostgreSQL URL: postgres://user:password@host:5432/database (postgresql:// works too). */
  url: string;
  /** The maximum number of connections in the store's pool (default 10). The schedule change listener opens one more. */
  poolSize?: number;
  logger?: StoreLogger;
}

/**
 * Connects to a PostgreSQL database that exists. Rejects when the server
 * cannot be reached or refuses the connection. Call migrate() before using
 * the store.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`poolSize must be a whole number of 1 or more (got ${poolSize})`);
  }
  const logger = options.logger ?? silentLogger;
  const db = await openPostgresDatabase(options.url, poolSize, logger);
  return new PostgresStore(db, new ScheduleChangeListener(connectionConfig(options.url), logger), logger);
}

/**
 * The Store on PostgreSQL, shared by several processes. Operations run
 * concurrently on a pool of connections. Each one that writes more than one
 * statement runs in a transaction. Claims of several processes divide the
 * due schedules between them with row locks (see claim-due-schedules.ts).
 */
export class PostgresStore implements Store {
  readonly dialect = 'postgres';

  private readonly pruneCursor: PruneCursor = { scheduleId: '' };
  private closing: Promise<void> | null = null;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly scheduleChanges: ScheduleChangeListener,
    private readonly logger: StoreLogger,
  ) {}

  /** Runs one operation. Domain errors pass through, and database errors lose the query parameters that drizzle puts in them. */
  private async run<T>(operation: (db: PostgresDatabase) => Promise<T>): Promise<T> {
    try {
      return await operation(this.db);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw withoutQueryParams(error);
    }
  }

  migrate(): Promise<void> {
    return this.run((db) => migratePostgres(db.$client, this.logger));
  }

  /** Stops listening and closes the pool. A second call returns the first call's promise, because pg rejects a second end(). */
  close(): Promise<void> {
    this.closing ??= this.scheduleChanges.stop().then(() => this.db.$client.end());
    return this.closing;
  }

  ping(): Promise<number> {
    return this.run(async (db) => {
      const started = performance.now();
      await db.execute(sql`SELECT 1`);
      return performance.now() - started;
    });
  }

  /**
   * Calls `listener` after every schedule change committed through any
   * PostgresStore on this database, in any process, and once after the
   * listening connection recovers from a drop. Rejects when the first
   * connection fails.
   */
  subscribeScheduleChanges(listener: () => void): Promise<() => Promise<void>> {
    return this.scheduleChanges.subscribe(listener);
  }

  createTarget(target: NewTarget): Promise<Target> {
    return this.run((db) => targets.insertTarget(db, target));
  }

  getTarget(id: string): Promise<Target | null> {
    return this.run((db) => targets.findTarget(db, id));
  }

  listTargets(input: PageInput): Promise<Page<Target>> {
    return this.run((db) => targets.listTargets(db, input));
  }

  updateTarget(id: string, patch: UpdateTarget & { updated_at: Date }): Promise<Target> {
    return this.run((db) => targets.updateTarget(db, id, patch));
  }

  deleteTarget(id: string): Promise<void> {
    return this.run((db) => targets.deleteTarget(db, id));
  }

  createSchedule(schedule: NewSchedule): Promise<Schedule> {
    return this.run((db) => schedules.insertSchedule(db, schedule));
  }

  getSchedule(id: string): Promise<Schedule | null> {
    return this.run((db) => schedules.findSchedule(db, id));
  }

  listSchedules(input: ListSchedulesInput): Promise<Page<Schedule>> {
    return this.run((db) => schedules.listSchedules(db, input));
  }

  updateSchedule(id: string, patch: SchedulePatch): Promise<Schedule> {
    return this.run((db) => schedules.updateSchedule(db, id, patch));
  }

  deleteSchedule(id: string): Promise<void> {
    return this.run((db) => schedules.deleteSchedule(db, id));
  }

  countSchedulesByStatus(): Promise<Record<ScheduleStatus, number>> {
    return this.run((db) => schedules.countSchedulesByStatus(db));
  }

  earliestNextRunAt(after?: number): Promise<number | null> {
    return this.run((db) => schedules.earliestNextRunAt(db, after));
  }

  claimDueSchedules(input: ClaimInput): Promise<ClaimedFire[]> {
    return this.run((db) => claimDueSchedules(db, input, this.logger));
  }

  insertRun(run: Run): Promise<Run> {
    return this.run((db) => runs.insertRun(db, run));
  }

  finishRuns(results: RunResult[]): Promise<void> {
    return this.run((db) => runs.finishRuns(db, results));
  }

  interruptRunningRuns(input: { finishedAt: Date; instanceId?: string; message: string }): Promise<number> {
    return this.run((db) => runs.interruptRunningRuns(db, input));
  }

  heartbeat(input: HeartbeatInput): Promise<void> {
    return this.run((db) => instances.heartbeat(db, input));
  }

  reapExpiredInstances(input: ReapInput): Promise<ReapResult> {
    return this.run((db) => instances.reapExpiredInstances(db, input));
  }

  removeInstance(instanceId: string): Promise<void> {
    return this.run((db) => instances.removeInstance(db, instanceId));
  }

  listInstances(): Promise<Instance[]> {
    return this.run((db) => instances.listInstances(db));
  }

  getRun(id: string): Promise<Run | null> {
    return this.run((db) => runs.findRun(db, id));
  }

  listRuns(input: ListRunsInput): Promise<Page<Run>> {
    return this.run((db) => runs.listRuns(db, input));
  }

  runStats(): Promise<RunStats> {
    return this.run((db) => runs.runStats(db));
  }

  runWindowStats(input: { since: Date; until: Date }): Promise<RunWindowStats> {
    return this.run((db) => runInsights.runWindowStats(db, input));
  }

  scheduleRunSamples(scheduleId: string, limit: number): Promise<{ total_runs: number; recent: RunSample[] }> {
    return this.run((db) => runInsights.scheduleRunSamples(db, scheduleId, limit));
  }

  listNextFires(limit: number): Promise<NextFire[]> {
    return this.run((db) => runInsights.listNextFires(db, limit));
  }

  getRuns(ids: readonly string[]): Promise<Run[]> {
    return this.run((db) => runInsights.getRuns(db, ids));
  }

  listRunsAfter(afterId: string, limit: number): Promise<Run[]> {
    return this.run((db) => runInsights.listRunsAfter(db, afterId, limit));
  }

  pruneRuns(input: PruneRunsInput): Promise<number> {
    return this.run((db) => pruneRuns(db, this.pruneCursor, input));
  }

  createApiKey(key: StoredApiKey): Promise<ApiKey> {
    return this.run((db) => apiKeys.insertApiKey(db, key));
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.run((db) => apiKeys.listApiKeys(db));
  }

  getApiKey(id: string): Promise<ApiKey | null> {
    return this.run((db) => apiKeys.findApiKey(db, id));
  }

  findApiKeyByPrefix(prefix: string): Promise<StoredApiKey | null> {
    return this.run((db) => apiKeys.findApiKeyByPrefix(db, prefix));
  }

  countActiveApiKeys(): Promise<number> {
    return this.run((db) => apiKeys.countActiveApiKeys(db));
  }

  touchApiKey(id: string, usedAt: Date): Promise<void> {
    return this.run((db) => apiKeys.touchApiKey(db, id, usedAt));
  }

  revokeApiKey(id: string, revokedAt: Date): Promise<ApiKey> {
    return this.run((db) => apiKeys.revokeApiKey(db, id, revokedAt));
  }

  recordAlertOutcome(input: AlertOutcomeInput): Promise<AlertNotification | null> {
    return this.run((db) => alerts.recordAlertOutcome(db, input));
  }

  markSilentSchedules(input: SilenceSweepInput): Promise<AlertNotification[]> {
    return this.run((db) => alerts.markSilentSchedules(db, input));
  }

  claimAlertNotifications(input: ClaimAlertNotificationsInput): Promise<AlertNotification[]> {
    return this.run((db) => alerts.claimAlertNotifications(db, input));
  }

  finishAlertNotification(input: AlertDeliveryResult): Promise<void> {
    return this.run((db) => alerts.finishAlertNotification(db, input));
  }

  listAlertNotifications(scheduleId: string, limit: number): Promise<AlertNotification[]> {
    return this.run((db) => alerts.listAlertNotifications(db, scheduleId, limit));
  }
}
