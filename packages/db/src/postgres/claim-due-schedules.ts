import type { Schedule } from '@api-scheduler/core';
import { asc, eq, lte, sql } from 'drizzle-orm';

import { claimedFires, planClaims } from '../claim-plan.js';
import type { Claim } from '../claim-plan.js';
import type { StoreLogger } from '../logger.js';
import type { ClaimInput, ClaimedFire } from '../store.js';
import type { PostgresDatabase, PostgresExecutor } from './open-database.js';
import { runRow } from './runs.js';
import { isActive } from './schedules.js';
import { runs, schedules, targets } from './schema.js';

/**
 * Claims due schedules and records their fires in one transaction, safe to
 * run in many processes at once.
 *
 * The select locks the due schedules it returns with FOR UPDATE SKIP LOCKED:
 * a concurrent claim skips the rows this one holds instead of waiting for
 * them, and takes the next due schedules. After this transaction commits,
 * those rows have their advanced next_run_at, so a later claim no longer
 * finds them due. The unique key runs_slot_unique is the backstop: a run
 * whose slot and attempt already have a run is not inserted, and its fire
 * is not returned, so no slot fires twice even if two claims planned it.
 *
 * Four round trips: BEGIN, the select, the update and insert as one
 * statement, COMMIT.
 */
export async function claimDueSchedules(db: PostgresDatabase, input: ClaimInput, logger: StoreLogger): Promise<ClaimedFire[]> {
  return db.transaction((tx) => claimInTransaction(tx, input, logger));
}

async function claimInTransaction(tx: PostgresExecutor, input: ClaimInput, logger: StoreLogger): Promise<ClaimedFire[]> {
  const selected = await selectDue(tx, input.now, input.limit);
  if (selected.length === 0) return [];

  const due: Schedule[] = [];
  const targetsById = new Map(selected.map((row) => [row.target.id, row.target]));
  const runningRunIds = new Map<string, string>();
  for (const row of selected) {
    due.push(row.schedule);
    if (row.running_run_id !== null) runningRunIds.set(row.schedule.id, row.running_run_id);
  }

  const claims = planClaims(input, due, targetsById, runningRunIds, logger);
  if (claims.length === 0) return [];

  const newRuns = claims.flatMap((claim) => claim.runs);
  const insertedIds = await writeClaims(tx, claims);
  const inserted = insertedIds.length === newRuns.length ? null : new Set(insertedIds);
  return claimedFires(claims, inserted, logger);
}

/**
 * Selects and locks up to `limit` due ACTIVE schedules, earliest first, with
 * their targets and, for a schedule whose overlap policy is skip, one of its
 * RUNNING runs in any process (served by runs_running_schedule_idx). The
 * partial index schedules_due_idx serves the scan in next_run_at order, so
 * the scan stops after `limit` rows that it could lock. Only the schedules
 * are locked: targets are read, and may change while the fire is sent.
 */
export function selectDue(tx: PostgresExecutor, now: number, limit: number) {
  return tx
    .select({
      schedule: schedules,
      target: targets,
      running_run_id: sql<string | null>`CASE WHEN ${schedules.overlap_policy} = 'skip' THEN (
        SELECT ${runs.id} FROM ${runs} WHERE ${runs.schedule_id} = ${schedules.id} AND ${runs.status} = 'RUNNING' LIMIT 1) END`,
    })
    .from(schedules)
    .innerJoin(targets, eq(targets.id, schedules.target_id))
    .where(sql`${isActive} AND ${lte(schedules.next_run_at, new Date(now))}`)
    .orderBy(asc(schedules.next_run_at))
    .limit(limit)
    .for('update', { of: schedules, skipLocked: true });
}

/**
 * Stores the planned state of the claimed schedules and inserts their runs,
 * in one statement, and returns the ids of the runs it inserted. Both
 * batches travel as one JSON array each, which json_populate_recordset
 * turns into rows of the table's own type by column name. A run whose slot
 * and attempt already have a run is skipped by ON CONFLICT and left out of
 * RETURNING.
 */
async function writeClaims(tx: PostgresExecutor, claims: Claim[]): Promise<string[]> {
  const planned = claims.map(({ schedule }) => ({
    id: schedule.id,
    next_run_at: schedule.next_run_at,
    run_count: schedule.run_count,
    status: schedule.status,
    last_run_at: schedule.last_run_at,
    updated_at: schedule.updated_at,
  }));
  const newRuns = claims.flatMap((claim) => claim.runs.map(runRow));
  // The columns are named, so one that runRow leaves out gets its default and not NULL.
  const columns = sql.join(
    Object.keys(newRuns[0]!).map((column) => sql.identifier(column)),
    sql`, `,
  );

  const result = await tx.execute<{ id: string }>(sql`
    WITH planned AS (
      UPDATE schedules
      SET next_run_at = state.next_run_at, run_count = state.run_count, status = state.status,
          last_run_at = state.last_run_at, updated_at = state.updated_at
      FROM json_populate_recordset(NULL::schedules, ${JSON.stringify(planned)}::json) AS state
      WHERE schedules.id = state.id)
    INSERT INTO runs (${columns})
    SELECT ${columns} FROM json_populate_recordset(NULL::runs, ${JSON.stringify(newRuns)}::json)
    ON CONFLICT (schedule_id, scheduled_for, attempt) DO NOTHING
    RETURNING id`);
  return result.rows.map((row) => row.id);
}
