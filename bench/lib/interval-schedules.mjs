// A scratch libSQL file with one target and many INTERVAL schedules, for
// the benchmarks that run API Scheduler's Engine (throughput, precision).
// The target and the schema go through the Store. The schedules go in with
// one INSERT … SELECT per 50,000 rows: Store.createSchedule took about
// 0.4 ms per row on the 2-core benchmark VM (40 s for 100,000 schedules),
// and the raw insert takes about 1 s for 100,000.
import { newId } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import pino from 'pino';

import { DEFAULT_RETRY_POLICY_JSON, createTempDatabase, isoSql, openRawClient, uuidV7Sql } from './database.mjs';
import { TARGET_REQUEST } from './workloads.mjs';

const ROWS_PER_INSERT = 50_000;
// About 600 bytes per schedule with its indexes and 1 KB per run row, with room for the WAL.
const BYTES_PER_SCHEDULE_NEEDED = 4_096;

/**
 * Creates a database with a target for TARGET_REQUEST on `targetUrl` and
 * `schedules` ACTIVE INTERVAL schedules of `intervalSeconds`. Schedule i is
 * planned at firstPlannedAt + floor(i · spreadMs / schedules) + k · interval:
 * its start_time and next_run_at are that first instant. Returns the open
 * store (migrated), the target, the database URL and a `close()` that
 * closes the store and deletes the file.
 */
export async function createIntervalSchedules({ targetUrl, schedules, intervalSeconds, firstPlannedAt, spreadMs }) {
  const database = createTempDatabase('api-scheduler-bench-', schedules * BYTES_PER_SCHEDULE_NEEDED + 2 ** 28);
  process.once('exit', database.remove);

  const seedStore = await createLibsqlStore({ url: database.url });
  await seedStore.migrate();
  const now = Date.now();
  const target = await seedStore.createTarget({
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
  await seedStore.close();

  const client = openRawClient(database.url);
  for (let from = 0; from < schedules; from += ROWS_PER_INSERT) {
    const to = Math.min(schedules, from + ROWS_PER_INSERT);
    // BigInt binds as INTEGER (a JS number binds as REAL), so the SQL does integer arithmetic.
    await client.execute({
      sql: insertSchedulesSql(),
      args: {
        from: BigInt(from),
        to: BigInt(to),
        count: BigInt(schedules),
        target: target.id,
        first: BigInt(firstPlannedAt),
        spread: BigInt(spreadMs),
        every: BigInt(intervalSeconds),
        now: BigInt(now),
      },
    });
  }
  const { rows } = await client.execute('SELECT count(*) AS total FROM schedules');
  client.close();
  if (Number(rows[0].total) !== schedules) throw new Error(`Inserted ${rows[0].total} schedules, expected ${schedules}`);

  // The store the engine uses is opened after the bulk insert, as the server opens an existing file.
  const store = await createLibsqlStore({ url: database.url });
  await store.migrate();
  return {
    store,
    target,
    url: database.url,
    async close() {
      await store.close();
      database.remove();
      process.off('exit', database.remove);
    },
  };
}

function insertSchedulesSql() {
  return `
    WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to),
    planned AS (SELECT i, :first + (i * :spread) / :count AS due FROM seq)
    INSERT INTO schedules (id, target_id, name, schedule_type, schedule_config, status, next_run_at, run_count,
                           last_run_at, timezone, retry_policy, overlap_policy, misfire_policy, created_at, updated_at)
    SELECT ${uuidV7Sql(':now', 'i')}, :target, 'bench-' || i, 'INTERVAL',
           json_object('interval_seconds', :every, 'start_time', ${isoSql('due')}),
           'ACTIVE', due, 0, NULL, 'UTC', '${DEFAULT_RETRY_POLICY_JSON}', 'skip', 'fire_once', :now, :now
    FROM planned`;
}

/**
 * Creates the logger the benchmarks give the engine: pino at info (the
 * server's default LOG_LEVEL, or BENCH_LOG_LEVEL) writing JSON lines to
 * /dev/null. Each line is still built, so its cost counts, but no terminal
 * slows it down.
 */
export function benchLogger() {
  const level = process.env.BENCH_LOG_LEVEL ?? 'info';
  return { level, logger: pino({ level }, pino.destination({ dest: '/dev/null', sync: false })) };
}
