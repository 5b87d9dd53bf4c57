import type {
  AlertConfig,
  AlertEvent,
  AlertState,
  ApiKeyScope,
  ErrorType,
  HttpMethod,
  MisfirePolicy,
  OverlapPolicy,
  RetryPolicy,
  RunRequest,
  RunStatus,
  ScheduleConfig,
  ScheduleStatus,
  ScheduleType,
} from '@api-scheduler/core';
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Column names are the field names of the core domain types, so a selected
// row already has the shape of a Target, Schedule or Run. Instants are
// INTEGER Unix milliseconds (UTC), and objects are JSON text.

export const targets = sqliteTable('targets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  method: text('method').$type<HttpMethod>().notNull(),
  headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  body_template: text('body_template'),
  // Key that signs every request; encrypted (enc:v1:…) when SCHEDULER_SECRET_KEY is set.
  signing_secret: text('signing_secret'),
  timeout_ms: integer('timeout_ms').notNull(),
  created_at: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updated_at: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export const schedules = sqliteTable(
  'schedules',
  {
    id: text('id').primaryKey(),
    // No cascade: deleting a target that schedules still use is a conflict
    // that the store reports by name, and this key is the backstop.
    target_id: text('target_id')
      .notNull()
      .references(() => targets.id),
    name: text('name').notNull(),
    schedule_type: text('schedule_type').$type<ScheduleType>().notNull(),
    schedule_config: text('schedule_config', { mode: 'json' }).$type<ScheduleConfig>().notNull(),
    status: text('status').$type<ScheduleStatus>().notNull(),
    next_run_at: integer('next_run_at', { mode: 'timestamp_ms' }),
    run_count: integer('run_count').notNull(),
    last_run_at: integer('last_run_at', { mode: 'timestamp_ms' }),
    timezone: text('timezone').notNull(),
    retry_policy: text('retry_policy', { mode: 'json' }).$type<RetryPolicy>().notNull(),
    overlap_policy: text('overlap_policy').$type<OverlapPolicy>().notNull(),
    misfire_policy: text('misfire_policy').$type<MisfirePolicy>().notNull(),
    alert: text('alert', { mode: 'json' }).$type<AlertConfig>(),
    alert_state: text('alert_state').$type<AlertState>().notNull().default('OK'),
    alert_failures: integer('alert_failures').notNull().default(0),
    alert_changed_at: integer('alert_changed_at', { mode: 'timestamp_ms' }),
    created_at: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updated_at: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    // Serves the claim (due ACTIVE schedules by next_run_at) and
    // earliestNextRunAt. SQLite uses a partial index only when the query's
    // WHERE implies the index's, so those queries repeat status = 'ACTIVE'.
    index('schedules_due_idx').on(table.next_run_at).where(sql`status = 'ACTIVE'`),
    // Serves the "is this target still used" check of deleteTarget and listSchedules by target.
    index('schedules_target_idx').on(table.target_id, table.id),
    // NOTE: no index on schedules(status). Without ANALYZE statistics, SQLite
    // 3.45 (libsql 0.5.29) picked such an index over schedules_due_idx for the
    // claim and then sorted every ACTIVE schedule.
  ],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    schedule_id: text('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    // No foreign key: a run records the target it called, which may since
    // have been detached from its schedule and deleted.
    target_id: text('target_id').notNull(),
    scheduled_for: integer('scheduled_for', { mode: 'timestamp_ms' }).notNull(),
    attempt: integer('attempt').notNull(),
    started_at: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    finished_at: integer('finished_at', { mode: 'timestamp_ms' }),
    status: text('status').$type<RunStatus>().notNull(),
    status_code: integer('status_code'),
    // REAL because executors measure fractional milliseconds.
    latency_ms: real('latency_ms'),
    response_size: integer('response_size'),
    response_headers: text('response_headers', { mode: 'json' }).$type<Record<string, string>>(),
    response_body: text('response_body'),
    truncated: integer('truncated', { mode: 'boolean' }).notNull(),
    error_type: text('error_type').$type<ErrorType>(),
    error_message: text('error_message'),
    request: text('request', { mode: 'json' }).$type<RunRequest>().notNull(),
    catch_up: integer('catch_up', { mode: 'boolean' }).notNull(),
    manual: integer('manual', { mode: 'boolean' }).notNull().default(false),
    missed_count: integer('missed_count').notNull(),
    instance_id: text('instance_id').notNull(),
  },
  (table) => [
    // One row per attempt of a planned slot: a second claim of the same slot
    // cannot insert its run, so the slot cannot fire twice.
    uniqueIndex('runs_slot_unique').on(table.schedule_id, table.scheduled_for, table.attempt),
    // Serves listRuns by schedule, newest first, and the cascade from schedules.
    index('runs_schedule_idx').on(table.schedule_id, table.id),
    // Serves listRuns by target, newest first.
    index('runs_target_idx').on(table.target_id, table.id),
    // Serves interruptRunningRuns (status = 'RUNNING') and listRuns by status.
    index('runs_status_idx').on(table.status, table.id),
    // Serves the age rule of pruneRuns: finished runs by started_at, oldest
    // first. Partial, so RUNNING runs are never in it and listRuns, whose
    // WHERE never implies this condition, keeps its plans.
    index('runs_finished_started_idx').on(table.started_at).where(sql`status <> 'RUNNING'`),
    // Serves the overlap check of the claim: the RUNNING run of a due
    // schedule, whichever process started it. Partial, so it stays as small
    // as the number of requests in flight.
    index('runs_running_schedule_idx').on(table.schedule_id).where(sql`status = 'RUNNING'`),
  ],
);

/**
 * The processes that fire schedules on this database, one row each. A
 * process renews its lease while it runs. A RUNNING run whose process has no
 * unexpired lease belongs to a process that stopped mid-request.
 */
export const instances = sqliteTable('instances', {
  id: text('id').primaryKey(),
  started_at: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
  heartbeat_at: integer('heartbeat_at', { mode: 'timestamp_ms' }).notNull(),
  lease_expires_at: integer('lease_expires_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * API keys, stored as a SHA-256 hash of the whole key: the key itself is
 * shown once, when it is created. A revoked key keeps its row, so lists
 * still show who had access and when it ended.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scope: text('scope').$type<ApiKeyScope>().notNull(),
    created_at: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    last_used_at: integer('last_used_at', { mode: 'timestamp_ms' }),
    revoked_at: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (table) => [
    // Every authenticated request finds its key by the prefix that the key carries.
    uniqueIndex('api_keys_prefix_unique').on(table.prefix),
  ],
);

/**
 * Alert notifications waiting to be sent or sent already (an outbox): the
 * change of a schedule's alert state and its notification are written in
 * one transaction, so a notification is neither lost nor made twice.
 */
export const alertNotifications = sqliteTable(
  'alert_notifications',
  {
    id: text('id').primaryKey(),
    schedule_id: text('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    event: text('event').$type<AlertEvent>().notNull(),
    previous_state: text('previous_state').$type<AlertState>().notNull(),
    failures: integer('failures').notNull(),
    // The run whose outcome changed the state; null for schedule.silent.
    run_id: text('run_id'),
    // The overdue planned fire of schedule.silent.
    overdue_run_at: integer('overdue_run_at', { mode: 'timestamp_ms' }),
    created_at: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    delivery: text('delivery').$type<'PENDING' | 'DELIVERED' | 'FAILED'>().notNull(),
    attempts: integer('attempts').notNull(),
    next_attempt_at: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    // Until then the process that claimed the notification is the only one to send it.
    lease_until: integer('lease_until', { mode: 'timestamp_ms' }),
    delivered_at: integer('delivered_at', { mode: 'timestamp_ms' }),
    last_error: text('last_error'),
  },
  (table) => [
    // Serves the delivery claim: pending notifications by due time.
    index('alert_notifications_pending_idx').on(table.next_attempt_at).where(sql`delivery = 'PENDING'`),
    // Serves the list of a schedule's notifications, newest first, and the cascade.
    index('alert_notifications_schedule_idx').on(table.schedule_id, table.id),
  ],
);
