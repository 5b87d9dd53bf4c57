import { ConflictError, NotFoundError } from '@api-scheduler/core';
import type { ListRunsInput, Page, Run } from '@api-scheduler/core';
import { and, count, desc, eq, gte, lt, sql } from 'drizzle-orm';

import { decodeCursor, toPage } from '../pagination.js';
import type { RunResult, RunStats } from '../store.js';
import { compile, runCompiled } from './compiled-query.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';
import { columnsOf, toJsonRow } from './json-rows.js';
import { runs } from './schema.js';
import { violatedConstraint } from './sqlite-errors.js';

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
export async function insertRun(db: LibsqlExecutor, run: Run): Promise<Run> {
  try {
    const [row] = await db.insert(runs).values(runRow(run)).returning();
    return row!;
  } catch (error) {
    const constraint = violatedConstraint(error);
    if (constraint === 'unique') {
      throw new ConflictError(
        `Schedule ${run.schedule_id} already has a run for ${run.scheduled_for.toISOString()} attempt ${run.attempt}: a slot fires at most once per attempt`,
      );
    }
    if (constraint === 'primary_key') throw new ConflictError(`Run ${run.id} already exists`);
    // schedule_id is the only foreign key of runs.
    if (constraint === 'foreign_key') throw new NotFoundError('schedule', run.schedule_id);
    throw error;
  }
}

export async function findRun(db: LibsqlExecutor, id: string): Promise<Run | null> {
  const [row] = await db.select().from(runs).where(eq(runs.id, id));
  return row ?? null;
}

/** Lists runs newest first. `since` is inclusive and `until` exclusive, both on started_at. */
export async function listRuns(db: LibsqlExecutor, input: ListRunsInput): Promise<Page<Run>> {
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

// The columns that an outcome sets. A row of finishRuns' JSON batch is the
// run id followed by these, in this order.
const outcomeKeys: ReadonlySet<string> = new Set<keyof RunResult>([
  'finished_at',
  'status',
  'status_code',
  'latency_ms',
  'response_size',
  'response_headers',
  'response_body',
  'truncated',
  'error_type',
  'error_message',
]);
const outcomeColumns = columnsOf(runs).filter(([key]) => outcomeKeys.has(key));

// One statement for the whole batch, so it is atomic without an explicit transaction.
const updateOutcomes = compile(sql`
  UPDATE runs
  SET ${sql.join(
    outcomeColumns.map(([, column], index) => sql`${sql.identifier(column.name)} = outcome.value ->> ${sql.raw(String(index + 1))}`),
    sql`, `,
  )}
  FROM json_each(${sql.placeholder('outcomes')}) AS outcome
  WHERE runs.id = outcome.value ->> 0`);

/** Writes attempt outcomes. Ids with no run (its schedule was deleted) match no row and change nothing. */
export async function finishRuns(db: LibsqlDatabase, results: RunResult[]): Promise<void> {
  if (results.length === 0) return;

  const outcomes = JSON.stringify(results.map((result) => [result.id, ...toJsonRow(outcomeColumns, result)]));
  await runCompiled(db.$client, updateOutcomes, { outcomes });
}

/** Marks RUNNING runs (all, or one instance's) as FAILURE / INTERRUPTED and returns how many changed. */
export async function interruptRunningRuns(
  db: LibsqlExecutor,
  input: { finishedAt: Date; instanceId?: string; message: string },
): Promise<number> {
  const result = await db
    .update(runs)
    .set({ status: 'FAILURE', error_type: 'INTERRUPTED', error_message: input.message, finished_at: input.finishedAt })
    .where(and(eq(runs.status, 'RUNNING'), input.instanceId === undefined ? undefined : eq(runs.instance_id, input.instanceId)));
  return result.rowsAffected;
}

/**
 * Counts runs by status and averages the latency of finished ones, in one scan.
 * NOTE: the scan reads every run, so its cost grows with the run history.
 */
export async function runStats(db: LibsqlExecutor): Promise<RunStats> {
  const [row] = await db
    .select({
      total_runs: count(),
      success_runs: sql<number>`count(CASE WHEN ${runs.status} = 'SUCCESS' THEN 1 END)`.mapWith(Number),
      failure_runs: sql<number>`count(CASE WHEN ${runs.status} = 'FAILURE' THEN 1 END)`.mapWith(Number),
      skipped_runs: sql<number>`count(CASE WHEN ${runs.status} = 'SKIPPED' THEN 1 END)`.mapWith(Number),
      running_runs: sql<number>`count(CASE WHEN ${runs.status} = 'RUNNING' THEN 1 END)`.mapWith(Number),
      avg_latency_ms: sql<number | null>`avg(CASE WHEN ${runs.finished_at} IS NOT NULL THEN ${runs.latency_ms} END)`,
    })
    .from(runs);
  return row!;
}
