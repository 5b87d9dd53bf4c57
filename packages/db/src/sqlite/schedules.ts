import { NotFoundError, SCHEDULE_STATUSES } from '@api-scheduler/core';
import type { Page, Schedule, ScheduleStatus } from '@api-scheduler/core';
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';

import { decodeCursor, toPage } from '../pagination.js';
import { pickDefined } from '../pick-defined.js';
import type { ListSchedulesInput, NewSchedule, SchedulePatch } from '../store.js';
import { compile, runCompiled } from './compiled-query.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';
import { schedules } from './schema.js';
import { violatedConstraint } from './sqlite-errors.js';

/**
 * The status condition of the due and earliest-next queries. SQLite uses the
 * partial index schedules_due_idx only when it can prove that a query's
 * WHERE implies the index's condition, and a literal proves it without
 * depending on bound values.
 */
export const isActive = sql`${schedules.status} = 'ACTIVE'`;

export async function insertSchedule(db: LibsqlExecutor, schedule: NewSchedule): Promise<Schedule> {
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
      .returning();
    return row!;
  } catch (error) {
    // target_id is the only foreign key of schedules.
    if (violatedConstraint(error) === 'foreign_key') throw new NotFoundError('target', schedule.target_id);
    throw error;
  }
}

export async function findSchedule(db: LibsqlExecutor, id: string): Promise<Schedule | null> {
  const [row] = await db.select().from(schedules).where(eq(schedules.id, id));
  return row ?? null;
}

export async function listSchedules(db: LibsqlExecutor, input: ListSchedulesInput): Promise<Page<Schedule>> {
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

export async function updateSchedule(db: LibsqlExecutor, id: string, patch: SchedulePatch): Promise<Schedule> {
  let row: Schedule | undefined;
  try {
    [row] = await db
      .update(schedules)
      .set({ ...pickDefined(patch, schedulePatchKeys), updated_at: patch.updated_at })
      .where(eq(schedules.id, id))
      .returning();
  } catch (error) {
    if (violatedConstraint(error) === 'foreign_key' && patch.target_id !== undefined) {
      throw new NotFoundError('target', patch.target_id);
    }
    throw error;
  }

  if (!row) throw new NotFoundError('schedule', id);
  return row;
}

/** Deletes a schedule; its runs go with it through the foreign key's ON DELETE CASCADE. */
export async function deleteSchedule(db: LibsqlExecutor, id: string): Promise<void> {
  const result = await db.delete(schedules).where(eq(schedules.id, id));
  if (result.rowsAffected === 0) throw new NotFoundError('schedule', id);
}

// TODO: this scans the whole table, 255 ms at 1,000,000 schedules in
// bench/benchmarks/scale.mjs, on every GET /metrics. PAUSED and COMPLETED
// have no index to count from (ACTIVE could use schedules_due_idx), so a
// faster count needs a partial index on the non-ACTIVE rows or kept counters.
export async function countSchedulesByStatus(db: LibsqlExecutor): Promise<Record<ScheduleStatus, number>> {
  const rows = await db.select({ status: schedules.status, total: count() }).from(schedules).groupBy(schedules.status);

  const counts = Object.fromEntries(SCHEDULE_STATUSES.map((status) => [status, 0])) as Record<ScheduleStatus, number>;
  for (const row of rows) counts[row.status] = row.total;
  return counts;
}

// Compiled once: the scheduler loop reads it after every claim.
const selectEarliestNextRunAt = compile(sql`
  SELECT min(${schedules.next_run_at}) AS earliest FROM ${schedules}
  WHERE ${isActive} AND ${schedules.next_run_at} > ${sql.placeholder('after')}`);

export async function earliestNextRunAt(db: LibsqlDatabase, after = -Number.MAX_SAFE_INTEGER): Promise<number | null> {
  const result = await runCompiled(db.$client, selectEarliestNextRunAt, { after });
  const earliest = result.rows[0]?.['earliest'];
  return earliest === null || earliest === undefined ? null : Number(earliest);
}
