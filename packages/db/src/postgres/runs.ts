import { ConflictError, NotFoundError } from '@api-scheduler/core';
import type { ListRunsInput, Page, Run } from '@api-scheduler/core';
import { and, count, desc, eq, gte, lt, sql } from 'drizzle-orm';

import { decodeCursor, toPage } from '../pagination.js';
import type { RunResult, RunStats } from '../store.js';
import type { PostgresExecutor } from './open-database.js';
import { violatedConstraint } from './postgres-errors.js';
import { runs } from './schema.js';

/** Copies a run into an insert row field by field, so that nothing but its columns reaches the database. */
export function runRow(run: Run): typeof runs.$inferInsert {
  return {
    id: run.id,
    schedule_id: run.schedule_id,
    target_id: run.target_id,
    scheduled_for: run.scheduled_for,
    attempt: run.attempt,
    started_at: run.started_at,
    finished_at: run.finished_at,
    status: run.status,
    status_code: run.status_code,
    latency_ms: run.latency_ms,
    response_size: run.response_size,
    response_headers: run.response_headers,
    response_body: run.response_body,
    truncated: run.truncated,
    error_type: run.error_type,
    error_message: run.error_message,
    request: run.request,
    catch_up: run.catch_up,
    manual: run.manual,
    missed_count: run.missed_count,
    instance_id: run.instance_id,
  };
}

/** Inserts one run. Throws ConflictError when its slot and attempt already have a run, NotFoundError for an unknown schedule. */
export async function insertRun(db: PostgresExecutor, run: Run): Promise<Run> {
  try {
    const [row] = await db.insert(runs).values(runRow(run)).returning();
    return row!;
  } catch (error) {
    const constraint = violatedConstraint(error);
    if (constraint?.kind === 'unique' && constraint.name === 'runs_slot_unique') {
      throw new ConflictError(
        `Schedule ${run.schedule_id} already has a run for ${run.scheduled_for.toISOString()} attempt ${run.attempt}: a slot fires at most once per attempt`,
      );
    }
    if (constraint?.kind === 'unique') throw new ConflictError(`Run ${run.id} already exists`);
    // schedule_id is the only foreign key of runs.
    if (constraint?.kind === 'foreign_key') throw new NotFoundError('schedule', run.schedule_id);
    throw error;
  }
}

export async function findRun(db: PostgresExecutor, id: string): Promise<Run | null> {
  const [row] = await db.select().from(runs).where(eq(runs.id, id));
  return row ?? null;
}

/** Lists runs newest first. `since` is inclusive and `until` exclusive, both on started_at. */
export async function listRuns(db: PostgresExecutor, input: ListRunsInput): Promise<Page<Run>> {
  const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const rows = await db
    .select()
    .from(runs)
    .where(
      and(
        input.schedule_id === undefined ? undefined : eq(runs.schedule_id, input.schedule_id),
        input.target_id === undefined ? undefined : eq(runs.target_id, input.target_id),
        input.status === undefined ? undefined : eq(runs.status, input.status),
        input.since === undefined ? undefined : gte(runs.started_at, input.since),
        input.until === undefined ? undefined : lt(runs.started_at, input.until),
        before === undefined ? undefined : lt(runs.id, before),
      ),
    )
    .orderBy(desc(runs.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit);
}

/**
 * Writes the outcomes of a batch in one statement, so it is atomic without an
 * explicit transaction. The batch is sent as one JSON array, so a statement
 * has one bound parameter whatever the batch size. json_populate_recordset
 * turns each object into a row of the runs type by column name (instants as
 * ISO 8601 text, objects as json).
 */
export async function finishRuns(db: PostgresExecutor, results: RunResult[]): Promise<void> {
  if (results.length === 0) return;

  const outcomes = results.map((result) => ({
    id: result.id,
    finished_at: result.finished_at,
    status: result.status,
    status_code: result.status_code,
    latency_ms: result.latency_ms,
    response_size: result.response_size,
    response_headers: result.response_headers,
    response_body: result.response_body,
    truncated: result.truncated,
    error_type: result.error_type,
    error_message: result.error_message,
  }));
  await db.execute(sql`
    UPDATE runs
    SET finished_at = outcome.finished_at, status = outcome.status, status_code = outcome.status_code,
        latency_ms = outcome.latency_ms, response_size = outcome.response_size,
        response_headers = outcome.response_headers, response_body = outcome.response_body,
        truncated = outcome.truncated, error_type = outcome.error_type, error_message = outcome.error_message
    FROM json_populate_recordset(NULL::runs, ${JSON.stringify(outcomes)}::json) AS outcome
    WHERE runs.id = outcome.id`);
}

/** Marks RUNNING runs (all, or one instance's) as FAILURE / INTERRUPTED and returns how many changed. */
export async function interruptRunningRuns(
  db: PostgresExecutor,
  input: { finishedAt: Date; instanceId?: string; message: string },
): Promise<number> {
  const result = await db
    .update(runs)
    .set({ status: 'FAILURE', error_type: 'INTERRUPTED', error_message: input.message, finished_at: input.finishedAt })
    .where(and(eq(runs.status, 'RUNNING'), input.instanceId === undefined ? undefined : eq(runs.instance_id, input.instanceId)));
  return result.rowCount ?? 0;
}

/**
 * Counts runs by status and averages the latency of finished ones, in one scan.
 * NOTE: the scan reads every run, so its cost grows with the run history.
 */
export async function runStats(db: PostgresExecutor): Promise<RunStats> {
  const [row] = await db
    .select({
      total_runs: count(),
      success_runs: sql<number>`count(*) FILTER (WHERE ${runs.status} = 'SUCCESS')`.mapWith(Number),
      failure_runs: sql<number>`count(*) FILTER (WHERE ${runs.status} = 'FAILURE')`.mapWith(Number),
      skipped_runs: sql<number>`count(*) FILTER (WHERE ${runs.status} = 'SKIPPED')`.mapWith(Number),
      running_runs: sql<number>`count(*) FILTER (WHERE ${runs.status} = 'RUNNING')`.mapWith(Number),
      // avg of double precision is double precision, which pg returns as a number.
      avg_latency_ms: sql<number | null>`avg(${runs.latency_ms}) FILTER (WHERE ${runs.finished_at} IS NOT NULL)`,
    })
    .from(runs);
  return row!;
}
