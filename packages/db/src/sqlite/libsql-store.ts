import { fileURLToPath } from 'node:url';

import { DomainError } from '@api-scheduler/core';
import type { AlertNotification, ApiKey, ListRunsInput, Page, PageInput, Run, Schedule, ScheduleStatus, StoredApiKey, Target, UpdateTarget } from '@api-scheduler/core';
import type { Client } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';

import { silentLogger } from '../logger.js';
import type { StoreLogger } from '../logger.js';
import { Mutex } from '../mutex.js';
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
import { openLibsqlDatabase } from './open-database.js';
import type { LibsqlDatabase } from './open-database.js';
import { pruneRuns } from './prune-runs.js';
import type { PruneCursor } from './prune-runs.js';
import * as runInsights from './run-insights.js';
import * as runs from './runs.js';
import * as schedules from './schedules.js';
import * as targets from './targets.js';
import { closeClient } from './worker-client.js';

// Resolved from this module's file, so the same path works from src/ under
// vitest and from dist/ in the built package.
const migrationsFolder = fileURLToPath(new URL('../../migrations/sqlite', import.meta.url));
const migrationsTable = '__drizzle_migrations';

export interface LibsqlStoreOptions {
  /** A libSQL URL: file:./data/scheduler.db, file:/abs/path.db, file::memory:, or libsql://… */
  url: string;
  logger?: StoreLogger;
}

/** Opens (and creates, when missing) a libSQL database. Call migrate() before using the store. */
export async function createLibsqlStore(options: LibsqlStoreOptions): Promise<LibsqlStore> {
  const logger = options.logger ?? silentLogger;
  const { client, db } = await openLibsqlDatabase(options.url, logger);
  return new LibsqlStore(client, db, logger);
}

/**
 * The Store on libSQL (embedded SQLite). Its client has a single connection,
 * and the driver rejects a statement sent while a transaction holds it, so
 * every operation runs under one mutex.
 */
export class LibsqlStore implements Store {
  readonly dialect = 'libsql';

  private readonly mutex = new Mutex();
  private readonly pruneCursor: PruneCursor = { scheduleId: '' };

  constructor(
    private readonly client: Client,
    private readonly db: LibsqlDatabase,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Runs one operation alone on the connection. Domain errors pass through,
   * and database errors lose the query parameters that drizzle puts in them.
   */
  private exclusive<T>(operation: (db: LibsqlDatabase) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      try {
        return await operation(this.db);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw withoutQueryParams(error);
      }
    });
  }

  migrate(): Promise<void> {
    return this.exclusive(async (db) => {
      const before = await this.appliedMigrationCount(db);
      await migrate(db, { migrationsFolder, migrationsTable });
      const after = await this.appliedMigrationCount(db);
      if (after > before) this.logger.info({ applied: after - before, total: after }, 'Applied database migrations');
    });
  }

  private async appliedMigrationCount(db: LibsqlDatabase): Promise<number> {
    const [table] = await db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${migrationsTable}`);
    if (!table) return 0;
    const [row] = await db.all<{ total: number }>(sql`SELECT count(*) AS total FROM ${sql.identifier(migrationsTable)}`);
    return row?.total ?? 0;
  }

  /** Reads the connection's pragmas, for diagnostics and tests. */
  connectionSettings(): Promise<{ journal_mode: string; busy_timeout: number; foreign_keys: number; synchronous: number }> {
    return this.exclusive(async (db) => {
      const pragma = async (name: string): Promise<unknown> => (await db.values(sql.raw(`PRAGMA ${name}`)))[0]?.[0];
      return {
        journal_mode: String(await pragma('journal_mode')),
        busy_timeout: Number(await pragma('busy_timeout')),
        foreign_keys: Number(await pragma('foreign_keys')),
        synchronous: Number(await pragma('synchronous')),
      };
    });
  }

  /**
   * Reads the page counts of the database, for diagnostics and tests. Pages
   * in use are page_count - freelist_count, because SQLite keeps freed pages
   * in the file for reuse instead of shrinking it.
   */
  pageStats(): Promise<{ page_size: number; page_count: number; freelist_count: number }> {
    return this.exclusive(async (db) => {
      const pragma = async (name: string): Promise<number> => Number((await db.values(sql.raw(`PRAGMA ${name}`)))[0]?.[0]);
      return { page_size: await pragma('page_size'), page_count: await pragma('page_count'), freelist_count: await pragma('freelist_count') };
    });
  }

  /**
   * Checkpoints the WAL into the database file, then closes the connection.
   * libSQL does not checkpoint on close, so without this a stopped server
   * would leave recent writes only in the -wal file, and a copy of the
   * .db file alone would miss them.
   */
  close(): Promise<void> {
    return this.mutex.runExclusive(async () => {
      try {
        await this.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
      } catch (error) {
        // Another connection may hold the WAL; the data is safe in it either way.
        this.logger.warn({ err: error }, 'could not checkpoint the WAL at close');
      }
      await closeClient(this.client);
    });
  }

  ping(): Promise<number> {
    return this.exclusive(async (db) => {
      const started = performance.now();
      await db.run(sql`SELECT 1`);
      return performance.now() - started;
    });
  }

  createTarget(target: NewTarget): Promise<Target> {
    return this.exclusive((db) => targets.insertTarget(db, target));
  }

  getTarget(id: string): Promise<Target | null> {
    return this.exclusive((db) => targets.findTarget(db, id));
  }

  listTargets(input: PageInput): Promise<Page<Target>> {
    return this.exclusive((db) => targets.listTargets(db, input));
  }

  updateTarget(id: string, patch: UpdateTarget & { updated_at: Date }): Promise<Target> {
    return this.exclusive((db) => targets.updateTarget(db, id, patch));
  }

  deleteTarget(id: string): Promise<void> {
    return this.exclusive((db) => targets.deleteTarget(db, id));
  }

  createSchedule(schedule: NewSchedule): Promise<Schedule> {
    return this.exclusive((db) => schedules.insertSchedule(db, schedule));
  }

  getSchedule(id: string): Promise<Schedule | null> {
    return this.exclusive((db) => schedules.findSchedule(db, id));
  }

  listSchedules(input: ListSchedulesInput): Promise<Page<Schedule>> {
    return this.exclusive((db) => schedules.listSchedules(db, input));
  }

  updateSchedule(id: string, patch: SchedulePatch): Promise<Schedule> {
    return this.exclusive((db) => schedules.updateSchedule(db, id, patch));
  }

  deleteSchedule(id: string): Promise<void> {
    return this.exclusive((db) => schedules.deleteSchedule(db, id));
  }

  countSchedulesByStatus(): Promise<Record<ScheduleStatus, number>> {
    return this.exclusive((db) => schedules.countSchedulesByStatus(db));
  }

  earliestNextRunAt(after?: number): Promise<number | null> {
    return this.exclusive((db) => schedules.earliestNextRunAt(db, after));
  }

  claimDueSchedules(input: ClaimInput): Promise<ClaimedFire[]> {
    return this.exclusive((db) => claimDueSchedules(db, input, this.logger));
  }

  insertRun(run: Run): Promise<Run> {
    return this.exclusive((db) => runs.insertRun(db, run));
  }

  finishRuns(results: RunResult[]): Promise<void> {
    return this.exclusive((db) => runs.finishRuns(db, results));
  }

  interruptRunningRuns(input: { finishedAt: Date; instanceId?: string; message: string }): Promise<number> {
    return this.exclusive((db) => runs.interruptRunningRuns(db, input));
  }

  heartbeat(input: HeartbeatInput): Promise<void> {
    return this.exclusive((db) => instances.heartbeat(db, input));
  }

  reapExpiredInstances(input: ReapInput): Promise<ReapResult> {
    return this.exclusive((db) => instances.reapExpiredInstances(db, input));
  }

  removeInstance(instanceId: string): Promise<void> {
    return this.exclusive((db) => instances.removeInstance(db, instanceId));
  }

  listInstances(): Promise<Instance[]> {
    return this.exclusive((db) => instances.listInstances(db));
  }

  getRun(id: string): Promise<Run | null> {
    return this.exclusive((db) => runs.findRun(db, id));
  }

  listRuns(input: ListRunsInput): Promise<Page<Run>> {
    return this.exclusive((db) => runs.listRuns(db, input));
  }

  runStats(): Promise<RunStats> {
    return this.exclusive((db) => runs.runStats(db));
  }

  runWindowStats(input: { since: Date; until: Date }): Promise<RunWindowStats> {
    return this.exclusive((db) => runInsights.runWindowStats(db, input));
  }

  scheduleRunSamples(scheduleId: string, limit: number): Promise<{ total_runs: number; recent: RunSample[] }> {
    return this.exclusive((db) => runInsights.scheduleRunSamples(db, scheduleId, limit));
  }

  listNextFires(limit: number): Promise<NextFire[]> {
    return this.exclusive((db) => runInsights.listNextFires(db, limit));
  }

  getRuns(ids: readonly string[]): Promise<Run[]> {
    return this.exclusive((db) => runInsights.getRuns(db, ids));
  }

  listRunsAfter(afterId: string, limit: number): Promise<Run[]> {
    return this.exclusive((db) => runInsights.listRunsAfter(db, afterId, limit));
  }

  // Not one exclusive section: pruneRuns takes the connection once per
  // statement, so claims and result writes run between its statements.
  pruneRuns(input: PruneRunsInput): Promise<number> {
    return pruneRuns((operation) => this.exclusive(operation), this.pruneCursor, input);
  }

  createApiKey(key: StoredApiKey): Promise<ApiKey> {
    return this.exclusive((db) => apiKeys.insertApiKey(db, key));
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.exclusive((db) => apiKeys.listApiKeys(db));
  }

  getApiKey(id: string): Promise<ApiKey | null> {
    return this.exclusive((db) => apiKeys.findApiKey(db, id));
  }

  findApiKeyByPrefix(prefix: string): Promise<StoredApiKey | null> {
    return this.exclusive((db) => apiKeys.findApiKeyByPrefix(db, prefix));
  }

  countActiveApiKeys(): Promise<number> {
    return this.exclusive((db) => apiKeys.countActiveApiKeys(db));
  }

  touchApiKey(id: string, usedAt: Date): Promise<void> {
    return this.exclusive((db) => apiKeys.touchApiKey(db, id, usedAt));
  }

  revokeApiKey(id: string, revokedAt: Date): Promise<ApiKey> {
    return this.exclusive((db) => apiKeys.revokeApiKey(db, id, revokedAt));
  }

  recordAlertOutcome(input: AlertOutcomeInput): Promise<AlertNotification | null> {
    return this.exclusive((db) => alerts.recordAlertOutcome(db, input));
  }

  markSilentSchedules(input: SilenceSweepInput): Promise<AlertNotification[]> {
    return this.exclusive((db) => alerts.markSilentSchedules(db, input));
  }

  claimAlertNotifications(input: ClaimAlertNotificationsInput): Promise<AlertNotification[]> {
    return this.exclusive((db) => alerts.claimAlertNotifications(db, input));
  }

  finishAlertNotification(input: AlertDeliveryResult): Promise<void> {
    return this.exclusive((db) => alerts.finishAlertNotification(db, input));
  }

  listAlertNotifications(scheduleId: string, limit: number): Promise<AlertNotification[]> {
    return this.exclusive((db) => alerts.listAlertNotifications(db, scheduleId, limit));
  }
}
