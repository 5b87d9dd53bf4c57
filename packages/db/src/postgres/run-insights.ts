import type { Run, RunStatus } from '@api-scheduler/core';
import { and, asc, count, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';

import type { NextFire, RunMinuteCounts, RunSample, RunWindowStats } from '../store.js';
import type { PostgresExecutor } from './open-database.js';
import { runs, schedules } from './schema.js';
import { isActive } from './schedules.js';

/**
 * Counts the finished runs of the window per minute and status. The WHERE
 * repeats the condition of the partial index runs_finished_started_idx, so
 * the planner can read only the window's rows through it. Minutes are cut
 * on the Unix epoch, not with date_trunc, so the session's time zone does
 * not move them.
 */
export function finishedRunsPerMinute(since: Date, until: Date): SQL {
  return sql`
    SELECT floor(extract(epoch FROM started_at) / 60)::bigint * 60000 AS minute, status, count(*)::int AS total
    FROM runs
    WHERE status <> 'RUNNING' AND started_at >= ${since} AND started_at < ${until}
    GROUP BY 1, 2
    ORDER BY 1`;
}

/**
 * percentile_disc is the nearest-rank percentile: the first value whose
 * cumulative share reaches p, the same value that the libSQL store finds at
 * rank ceil(p·n).
 */
export function latencyPercentiles(since: Date, until: Date): SQL {
  return sql`
    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
    FROM runs
    WHERE status <> 'RUNNING' AND started_at >= ${since} AND started_at < ${until} AND latency_ms IS NOT NULL`;
}

// RUNNING runs are few (the requests in flight), and runs_status_idx finds them.
function countRunningSince(since: Date, until: Date): SQL {
  return sql`
    SELECT count(*)::int AS total FROM runs
    WHERE status = 'RUNNING' AND started_at >= ${since} AND started_at < ${until}`;
}

const statusField: Record<Exclude<RunStatus, 'RUNNING'>, keyof Omit<RunMinuteCounts, 'minute'>> = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  SKIPPED: 'skipped',
};

export async function runWindowStats(db: PostgresExecutor, input: { since: Date; until: Date }): Promise<RunWindowStats> {
  const { since, until } = input;
  const buckets = await db.execute<{ minute: string; status: Exclude<RunStatus, 'RUNNING'>; total: number }>(finishedRunsPerMinute(since, until));
  const running = await db.execute<{ total: number }>(countRunningSince(since, until));
  const percentiles = await db.execute<{ p50: number | null; p95: number | null }>(latencyPercentiles(since, until));

  const perMinute = new Map<number, RunMinuteCounts>();
  const totals = { success: 0, failure: 0, skipped: 0 };
  for (const bucket of buckets.rows) {
    // pg returns bigint as a string.
    const minute = Number(bucket.minute);
    let counts = perMinute.get(minute);
    if (!counts) {
      counts = { minute: new Date(minute), success: 0, failure: 0, skipped: 0 };
      perMinute.set(minute, counts);
    }
    const field = statusField[bucket.status];
    counts[field] += bucket.total;
    totals[field] += bucket.total;
  }

  const latency = percentiles.rows[0];
  return {
    total_runs: totals.success + totals.failure + totals.skipped + (running.rows[0]?.total ?? 0),
    success_runs: totals.success,
    failure_runs: totals.failure,
    skipped_runs: totals.skipped,
    latency_p50_ms: latency?.p50 ?? null,
    latency_p95_ms: latency?.p95 ?? null,
    per_minute: [...perMinute.values()],
  };
}

/** Counts and reads the newest rows through runs_schedule_idx. */
export async function scheduleRunSamples(db: PostgresExecutor, scheduleId: string, limit: number): Promise<{ total_runs: number; recent: RunSample[] }> {
  const [total] = await db.select({ total: count() }).from(runs).where(eq(runs.schedule_id, scheduleId));
  const recent = await db
    .select({ id: runs.id, started_at: runs.started_at, latency_ms: runs.latency_ms, status: runs.status })
    .from(runs)
    .where(eq(runs.schedule_id, scheduleId))
    .orderBy(desc(runs.id))
    .limit(limit);
  return { total_runs: total?.total ?? 0, recent };
}

/** Reads schedules_due_idx, whose condition isActive repeats. */
export async function listNextFires(db: PostgresExecutor, limit: number): Promise<NextFire[]> {
  const rows = await db
    .select({ schedule_id: schedules.id, name: schedules.name, at: schedules.next_run_at })
    .from(schedules)
    .where(and(isActive, isNotNull(schedules.next_run_at)))
    .orderBy(asc(schedules.next_run_at))
    .limit(limit);
  return rows.map((row) => ({ schedule_id: row.schedule_id, name: row.name, at: row.at! }));
}

// PostgreSQL allows 65,535 bound values per statement; chunks stay far below it.
const IDS_PER_QUERY = 1000;

export async function getRuns(db: PostgresExecutor, ids: readonly string[]): Promise<Run[]> {
  const found: Run[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const chunk = ids.slice(start, start + IDS_PER_QUERY);
    found.push(...(await db.select().from(runs).where(inArray(runs.id, chunk))));
  }
  return found;
}

export async function listRunsAfter(db: PostgresExecutor, afterId: string, limit: number): Promise<Run[]> {
  return db.select().from(runs).where(gt(runs.id, afterId)).orderBy(asc(runs.id)).limit(limit);
}
