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
import { bigint, boolean, customType, doublePrecision, index, integer, json, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

// The same tables, columns and indexes as the libSQL schema (../sqlite/schema.ts).
// Column names are the field names of the core domain types, so a selected
// row already has the shape of a Target, Schedule or Run. Instants are
// timestamptz with millisecond precision, which stores a JavaScript Date
// exactly. Objects are `json`, not `jsonb`, because json keeps the text as
// written, so headers come back in the order the client sent them.

const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

// Ids are compared byte by byte, as SQLite compares text: pages and the
// prune cursor order by id, and the "C" collation keeps that order (and its
// index) the same whatever collation the database was created with.
const idText = customType<{ data: string; driverData: string }>({ dataType: () => 'text COLLATE "C"' });

export const targets = pgTable('targets', {
  id: idText('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  method: text('method').$type<HttpMethod>().notNull(),
  headers: json('headers').$type<Record<string, string>>().notNull(),
  body_template: text('body_template'),
  // Key that signs every request; encrypted (enc:v1:…) when SCHEDULER_SECRET_KEY is set.
  signing_secret: text('signing_secret'),
  timeout_ms: integer('timeout_ms').notNull(),
  created_at: instant('created_at').notNull(),
  updated_at: instant('updated_at').notNull(),
});

export const schedules = pgTable(
  'schedules',
  {
    id: idText('id').primaryKey(),
    // No cascade: deleting a target that schedules still use is a conflict
    // that the store reports by name, and this key is the backstop.
    target_id: idText('target_id')
      .notNull()
      .references(() => targets.id),
    name: text('name').notNull(),
    schedule_type: text('schedule_type').$type<ScheduleType>().notNull(),
    schedule_config: json('schedule_config').$type<ScheduleConfig>().notNull(),
    status: text('status').$type<ScheduleStatus>().notNull(),
    next_run_at: instant('next_run_at'),
    run_count: integer('run_count').notNull(),
    last_run_at: instant('last_run_at'),
    timezone: text('timezone').notNull(),
    retry_policy: json('retry_policy').$type<RetryPolicy>().notNull(),
    overlap_policy: text('overlap_policy').$type<OverlapPolicy>().notNull(),
    misfire_policy: text('misfire_policy').$type<MisfirePolicy>().notNull(),
    alert: json('alert').$type<AlertConfig>(),
    alert_state: text('alert_state').$type<AlertState>().notNull().default('OK'),
    alert_failures: integer('alert_failures').notNull().default(0),
    alert_changed_at: instant('alert_changed_at'),
    created_at: instant('created_at').notNull(),
    updated_at: instant('updated_at').notNull(),
  },
  (table) => [
    // Serves the claim (due ACTIVE schedules by next_run_at) and
    // earliestNextRunAt. PostgreSQL uses a partial index only when the
    // query's WHERE implies the index's, so those queries repeat the literal
    // status = 'ACTIVE'.
    index('schedules_due_idx').on(table.next_run_at).where(sql`status = 'ACTIVE'`),
    // Serves the "is this target still used" check of deleteTarget and listSchedules by target.
    index('schedules_target_idx').on(table.target_id, table.id),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: idText('id').primaryKey(),
    schedule_id: idText('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    // No foreign key: a run records the target it called, which may since
    // have been detached from its schedule and deleted.
    target_id: idText('target_id').notNull(),
    scheduled_for: instant('scheduled_for').notNull(),
    attempt: integer('attempt').notNull(),
    started_at: instant('started_at').notNull(),
    finished_at: instant('finished_at'),
    status: text('status').$type<RunStatus>().notNull(),
    status_code: integer('status_code'),
    // Double precision because executors measure fractional milliseconds.
    latency_ms: doublePrecision('latency_ms'),
    // bigint because a streamed body is counted past 2^31 bytes.
    response_size: bigint('response_size', { mode: 'number' }),
    response_headers: json('response_headers').$type<Record<string, string>>(),
    response_body: text('response_body'),
    truncated: boolean('truncated').notNull(),
    error_type: text('error_type').$type<ErrorType>(),
    error_message: text('error_message'),
    request: json('request').$type<RunRequest>().notNull(),
    catch_up: boolean('catch_up').notNull(),
    manual: boolean('manual').notNull().default(false),
    missed_count: integer('missed_count').notNull(),
    instance_id: text('instance_id').notNull(),
  },
  (table) => [
    // One row per attempt of a planned slot: a second claim of the same slot
    // cannot insert its run, so the slot cannot fire twice.
    uniqueIndex('runs_slot_unique').on(table.schedule_id, table.scheduled_for, table.attempt),
    // Serves listRuns by schedule, newest first, the cascade from schedules,
    // and the count rule of pruneRuns.
    index('runs_schedule_idx').on(table.schedule_id, table.id),
    // Serves listRuns by target, newest first.
    index('runs_target_idx').on(table.target_id, table.id),
    // Serves interruptRunningRuns (status = 'RUNNING') and listRuns by status.
    index('runs_status_idx').on(table.status, table.id),
    // Serves the age rule of pruneRuns: finished runs by started_at, oldest first.
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
export const instances = pgTable('instances', {
  id: idText('id').primaryKey(),
  started_at: instant('started_at').notNull(),
  heartbeat_at: instant('heartbeat_at').notNull(),
  lease_expires_at: instant('lease_expires_at').notNull(),
});

/**
 * API keys, stored as a SHA-256 hash of the whole key: the key itself is
 * shown once, when it is created. A revoked key keeps its row, so lists
 * still show who had access and when it ended.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: idText('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scope: text('scope').$type<ApiKeyScope>().notNull(),
    created_at: instant('created_at').notNull(),
    last_used_at: instant('last_used_at'),
    revoked_at: instant('revoked_at'),
  },
  (table) => [
    // Every authenticated request finds its key by the prefix that the key carries.
    uniqueIndex('api_keys_prefix_unique').on(table.prefix),
  ],
);

/** Alert notifications: the outbox of the libSQL schema's alert_notifications. */
export const alertNotifications = pgTable(
  'alert_notifications',
  {
    id: idText('id').primaryKey(),
    schedule_id: idText('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    event: text('event').$type<AlertEvent>().notNull(),
    previous_state: text('previous_state').$type<AlertState>().notNull(),
    failures: integer('failures').notNull(),
    run_id: idText('run_id'),
    overdue_run_at: instant('overdue_run_at'),
    created_at: instant('created_at').notNull(),
    delivery: text('delivery').$type<'PENDING' | 'DELIVERED' | 'FAILED'>().notNull(),
    attempts: integer('attempts').notNull(),
    next_attempt_at: instant('next_attempt_at').notNull(),
    lease_until: instant('lease_until'),
    delivered_at: instant('delivered_at'),
    last_error: text('last_error'),
  },
  (table) => [
    index('alert_notifications_pending_idx').on(table.next_attempt_at).where(sql`delivery = 'PENDING'`),
    index('alert_notifications_schedule_idx').on(table.schedule_id, table.id),
  ],
);
