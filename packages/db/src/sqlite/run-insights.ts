import type { Run, RunStatus } from '@api-scheduler/core';
import { and, asc, count, desc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';

import type { NextFire, RunMinuteCounts, RunSample, RunWindowStats } from '../store.js';
import type { LibsqlExecutor } from './open-database.js';
import { runs, schedules } from './schema.js';
import { isActive } from './schedules.js';

// Inlined, not bound: libSQL binds a JavaScript number as REAL, and the division must be an integer one.
const MINUTE_MS = sql.raw('60000');

/**
 * Counts the finished runs of the window per minute and status. The WHERE
 * repeats the condition of the partial index runs_finished_started_idx word
 * for word, because SQLite uses a partial index only when the query's WHERE
 * implies the index's: the query then reads the window's rows and no other.
 */
export function finishedRunsPerMinute(since: Date, until: Date): SQL {
  return sql`
    SELECT (started_at / ${MINUTE_MS}) * ${MINUTE_MS} AS minute, status, count(*) AS total
    FROM runs
    WHERE status <> 'RUNNING' AND started_at >= ${since.getTime()} AND started_at < ${until.getTime()}
    GROUP BY minute, status
    ORDER BY minute`;
}

/** Selects the latency at 0-based rank `offset` among the window's finished runs in ascending order, through the same partial index. */
export function latencyAtRank(since: Date, until: Date, offset: number): SQL {
  return sql`
    SELECT latency_ms FROM runs
    WHERE status <> 'RUNNING' AND started_at >= ${since.getTime()} AND started_at < ${until.getTime()} AND latency_ms IS NOT NULL
    ORDER BY latency_ms
    LIMIT 1 OFFSET ${offset}`;
}

function countLatencies(since: Date, until: Date): SQL {
  return sql`
    SELECT count(*) AS total FROM runs
    WHERE status <> 'RUNNING' AND started_at >= ${since.getTime()} AND started_at < ${until.getTime()} AND latency_ms IS NOT NULL`;
}

// RUNNING runs are few (the requests in flight), and runs_status_idx finds them.
function countRunningSince(since: Date, until: Date): SQL {
  return sql`
    SELECT count(*) AS total FROM runs
    WHERE status = 'RUNNING' AND started_at >= ${since.getTime()} AND started_at < ${until.getTime()}`;
}

/** Returns the 0-based rank of the nearest-rank percentile `p` among `n` sorted values. */
export function nearestRank(p: number, n: number): number {
  return Math.max(0, Math.ceil(p * n) - 1);
}

const statusField: Record<Exclude<RunStatus, 'RUNNING'>, keyof Omit<RunMinuteCounts, 'minute'>> = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  SKIPPED: 'skipped',
};

export async function runWindowStats(db: LibsqlExecutor, input: { since: Date; until: Date }): Promise<RunWindowStats> {
  const { since, until } = input;
  const buckets = await db.all<{ minute: number; status: Exclude<RunStatus, 'RUNNING'>; total: number }>(finishedRunsPerMinute(since, until));
  const [running] = await db.all<{ total: number }>(countRunningSince(since, until));
  const [latencies] = await db.all<{ total: number }>(countLatencies(since, until));

  const perMinute = new Map<number, RunMinuteCounts>();
  const totals = { success: 0, failure: 0, skipped: 0 };
  for (const bucket of buckets) {
    const minute = Number(bucket.minute);
    let counts = perMinute.get(minute);
    if (!counts) {
      counts = { minute: new Date(minute), success: 0, failure: 0, skipped: 0 };
      perMinute.set(minute, counts);
    }
    const field = statusField[bucket.status];
    counts[field] += Number(bucket.total);
    totals[field] += Number(bucket.total);
  }

  // SQLite 3.45 has no percentile function, so each percentile is one indexed lookup by rank.
  const latencyCount = Number(latencies?.total ?? 0);
  const percentile = async (p: number): Promise<number | null> => {
    if (latencyCount === 0) return null;
    const [row] = await db.all<{ latency_ms: number }>(latencyAtRank(since, until, nearestRank(p, latencyCount)));
    return row === undefined ? null : Number(row.latency_ms);
  };

  return {
    total_runs: totals.success + totals.failure + totals.skipped + Number(running?.total ?? 0),
    success_runs: totals.success,
    failure_runs: totals.failure,
    skipped_runs: totals.skipped,
    latency_p50_ms: await percentile(0.5),
    latency_p95_ms: await percentile(0.95),
    per_minute: [...perMinute.values()],
  };
}

/** Counts through runs_schedule_idx alone, and reads the newest rows through it too. */
export async function scheduleRunSamples(db: LibsqlExecutor, scheduleId: string, limit: number): Promise<{ total_runs: number; recent: RunSample[] }> {
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
export async function listNextFires(db: LibsqlExecutor, limit: number): Promise<NextFire[]> {
  const rows = await db
    .select({ schedule_id: schedules.id, name: schedules.name, at: schedules.next_run_at })
    .from(schedules)
    .where(and(isActive, isNotNull(schedules.next_run_at)))
    .orderBy(asc(schedules.next_run_at))
    .limit(limit);
  return rows.map((row) => ({ schedule_id: row.schedule_id, name: row.name, at: row.at! }));
}

// SQLite allows 32,766 bound values per statement since 3.32; chunks stay far below it.
const IDS_PER_QUERY = 500;

export async function getRuns(db: LibsqlExecutor, ids: readonly string[]): Promise<Run[]> {
  const found: Run[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const chunk = ids.slice(start, start + IDS_PER_QUERY);
    found.push(...(await db.select().from(runs).where(inArray(runs.id, chunk))));
  }
  return found;
}

export async function listRunsAfter(db: LibsqlExecutor, afterId: string, limit: number): Promise<Run[]> {
  return db.select().from(runs).where(gt(runs.id, afterId)).orderBy(asc(runs.id)).limit(limit);
}
