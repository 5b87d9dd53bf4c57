import { NotFoundError, SCHEDULE_STATUSES } from '@api-scheduler/core';
import type { Page, Schedule, ScheduleStatus } from '@api-scheduler/core';
import { and, asc, count, eq, getTableColumns, gt, min, sql } from 'drizzle-orm';

import { decodeCursor, toPage } from '../pagination.js';
import { pickDefined } from '../pick-defined.js';
import type { ListSchedulesInput, NewSchedule, SchedulePatch } from '../store.js';
import type { PostgresExecutor } from './open-database.js';
import { violatedConstraint } from './postgres-errors.js';
import { SCHEDULE_CHANNEL } from './schedule-changes.js';
import { schedules } from './schema.js';

/**
 * The status condition of the due and earliest-next queries. PostgreSQL uses
 * the partial index schedules_due_idx only when it can prove that a query's
 * WHERE implies the index's condition, and a literal proves it for every
 * plan, generic ones included.
 */
export const isActive = sql`${schedules.status} = 'ACTIVE'`;

/**
 * The RETURNING list of a statement that creates or changes a schedule: its
 * columns, and a call of pg_notify on the schedule channel for each row, so
 * the write and its notification are one statement and one round trip.
 * NOTIFY is transactional: it is delivered when the statement commits and
 * dropped when it fails, so listeners never wake for a change that did not
 * happen.
 */
const returningWithNotify = { ...getTableColumns(schedules), notified: sql`pg_notify(${SCHEDULE_CHANNEL}, ${schedules.id})` };

function withoutNotified(row: Schedule & { notified: unknown }): Schedule {
  const { notified: _notified, ...schedule } = row;
  return schedule;
}

export async function insertSchedule(db: PostgresExecutor, schedule: NewSchedule): Promise<Schedule> {
  try {
    const [row] = await db
      .insert(schedules)
      .values({
        id: schedule.id,
        target_id: schedule.target_id,
        name: schedule.name,
        schedule_type: schedule.schedule_type,
        schedule_config: schedule.schedule_config,
        status: schedule.status,
        next_run_at: schedule.next_run_at,
        run_count: schedule.run_count,
        last_run_at: schedule.last_run_at,
        timezone: schedule.timezone,
        retry_policy: schedule.retry_policy,
        overlap_policy: schedule.overlap_policy,
        misfire_policy: schedule.misfire_policy,
        alert: schedule.alert,
        alert_state: schedule.alert_state,
        alert_failures: schedule.alert_failures,
        alert_changed_at: schedule.alert_changed_at,
        created_at: schedule.created_at,
        updated_at: schedule.updated_at,
      })
      .returning(returningWithNotify);
    return withoutNotified(row!);
  } catch (error) {
    // target_id is the only foreign key of schedules.
    if (violatedConstraint(error)?.kind === 'foreign_key') throw new NotFoundError('target', schedule.target_id);
    throw error;
  }
}

export async function findSchedule(db: PostgresExecutor, id: string): Promise<Schedule | null> {
  const [row] = await db.select().from(schedules).where(eq(schedules.id, id));
  return row ?? null;
}

export async function listSchedules(db: PostgresExecutor, input: ListSchedulesInput): Promise<Page<Schedule>> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const rows = await db
    .select()
    .from(schedules)
    .where(
      and(
        input.status === undefined ? undefined : eq(schedules.status, input.status),
        input.target_id === undefined ? undefined : eq(schedules.target_id, input.target_id),
        after === undefined ? undefined : gt(schedules.id, after),
      ),
    )
    .orderBy(asc(schedules.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit);
}

const schedulePatchKeys = [
  'target_id',
  'name',
  'schedule_type',
  'schedule_config',
  'timezone',
  'retry_policy',
  'overlap_policy',
  'misfire_policy',
  'status',
  'next_run_at',
  'run_count',
  'alert',
  'alert_state',
  'alert_failures',
  'alert_changed_at',
] as const;

/** Updates a schedule and wakes the schedule listeners of every process, because a change may move its next fire earlier. */
export async function updateSchedule(db: PostgresExecutor, id: string, patch: SchedulePatch): Promise<Schedule> {
  let row: (Schedule & { notified: unknown }) | undefined;
  try {
    [row] = await db
      .update(schedules)
      .set({ ...pickDefined(patch, schedulePatchKeys), updated_at: patch.updated_at })
      .where(eq(schedules.id, id))
      .returning(returningWithNotify);
  } catch (error) {
    if (violatedConstraint(error)?.kind === 'foreign_key' && patch.target_id !== undefined) {
      throw new NotFoundError('target', patch.target_id);
    }
    throw error;
  }

  if (!row) throw new NotFoundError('schedule', id);
  return withoutNotified(row);
}

/** Deletes a schedule; its runs go with it through the foreign key's ON DELETE CASCADE. */
export async function deleteSchedule(db: PostgresExecutor, id: string): Promise<void> {
  const deleted = await db.delete(schedules).where(eq(schedules.id, id)).returning({ id: schedules.id });
  if (deleted.length === 0) throw new NotFoundError('schedule', id);
}

export async function countSchedulesByStatus(db: PostgresExecutor): Promise<Record<ScheduleStatus, number>> {
  const rows = await db.select({ status: schedules.status, total: count() }).from(schedules).groupBy(schedules.status);

  const counts = Object.fromEntries(SCHEDULE_STATUSES.map((status) => [status, 0])) as Record<ScheduleStatus, number>;
  for (const row of rows) counts[row.status] = row.total;
  return counts;
}

/** Returns the earliest next_run_at of an ACTIVE schedule, in Unix milliseconds, only counting those later than `after` when it is given. */
export async function earliestNextRunAt(db: PostgresExecutor, after?: number): Promise<number | null> {
  const [row] = await db
    .select({ earliest: min(schedules.next_run_at) })
    .from(schedules)
    .where(and(isActive, after === undefined ? undefined : gt(schedules.next_run_at, new Date(after))));
  return row?.earliest?.getTime() ?? null;
}
