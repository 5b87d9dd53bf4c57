import type { Run, Schedule, Target } from '@api-scheduler/core';
import type { Transaction } from '@libsql/client';
import { fillPlaceholders, sql } from 'drizzle-orm';

import { claimedFires, planClaims } from '../claim-plan.js';
import type { Claim } from '../claim-plan.js';
import type { StoreLogger } from '../logger.js';
import type { ClaimInput, ClaimedFire } from '../store.js';
import { compile, runCompiled, runCompiledBatch } from './compiled-query.js';
import { columnsOf, fromJsonRow, jsonArrayOf, jsonEachCells, toJsonRow } from './json-rows.js';
import type { TableColumns } from './json-rows.js';
import type { LibsqlDatabase } from './open-database.js';
import { millisOrNull } from './raw-values.js';
import { isActive } from './schedules.js';
import { runs, schedules, targets } from './schema.js';

const scheduleColumns = columnsOf(schedules);
const targetColumns = columnsOf(targets);
const runColumns = columnsOf(runs);

/**
 * The due ACTIVE schedules (up to `limit`) and their targets, each set as
 * one JSON array of rows (see json-rows.ts), and the RUNNING runs of the due
 * schedules whose overlap policy is skip, as [schedule_id, run_id] pairs
 * (served by runs_running_schedule_idx). Schedules due at or after
 * `backlogBefore` come first, earliest first, then the backlog due before
 * it, at most `backlogLimit` of it. Each part is a range search of the
 * partial index schedules_due_idx, so the final sort handles at most
 * `limit` + `backlogLimit` rows. MATERIALIZED makes the subqueries read one
 * result: without it, SQLite 3.45 ran the index search again for the targets.
 */
const selectDue = compile(sql`
  WITH due AS MATERIALIZED (
    SELECT * FROM (
      SELECT *, 0 AS backlog FROM (
        SELECT * FROM ${schedules}
        WHERE ${isActive} AND ${schedules.next_run_at} >= ${sql.placeholder('backlogBefore')} AND ${schedules.next_run_at} <= ${sql.placeholder('now')}
        ORDER BY ${schedules.next_run_at}
        LIMIT ${sql.placeholder('limit')})
      UNION ALL
      SELECT *, 1 AS backlog FROM (
        SELECT * FROM ${schedules}
        WHERE ${isActive} AND ${schedules.next_run_at} < ${sql.placeholder('backlogBefore')} AND ${schedules.next_run_at} <= ${sql.placeholder('now')}
        ORDER BY ${schedules.next_run_at}
        LIMIT ${sql.placeholder('backlogLimit')}))
    ORDER BY backlog, next_run_at
    LIMIT ${sql.placeholder('limit')})
  SELECT
    (SELECT json_group_array(${jsonArrayOf(scheduleColumns, 'due')} ORDER BY due.backlog, due.next_run_at) FROM due) AS schedules,
    (SELECT json_group_array(${jsonArrayOf(targetColumns, 'targets')}) FROM targets WHERE targets.id IN (SELECT target_id FROM due)) AS targets,
    (SELECT json_group_array(json_array(runs.schedule_id, runs.id)) FROM runs
      WHERE runs.status = 'RUNNING' AND runs.schedule_id IN (SELECT id FROM due WHERE overlap_policy = 'skip')) AS running`);

/**
 * Writes the planned state of every claimed schedule in one statement;
 * SQLite looks each schedule up by its primary key. With one UPDATE per
 * schedule, a claim of 1,000 schedules took a mean of about 200 ms in
 * test/claim.bench.ts on a 2-vCPU AMD EPYC VM.
 */
const updateClaimedSchedules = compile(sql`
  UPDATE schedules
  SET next_run_at = planned.value ->> 1, run_count = planned.value ->> 2, status = planned.value ->> 3,
      last_run_at = planned.value ->> 4, updated_at = planned.value ->> 5
  FROM json_each(${sql.placeholder('planned')}) AS planned
  WHERE schedules.id = planned.value ->> 0`);

/**
 * Inserts the runs of a claim. A run whose slot and attempt already have a
 * run (the unique key runs_slot_unique) is skipped, so a slot that another
 * claim recorded first is not fired again. "WHERE true" lets SQLite parse ON
 * CONFLICT after INSERT … SELECT (sqlite.org/lang_upsert.html, "Parsing
 * Ambiguity").
 */
const insertRuns = compile(sql`
  INSERT INTO runs (${columnNames(runColumns)})
  SELECT ${jsonEachCells(runColumns.length)} FROM json_each(${sql.placeholder('runs')}) WHERE true
  ON CONFLICT (schedule_id, scheduled_for, attempt) DO NOTHING`);

const selectRunIds = compile(sql`
  SELECT json_group_array(id) AS ids FROM runs WHERE id IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`);

/** Returns the claim's select with its values filled in, for tests that check its query plan. */
export function selectDueSchedules(now: number, limit: number, backlog?: ClaimInput['backlog']): { sql: string; params: unknown[] } {
  return { sql: selectDue.sql, params: fillPlaceholders(selectDue.params, selectDueValues(now, limit, backlog)) };
}

/** With no backlog split, every due schedule is backlog, so the claim takes them earliest first. */
function selectDueValues(now: number, limit: number, backlog: ClaimInput['backlog']) {
  if (backlog === undefined) return { now, limit, backlogBefore: now + 1, backlogLimit: limit };
  return { now, limit, backlogBefore: backlog.before, backlogLimit: Math.min(backlog.limit, limit) };
}

/**
 * Claims due schedules and records their fires in one write transaction
 * (BEGIN IMMEDIATE). A concurrent claim, in this process or another, waits
 * for the write lock and then reads the advanced next_run_at. A run whose
 * slot and attempt already have a run is not inserted, and its fire is not
 * returned, so no slot fires twice.
 *
 * The transaction takes four round trips to the database thread: begin,
 * the select, the update and insert as one batch, and commit. Through
 * drizzle's transaction it took one per statement (six). In
 * test/claim.bench.ts (1,000 due schedules per claim, 2-vCPU AMD EPYC VM), a
 * claim took a mean of 115 ms with drizzle's multi-row VALUES statements and
 * row objects on the event loop. With JSON batches in the database thread it
 * took 60 ms.
 */
export async function claimDueSchedules(db: LibsqlDatabase, input: ClaimInput, logger: StoreLogger): Promise<ClaimedFire[]> {
  const tx = await db.$client.transaction('write');
  try {
    const fires = await claimInTransaction(tx, input, logger);
    await tx.commit();
    return fires;
  } finally {
    // Rolls back unless the commit above ran.
    tx.close();
  }
}

async function claimInTransaction(tx: Transaction, input: ClaimInput, logger: StoreLogger): Promise<ClaimedFire[]> {
  const selected = await runCompiled(tx, selectDue, selectDueValues(input.now, input.limit, input.backlog));
  const due = parseRows<Schedule>(scheduleColumns, selected.rows[0]?.['schedules']);
  if (due.length === 0) return [];
  const targetsById = new Map(parseRows<Target>(targetColumns, selected.rows[0]?.['targets']).map((target) => [target.id, target]));
  const runningRunIds = new Map(JSON.parse(String(selected.rows[0]?.['running'] ?? '[]')) as Array<[string, string]>);

  const claims = planClaims(input, due, targetsById, runningRunIds, logger);
  if (claims.length === 0) return [];

  const newRuns = claims.flatMap((claim) => claim.runs);
  const [, insert] = await runCompiledBatch(tx, [
    [updateClaimedSchedules, { planned: plannedStateJson(claims) }],
    [insertRuns, { runs: JSON.stringify(newRuns.map((run) => toJsonRow(runColumns, run))) }],
  ]);
  const inserted = insert!.rowsAffected === newRuns.length ? null : await insertedRunIds(tx, newRuns);

  return claimedFires(claims, inserted, logger);
}

function parseRows<T>(columns: TableColumns, json: unknown): T[] {
  const rows = JSON.parse(typeof json === 'string' ? json : '[]') as unknown[][];
  return rows.map((cells) => fromJsonRow<T>(columns, cells));
}

function plannedStateJson(claims: Claim[]): string {
  const planned = claims.map(({ schedule }) => [
    schedule.id,
    millisOrNull(schedule.next_run_at),
    schedule.run_count,
    schedule.status,
    millisOrNull(schedule.last_run_at),
    schedule.updated_at.getTime(),
  ]);
  return JSON.stringify(planned);
}

/** Returns the ids of `newRuns` now in the table. Ids are new, so these are exactly the runs the insert added. */
async function insertedRunIds(tx: Transaction, newRuns: Run[]): Promise<Set<string>> {
  const result = await runCompiled(tx, selectRunIds, { ids: JSON.stringify(newRuns.map((run) => run.id)) });
  return new Set(JSON.parse(String(result.rows[0]?.['ids'] ?? '[]')) as string[]);
}

function columnNames(columns: TableColumns) {
  return sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
}
