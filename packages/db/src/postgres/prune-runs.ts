import { sql } from 'drizzle-orm';

import { checkPruneInput } from '../input-checks.js';
import type { PruneRunsInput } from '../store.js';
import type { PostgresExecutor } from './open-database.js';

/**
 * The schedule id where the count rule resumes. The store keeps it between
 * calls, so a run of calls with a small limit does not start over at the
 * first schedule each time.
 */
export interface PruneCursor {
  scheduleId: string;
}

/**
 * Deletes finished runs by the age rule, then by the count rule, at most
 * `input.limit` in all. Each statement commits on its own, so no
 * transaction holds row locks for the whole call.
 */
export async function pruneRuns(db: PostgresExecutor, cursor: PruneCursor, input: PruneRunsInput): Promise<number> {
  checkPruneInput(input);
  if (input.limit === 0) return 0;

  let deleted = 0;
  const { olderThan, keepPerSchedule } = input;
  if (olderThan !== null) {
    deleted += await deleteRunsStartedBefore(db, olderThan, input.limit);
  }
  if (keepPerSchedule !== null && deleted < input.limit) {
    deleted += await pruneBeyondCount(db, cursor, keepPerSchedule, input.limit - deleted);
  }
  return deleted;
}

/**
 * Deletes up to `limit` finished runs that started before `olderThan`, oldest
 * first, through the partial index runs_finished_started_idx, whose
 * condition the subquery repeats so that the planner can use it.
 */
async function deleteRunsStartedBefore(db: PostgresExecutor, olderThan: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM runs WHERE id IN (
      SELECT id FROM runs
      WHERE status <> 'RUNNING' AND started_at < ${olderThan}
      ORDER BY started_at
      LIMIT ${limit})`);
  return result.rowCount ?? 0;
}

/**
 * Visits the schedules in id order from the cursor to the last one, then
 * from the first one up to the cursor, and stops at `limit`. It then leaves
 * the cursor on the schedule it was pruning, which may have more runs to delete.
 */
async function pruneBeyondCount(db: PostgresExecutor, cursor: PruneCursor, keep: number, limit: number): Promise<number> {
  const start = cursor.scheduleId;
  const laps: { from: string; before: string | null }[] = [{ from: start, before: null }];
  if (start !== '') laps.push({ from: '', before: start });

  let deleted = 0;
  for (const lap of laps) {
    const scheduleIds = await deleteRunsBeyondCount(db, { ...lap, keep, limit: limit - deleted });
    deleted += scheduleIds.length;
    if (deleted >= limit) {
      cursor.scheduleId = scheduleIds.reduce((last, id) => (id > last ? id : last));
      return deleted;
    }
  }
  return deleted;
}

/**
 * Deletes up to `limit` finished runs that are beyond the newest `keep` runs
 * of their schedule, schedule by schedule and oldest first, and returns the
 * schedule id of each run deleted. Only schedules with ids from `from` up to
 * `before` are visited (`before` is exclusive, and null means no upper
 * bound). A schedule's cutoff is the id
 * of its (keep+1)-th newest run, which RUNNING runs count toward: one lookup
 * in runs_schedule_idx that steps through at most keep+1 entries, however
 * many runs the schedule has.
 * NOTE: a schedule with no run beyond the count still costs its lookup, so
 * one statement may visit every schedule from `from` on.
 */
async function deleteRunsBeyondCount(
  db: PostgresExecutor,
  input: { from: string; before: string | null; keep: number; limit: number },
): Promise<string[]> {
  const upper = input.before === null ? sql`` : sql`AND schedule.id < ${input.before}`;
  const result = await db.execute<{ schedule_id: string }>(sql`
    WITH doomed AS (
      SELECT run.id
      FROM schedules AS schedule
      CROSS JOIN LATERAL (
        SELECT newer.id FROM runs AS newer
        WHERE newer.schedule_id = schedule.id
        ORDER BY newer.id DESC
        OFFSET ${input.keep} LIMIT 1) AS cutoff
      JOIN runs AS run ON run.schedule_id = schedule.id AND run.id <= cutoff.id
      WHERE schedule.id >= ${input.from} ${upper} AND run.status <> 'RUNNING'
      ORDER BY schedule.id, run.id
      LIMIT ${input.limit})
    DELETE FROM runs USING doomed WHERE runs.id = doomed.id
    RETURNING runs.schedule_id`);
  return result.rows.map((row) => row.schedule_id);
}
