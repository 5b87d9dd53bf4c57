// Helpers for the PostgreSQL benchmark. They create a fresh database per
// measurement on the test server of @api-scheduler/db/testing, insert
// INTERVAL schedules in bulk, start worker processes of the built server on
// that database, and check that every planned slot reached the load target
// exactly once (with slot-keys.mjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { newId } from '@api-scheduler/core';
import { SCHEDULE_CHANNEL, createPostgresStore } from '@api-scheduler/db';

import { DEFAULT_RETRY_POLICY_JSON } from './database.mjs';
import { startServer } from './server-process.mjs';
import { TARGET_REQUEST } from './workloads.mjs';

// pg is a dependency of @api-scheduler/db, not of the bench package, so it is
// resolved from the db package and has the store's version.
const requireFromDb = createRequire(fileURLToPath(import.meta.resolve('@api-scheduler/db')));
const pg = requireFromDb('pg');

const ROWS_PER_INSERT = 10_000;

/**
 * Creates a database on `server` (from probePostgresTestServer), migrates it
 * and adds a target for TARGET_REQUEST on `targetUrl`. Returns the database
 * URL, the target, a raw pg client for bulk SQL and checks, and `drop()`,
 * which closes the client and drops the database. The database is also
 * dropped when this process exits normally, so a failed run leaves none behind.
 */
export async function createBenchDatabase(server, targetUrl) {
  const database = await server.createDatabase();
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await database.drop();
  };
  const dropBeforeExit = () => void drop();
  process.once('beforeExit', dropBeforeExit);

  try {
    const store = await createPostgresStore({ url: database.url, poolSize: 2 });
    await store.migrate();
    const now = Date.now();
    const target = await store.createTarget({
      id: newId(now),
      name: 'bench-target',
      url: new URL(TARGET_REQUEST.path, targetUrl).href,
      method: TARGET_REQUEST.method,
      headers: TARGET_REQUEST.headers,
      body_template: TARGET_REQUEST.body,
      timeout_ms: TARGET_REQUEST.timeoutMs,
      created_at: new Date(now),
      updated_at: new Date(now),
    });
    await store.close();

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    return {
      url: database.url,
      name: database.name,
      target,
      client,
      async drop() {
        process.off('beforeExit', dropBeforeExit);
        await client.end().catch(() => undefined);
        await drop();
      },
    };
  } catch (error) {
    process.off('beforeExit', dropBeforeExit);
    await drop();
    throw error;
  }
}

/**
 * Inserts `schedules` ACTIVE INTERVAL schedules of `intervalSeconds` for
 * `targetId`, as createIntervalSchedules does on libSQL: schedule i is
 * planned at firstPlannedAt + floor(i · spreadMs / schedules) + k · interval.
 * Then it sends a NOTIFY on the store's schedule channel, because a raw
 * insert sends none and sleeping workers would otherwise wait for their
 * next rescan. Returns the schedules as [{ id, firstPlannedMs }].
 */
export async function insertIntervalSchedules(client, { targetId, schedules, intervalSeconds, firstPlannedAt, spreadMs }) {
  const now = Date.now();
  const rows = [];
  for (let index = 0; index < schedules; index += 1) {
    rows.push({ id: newId(now), firstPlannedMs: firstPlannedAt + Math.floor((index * spreadMs) / schedules) });
  }

  for (let from = 0; from < schedules; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    await client.query(insertSchedulesSql(), [
      chunk.map((row) => row.id),
      chunk.map((row) => row.firstPlannedMs),
      targetId,
      intervalSeconds,
      now,
      DEFAULT_RETRY_POLICY_JSON,
      from,
    ]);
  }
  await client.query(`SELECT pg_notify($1, 'bench')`, [SCHEDULE_CHANNEL]);
  return rows;
}

// The start_time text has the format of Date.prototype.toISOString(), as the API writes it.
function insertSchedulesSql() {
  return `
    INSERT INTO schedules (id, target_id, name, schedule_type, schedule_config, status, next_run_at, run_count,
                           last_run_at, timezone, retry_policy, overlap_policy, misfire_policy, created_at, updated_at)
    SELECT input.id, $3, 'bench-' || ($7::int + input.n - 1), 'INTERVAL',
           json_build_object('interval_seconds', $4::int,
                             'start_time', to_char(to_timestamp(input.due / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
           'ACTIVE', to_timestamp(input.due / 1000.0), 0, NULL, 'UTC', $6::json, 'skip', 'fire_once',
           to_timestamp($5::bigint / 1000.0), to_timestamp($5::bigint / 1000.0)
    FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS input(id, due, n)`;
}

/**
 * Starts `count` worker processes of the built server (SCHEDULER_ROLE=worker)
 * on `databaseUrl` and resolves once all are listening. The first one gets
 * `firstWorkerNodeArgs` (for example --cpu-prof). Each has its own instance
 * id, bench-pg-1 to bench-pg-N.
 */
export async function startWorkers(databaseUrl, count, { firstWorkerNodeArgs = [] } = {}) {
  const starting = [];
  for (let index = 1; index <= count; index += 1) {
    starting.push(
      startServer({
        nodeArgs: index === 1 ? firstWorkerNodeArgs : [],
        env: {
          DATABASE_URL: databaseUrl,
          SCHEDULER_ROLE: 'worker',
          SCHEDULER_INSTANCE_ID: `bench-pg-${index}`,
          // Allows requests to loopback addresses such as the load target's, for
          // builds whose outbound address guard denies them by default.
          SCHEDULER_ALLOW_PRIVATE_TARGETS: 'true',
        },
      }),
    );
  }
  const settled = await Promise.allSettled(starting);
  const workers = settled.filter((result) => result.status === 'fulfilled').map((result) => result.value);
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(workers.map((worker) => worker.stop()));
    throw failure.reason;
  }
  return workers;
}

/**
 * Reads back the runs: the count per status and per instance, the slots
 * with more than one run, and the latest finished_at (Unix ms).
 */
export async function summarizeRuns(client) {
  const byStatus = await client.query(`SELECT status, count(*)::int AS runs FROM runs GROUP BY status`);
  const byInstance = await client.query(`SELECT instance_id, count(*)::int AS runs FROM runs GROUP BY instance_id ORDER BY instance_id`);
  const duplicates = await client.query(
    `SELECT count(*)::int AS slots FROM (SELECT 1 FROM runs GROUP BY schedule_id, scheduled_for HAVING count(*) > 1) AS repeated`,
  );
  const latest = await client.query(`SELECT (extract(epoch FROM max(finished_at)) * 1000)::bigint AS ms, count(*)::int AS total FROM runs`);
  return {
    total_runs: latest.rows[0].total,
    statuses: Object.fromEntries(byStatus.rows.map((row) => [row.status, row.runs])),
    runs_per_instance: Object.fromEntries(byInstance.rows.map((row) => [row.instance_id, row.runs])),
    slots_with_several_runs: duplicates.rows[0].slots,
    last_finished_at_ms: latest.rows[0].ms === null ? null : Number(latest.rows[0].ms),
  };
}

/** Returns started_at − scheduled_for (ms) of the runs that started inside [fromMs, untilMs). */
export async function engineLatenessSamples(client, fromMs, untilMs) {
  const { rows } = await client.query(
    `SELECT (extract(epoch FROM started_at - scheduled_for) * 1000)::float8 AS ms FROM runs
     WHERE started_at >= to_timestamp($1::bigint / 1000.0) AND started_at < to_timestamp($2::bigint / 1000.0)`,
    [fromMs, untilMs],
  );
  return rows.map((row) => row.ms);
}
