import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';

import { checkPruneInput } from '../input-checks.js';
import type { PruneRunsInput } from '../store.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';

// Index entries that the count rule may step through in one statement. The
// libSQL driver runs statements synchronously on the event loop, so this
// bounds how long one statement stalls timers and claims. It was measured
// once, by hand, on a 2-core machine busy with other work (libsql 0.5.29).
// There the cutoff lookups of 50 schedules with 10,000 runs each stepped
// 6,000 entries per millisecond from a cold cache and 17,000 from a warm one,
// so the budget takes about 6 to 17 ms.
const COUNT_RULE_STEPS_PER_STATEMENT = 100_000;
const MAX_SCHEDULES_PER_STATEMENT = 500;

/** Runs one operation alone on the store's connection, as LibsqlStore.exclusive does. */
export type ExclusiveRunner = <T>(operation: (db: LibsqlDatabase) => Promise<T>) => Promise<T>;

/**
 * The schedule id where the count rule resumes. The store keeps it between
 * calls, so a run of calls with a small limit visits each schedule about
 * once instead of repeating the cutoff lookup of schedules already pruned.
 */
export interface PruneCursor {
  scheduleId: string;
}

/**
 * Deletes finished runs by the age rule, then by the count rule, at most
 * `input.limit` in all. Each statement is its own short transaction and
 * takes the connection alone, so claims and result writes run between them.
 */
export async function pruneRuns(
  exclusive: ExclusiveRunner,
  cursor: PruneCursor,
  input: PruneRunsInput,
  stepsPerStatement = COUNT_RULE_STEPS_PER_STATEMENT,
): Promise<number> {
  checkPruneInput(input);
  if (input.limit === 0) return 0;

  let deleted = 0;
  const { olderThan, keepPerSchedule } = input;
  if (olderThan !== null) {
    deleted += await exclusive((db) => deleteRunsStartedBefore(db, olderThan, input.limit));
  }
  if (keepPerSchedule !== null && deleted < input.limit) {
    deleted += await pruneBeyondCount(exclusive, cursor, { keep: keepPerSchedule, limit: input.limit - deleted, stepsPerStatement });
  }
  return deleted;
}

/**
 * Deletes up to `limit` finished runs that started before `olderThan`, oldest
 * first. The subquery repeats the condition of the partial index
 * runs_finished_started_idx word for word, because SQLite uses a partial index
 * only when the query's WHERE implies the index's. It then reads no RUNNING run.
 */
export async function deleteRunsStartedBefore(db: LibsqlExecutor, olderThan: Date, limit: number): Promise<number> {
  const result = await db.run(runsStartedBeforeDeletion(olderThan, limit));
  return result.rowsAffected;
}

export function runsStartedBeforeDeletion(olderThan: Date, limit: number): SQL {
  return sql`
    DELETE FROM runs WHERE id IN (
      SELECT id FROM runs
      WHERE status <> 'RUNNING' AND started_at < ${olderThan.getTime()}
      ORDER BY started_at
      LIMIT ${limit})`;
}

/**
 * Visits the schedules in id order, starting at the cursor and wrapping
 * around once, in groups sized so that one statement stays within the step
 * budget. Stops at `limit` and leaves the cursor on the schedule it was
 * pruning, which may have more runs to delete.
 */
async function pruneBeyondCount(
  exclusive: ExclusiveRunner,
  cursor: PruneCursor,
  { keep, limit, stepsPerStatement }: { keep: number; limit: number; stepsPerStatement: number },
): Promise<number> {
  const groupSize = Math.max(1, Math.min(MAX_SCHEDULES_PER_STATEMENT, Math.floor(stepsPerStatement / (keep + 1))));
  const start = cursor.scheduleId;
  let deleted = 0;

  // The schedules from the cursor on, then those before it.
  const laps: { from: string; before: string | null }[] = [{ from: start, before: null }];
  if (start !== '') laps.push({ from: '', before: start });
  for (const lap of laps) {
    let from = lap.from;
    let inclusive = true;
    for (;;) {
      // The driver settles each statement's promise at once, so without this
      // a chain of statements runs to its end before any timer fires. Measured
      // once by hand, 300 one-schedule statements held a 5 ms timer for 1.2 s.
      // Yielding to the event loop lets a due claim run in between.
      await new Promise((resolve) => setImmediate(resolve));
      const step = await exclusive(async (db) => {
        const group = await scheduleIdGroup(db, { from, inclusive, before: lap.before, size: groupSize });
        if (group === null) return null;
        const result = await deleteRunsBeyondCount(db, { ...group, keep, limit: limit - deleted });
        return { group, ...result };
      });
      if (step === null) break;

      deleted += step.deleted;
      if (deleted >= limit) {
        cursor.scheduleId = step.lastScheduleId ?? step.group.last;
        return deleted;
      }
      from = step.group.last;
      inclusive = false;
    }
  }
  return deleted;
}

/** Returns the first and last id of the next `size` schedules in id order, or null when none is left. */
async function scheduleIdGroup(
  db: LibsqlExecutor,
  range: { from: string; inclusive: boolean; before: string | null; size: number },
): Promise<{ first: string; last: string } | null> {
  const lower = range.inclusive ? sql`id >= ${range.from}` : sql`id > ${range.from}`;
  const upper = range.before === null ? sql`` : sql`AND id < ${range.before}`;
  const rows = await db.all<{ id: string }>(sql`SELECT id FROM schedules WHERE ${lower} ${upper} ORDER BY id LIMIT ${range.size}`);
  if (rows.length === 0) return null;
  return { first: rows[0]!.id, last: rows[rows.length - 1]!.id };
}

/**
 * Deletes up to `limit` finished runs of the schedules with ids from `first`
 * to `last` that are beyond the newest `keep` runs of their schedule, schedule
 * by schedule and oldest first. A schedule's cutoff is the id of its
 * (keep+1)-th newest run, which RUNNING runs count toward: one lookup in
 * runs_schedule_idx that steps through at most keep+1 entries, however many
 * runs the schedule has. The delete is then a range scan of that index up to
 * the cutoff.
 */
export async function deleteRunsBeyondCount(
  db: LibsqlExecutor,
  input: { first: string; last: string; keep: number; limit: number },
): Promise<{ deleted: number; lastScheduleId: string | null }> {
  const rows = await db.all<{ schedule_id: string }>(runsBeyondCountDeletion(input));

  let lastScheduleId: string | null = null;
  for (const row of rows) {
    if (lastScheduleId === null || row.schedule_id > lastScheduleId) lastScheduleId = row.schedule_id;
  }
  return { deleted: rows.length, lastScheduleId };
}

export function runsBeyondCountDeletion(input: { first: string; last: string; keep: number; limit: number }): SQL {
  return sql`
    DELETE FROM runs WHERE id IN (
      SELECT run.id
      FROM schedules AS schedule
      JOIN runs AS run ON run.schedule_id = schedule.id
      WHERE schedule.id BETWEEN ${input.first} AND ${input.last}
        AND run.id <= (
          SELECT newer.id FROM runs AS newer
          WHERE newer.schedule_id = schedule.id
          ORDER BY newer.id DESC
          LIMIT 1 OFFSET ${input.keep})
        AND run.status <> 'RUNNING'
      ORDER BY schedule.id, run.id
      LIMIT ${input.limit})
    RETURNING schedule_id`;
}
