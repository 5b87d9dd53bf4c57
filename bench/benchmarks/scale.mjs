// Scale: 1,000,000 stored schedules (--quick: 100,000) in one libSQL file.
//
// The setup builds the file outside the measurement: the store's migrate()
// creates the schema, then INSERT … SELECT statements over a recursive CTE
// add the schedules 100,000 rows per transaction. A fresh child process
// then opens the file as the server does and measures:
//   - start-up: open the store, migrate, Engine.start(), until the loop has
//     read earliestNextRunAt and sleeps (targets: under 5 s);
//   - resident memory (RSS) when ready and after a full GC (target: under 300 MB);
//   - a cold count of the rows, raw and through countSchedulesByStatus();
//   - earliestNextRunAt() on the warm connection;
//   - claimDueSchedules() with exactly 500 and then 1,000 due schedules among
//     all rows, with the plan function the scheduler uses (core planFire).
// No schedule is due at start: every next_run_at lies 1 to 25 hours ahead,
// so the first claim finds nothing and start-up measures an idle start.
//
// The child's Node.js options can be extended with SCALE_CHILD_NODE_ARGS,
// for example "--cpu-prof --cpu-prof-dir=/tmp/scale-prof".
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

import { ALLOW_PRIVATE_POLICY, newId, planFire, systemClock } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import { Engine, describeRequest } from '@api-scheduler/engine';
import { pino } from 'pino';

import { describeCodeVersion } from '../lib/code-version.mjs';
import { DEFAULT_RETRY_POLICY_JSON, createTempDatabase, isoSql, openRawClient, uuidV7Sql } from '../lib/database.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { EXECUTOR_LIMITS } from '../lib/workloads.mjs';

const HOUR_MS = 3_600_000;
const START_UP_TARGET_MS = 5_000;
const RSS_TARGET_MB = 300;
const CHILD_TIMEOUT_MS = 180_000;
// About 540 bytes per schedule in the file (measured: 537 MB for 1M rows
// with indexes), doubled for the WAL and checkpoints, plus a margin.
const BYTES_PER_SCHEDULE_NEEDED = 1_200;

const params = {
  schedules: isQuick ? 100_000 : 1_000_000,
  rows_per_insert_transaction: 100_000,
  // Shares of schedule types, by i % 20 in the insert: 14 INTERVAL, 4 CRON, 1 WINDOW, 1 ONCE.
  mix: { INTERVAL: 0.7, CRON: 0.2, WINDOW: 0.05, ONCE: 0.05 },
  interval_seconds: [60, 300, 900, 3600, 86400],
  cron_expressions: ['*/5 * * * *', '0 * * * *', '30 2 * * MON-FRI', '0 9 * * *', '15,45 8-18 * * *'],
  cron_timezones: ['UTC', 'Europe/Berlin', 'America/New_York'],
  next_run_at_from_now_hours: [1, 25],
  claim_batches: [500, 1_000],
  claim_repetitions: isQuick ? 3 : 5,
  earliest_next_run_at_calls: 50,
  // The server's defaults (apps/server/src/env.ts).
  engine: { claimBatchSize: 500, misfireGraceMs: 1_000, fireAllLimit: 100, executor: EXECUTOR_LIMITS },
  log_level: 'info',
  log_destination: '/dev/null',
};

if (process.argv.includes('--measure')) {
  await measureInChild(process.argv[process.argv.indexOf('--measure') + 1]);
} else {
  await runBenchmark();
}

async function runBenchmark() {
  const database = createTempDatabase('api-scheduler-scale-', params.schedules * BYTES_PER_SCHEDULE_NEEDED + 2 ** 30);
  const removeDatabase = () => database.remove();
  process.once('exit', removeDatabase);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      removeDatabase();
      process.exit(130);
    });
  }

  // Other work on the machine disturbs the numbers, so the load average goes into the result.
  const loadBefore = loadavg();
  // Other sessions may rebuild the packages meanwhile, so the code is recorded at the start and checked at the end.
  const codeBefore = describeCodeVersion();
  try {
    const setup = await buildDatabase(database.url, params.schedules);
    const fileBytes = statSync(database.path).size;
    const child = await runChild(database.url);

    const startUpOk = child.start_up.total_ms < START_UP_TARGET_MS;
    const rssOk = child.memory.rss_ready_mb < RSS_TARGET_MB && child.memory.rss_after_gc_mb < RSS_TARGET_MB;
    const claim500 = child.claims.find((claim) => claim.batch === 500);
    const claim1000 = child.claims.find((claim) => claim.batch === 1_000);
    const line =
      `${params.schedules.toLocaleString('en-US')} schedules (${round(fileBytes / 2 ** 20, 0)} MB file): ` +
      `start-up ${round(child.start_up.total_ms, 0)} ms (target < ${START_UP_TARGET_MS} ms, ${startUpOk ? 'met' : 'MISSED'}), ` +
      `RSS ${child.memory.rss_ready_mb} MB, after GC ${child.memory.rss_after_gc_mb} MB (target < ${RSS_TARGET_MB} MB, ${rssOk ? 'met' : 'MISSED'}), ` +
      `claim 500 due p50 ${claim500.duration_ms.p50} ms, 1,000 due p50 ${claim1000.duration_ms.p50} ms, ` +
      `earliestNextRunAt p50 ${child.earliest_next_run_at_ms.p50} ms, ` +
      `cold count(*) ${round(child.cold_count.raw_count_ms, 0)} ms, countSchedulesByStatus ${round(child.cold_count.by_status_ms, 0)} ms`;
    report(line, {
      params,
      code: { ...codeBefore, changed_during_run: JSON.stringify(describeCodeVersion()) !== JSON.stringify(codeBefore) },
      load_average_1_5_15_min: { before: loadBefore.map((value) => round(value, 2)), after: loadavg().map((value) => round(value, 2)) },
      targets: { start_up_ms: START_UP_TARGET_MS, rss_mb: RSS_TARGET_MB, start_up_met: startUpOk, rss_met: rssOk },
      setup: { ...setup, file_bytes: fileBytes, free_bytes_before: database.freeBytes },
      ...child,
    });
  } finally {
    removeDatabase();
  }
}

/** Creates the schema through the store, then inserts the schedules with raw SQL in large transactions. */
async function buildDatabase(url, count) {
  const started = performance.now();
  const now = Date.now();

  const store = await createLibsqlStore({ url });
  await store.migrate();
  const target = await store.createTarget({
    id: newId(now),
    name: 'scale-target',
    // Never called: no schedule is due while the engine runs.
    url: 'http://127.0.0.1:9/never-called',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body_template: '{"source":"scale benchmark"}',
    timeout_ms: 10_000,
    created_at: new Date(now),
    updated_at: new Date(now),
  });
  await store.close();

  // The bulk load skips fsync, because a crash only loses a scratch file,
  // and uses a 256 MiB page cache for the index inserts. The file stays in
  // the WAL mode that the store set.
  const client = openRawClient(url);
  await client.execute('PRAGMA synchronous=OFF');
  await client.execute('PRAGMA cache_size=-262144');

  const insertStarted = performance.now();
  for (let from = 0; from < count; from += params.rows_per_insert_transaction) {
    const to = Math.min(count, from + params.rows_per_insert_transaction);
    // BigInt binds as INTEGER (a JS number binds as REAL), so the SQL does integer arithmetic.
    const args = { from: BigInt(from), to: BigInt(to), target: target.id, created0: BigInt(now - count), now: BigInt(now) };
    await client.execute({ sql: insertSchedulesSql(), args });
  }
  const insertMs = performance.now() - insertStarted;

  const { rows } = await client.execute('SELECT count(*) AS total FROM schedules');
  if (Number(rows[0].total) !== count) throw new Error(`The setup inserted ${rows[0].total} schedules, expected ${count}`);
  client.close();

  return { insert_ms: round(insertMs, 0), total_ms: round(performance.now() - started, 0) };
}

/**
 * Builds one INSERT … SELECT for rows [from, to). Row i gets a type by i % 20 and
 * a next_run_at 1 to 25 hours ahead, spread by a multiplicative hash of i
 * so that due order has nothing to do with id order. For INTERVAL, WINDOW
 * and ONCE the config's start_time (or run_at) is that next_run_at, so it
 * is a planned slot. CRON rows keep the same next_run_at, which is not
 * always on the cron grid: enough for an idle start and for a claim.
 */
function insertSchedulesSql() {
  const hours = params.next_run_at_from_now_hours;
  const spreadSeconds = (hours[1] - hours[0]) * 3600;
  const intervals = params.interval_seconds;
  const expressions = params.cron_expressions;
  const zones = params.cron_timezones;
  const pick = (values, indexExpr) =>
    `CASE ${indexExpr} ${values.map((value, index) => `WHEN ${index} THEN ${typeof value === 'number' ? value : `'${value}'`}`).join(' ')} END`;

  return `
    WITH RECURSIVE seq(i) AS (SELECT :from UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :to),
    planned AS (
      SELECT i, i % 20 AS kind, :created0 + i AS created,
             :now + ${hours[0] * HOUR_MS} + ((i * 2654435761) % ${spreadSeconds}) * 1000 AS due,
             ${pick(intervals, `(i / 20) % ${intervals.length}`)} AS every,
             ${pick(expressions, `(i / 20) % ${expressions.length}`)} AS expression,
             ${pick(zones, `(i / 100) % ${zones.length}`)} AS zone
      FROM seq)
    INSERT INTO schedules (id, target_id, name, schedule_type, schedule_config, status, next_run_at, run_count,
                           last_run_at, timezone, retry_policy, overlap_policy, misfire_policy, created_at, updated_at)
    SELECT ${uuidV7Sql('created', 'i')}, :target, 'scale-' || i,
           CASE WHEN kind < 14 THEN 'INTERVAL' WHEN kind < 18 THEN 'CRON' WHEN kind = 18 THEN 'WINDOW' ELSE 'ONCE' END,
           CASE WHEN kind < 14 THEN json_object('interval_seconds', every, 'start_time', ${isoSql('due')})
                WHEN kind < 18 THEN json_object('expression', expression, 'timezone', zone)
                WHEN kind = 18 THEN json_object('start_time', ${isoSql('due')}, 'end_time', ${isoSql(`due + ${7 * 24 * HOUR_MS}`)},
                                                'interval_seconds', 600, 'max_runs', 100)
                ELSE json_object('run_at', ${isoSql('due')}) END,
           'ACTIVE', due, 0, NULL,
           CASE WHEN kind >= 14 AND kind < 18 THEN zone ELSE 'UTC' END,
           '${DEFAULT_RETRY_POLICY_JSON}', 'skip', 'fire_once', created, created
    FROM planned`;
}

/** Runs the measuring child on the built file and returns its result. */
async function runChild(url) {
  const extraArgs = (process.env.SCALE_CHILD_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...extraArgs, '--expose-gc', fileURLToPath(import.meta.url), '--measure', url, ...(isQuick ? ['--quick'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });

  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const code = await new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal)));
  clearTimeout(timer);

  const line = output.split('\n').find((text) => text.startsWith('CHILD_RESULT '));
  if (code !== 0 || line === undefined) throw new Error(`The measuring child failed (exit ${code}) after printing: ${output.slice(-2000)}`);
  return JSON.parse(line.slice('CHILD_RESULT '.length));
}

/** Opens the file as the server does and measures start-up, memory, counts and claims (the child process). */
async function measureInChild(url) {
  const processStartToMain = performance.now();
  const logger = pino({ level: params.log_level }, pino.destination({ dest: params.log_destination, sync: false }));
  const rssBeforeOpen = process.memoryUsage().rss;

  // Start-up, in the order of apps/server/src/serve.ts (minus the HTTP server).
  const started = performance.now();
  const store = await createLibsqlStore({ url, logger });
  const opened = performance.now();
  await store.migrate();
  const migrated = performance.now();

  // The loop sleeps right after its first earliestNextRunAt() returns.
  let firstSleep = null;
  const loopSleeps = new Promise((resolve) => {
    const earliestNextRunAt = store.earliestNextRunAt.bind(store);
    store.earliestNextRunAt = async () => {
      const next = await earliestNextRunAt();
      if (firstSleep === null) {
        firstSleep = { at: performance.now(), next_run_at: next };
        resolve();
      }
      return next;
    };
  });

  const engine = new Engine({ store, clock: systemClock, logger, instanceId: 'scale-bench', ...params.engine, executor: { ...params.engine.executor, addressPolicy: ALLOW_PRIVATE_POLICY } });
  await engine.start();
  const engineStarted = performance.now();
  await loopSleeps;
  const ready = firstSleep.at;

  const rssReady = process.memoryUsage().rss;
  const heapReady = process.memoryUsage().heapUsed;
  globalThis.gc();
  const rssAfterGc = process.memoryUsage().rss;
  const heapAfterGc = process.memoryUsage().heapUsed;

  const client = openRawClient(url);
  let t = performance.now();
  const { rows } = await client.execute('SELECT count(*) AS total FROM schedules');
  const rawCountMs = performance.now() - t;
  const counted = Number(rows[0].total);
  if (counted !== params.schedules) throw new Error(`Counted ${counted} schedules, expected ${params.schedules}`);
  t = performance.now();
  const byStatus = await store.countSchedulesByStatus();
  const byStatusMs = performance.now() - t;
  // The same ACTIVE count from the partial index schedules_due_idx, for comparison with the full scan of countSchedulesByStatus().
  t = performance.now();
  await client.execute("SELECT count(*) FROM schedules WHERE status = 'ACTIVE'");
  const activeFromIndexMs = performance.now() - t;

  const earliest = [];
  for (let i = 0; i < params.earliest_next_run_at_calls; i += 1) {
    t = performance.now();
    await store.earliestNextRunAt();
    earliest.push(performance.now() - t);
  }

  await engine.stop(1_000);
  const claims = [];
  const claimedRowids = new Set();
  for (const batch of params.claim_batches) claims.push(await measureClaims(store, client, batch, claimedRowids));
  const afterClaims = process.memoryUsage();
  globalThis.gc();
  const rssAfterClaimsGc = process.memoryUsage().rss;

  client.close();
  await store.close();
  await new Promise((resolve) => logger.flush(resolve));

  const mb = (bytes) => round(bytes / 2 ** 20, 0);
  const result = {
    start_up: {
      total_ms: round(ready - started, 1),
      open_ms: round(opened - started, 1),
      migrate_ms: round(migrated - opened, 1),
      engine_start_ms: round(engineStarted - migrated, 1),
      first_claim_and_earliest_ms: round(ready - engineStarted, 1),
      process_start_to_ready_ms: round(ready, 0),
      process_start_to_main_ms: round(processStartToMain, 0),
      first_earliest_next_run_at_in: round((firstSleep.next_run_at - Date.now()) / 60_000, 0) + ' min',
    },
    memory: {
      rss_before_open_mb: mb(rssBeforeOpen),
      rss_ready_mb: mb(rssReady),
      heap_used_ready_mb: mb(heapReady),
      rss_after_gc_mb: mb(rssAfterGc),
      heap_used_after_gc_mb: mb(heapAfterGc),
      rss_after_claims_mb: mb(afterClaims.rss),
      heap_used_after_claims_mb: mb(afterClaims.heapUsed),
      external_after_claims_mb: mb(afterClaims.external + afterClaims.arrayBuffers),
      rss_after_claims_gc_mb: mb(rssAfterClaimsGc),
    },
    cold_count: { rows: counted, raw_count_ms: round(rawCountMs, 1), by_status: byStatus, by_status_ms: round(byStatusMs, 1), active_from_partial_index_ms: round(activeFromIndexMs, 1) },
    earliest_next_run_at_ms: summarize(earliest),
    claims,
  };
  process.stdout.write(`CHILD_RESULT ${JSON.stringify(result)}\n`);
}

/**
 * Makes exactly `batch` random schedules due 100 ms ago, then times one
 * claimDueSchedules() with limit `batch`, several times. A schedule is made
 * due only once (`claimedRowids`), because a claimed ONCE schedule is
 * COMPLETED and would plan no fire.
 */
async function measureClaims(store, client, batch, claimedRowids) {
  const durations = [];
  const planShares = [];
  for (let repetition = 0; repetition < params.claim_repetitions; repetition += 1) {
    const rowids = [];
    while (rowids.length < batch) {
      const rowid = 1 + Math.floor(Math.random() * params.schedules);
      if (claimedRowids.has(rowid)) continue;
      claimedRowids.add(rowid);
      rowids.push(rowid);
    }
    await client.execute({
      sql: 'UPDATE schedules SET next_run_at = ? WHERE rowid IN (SELECT value FROM json_each(?))',
      args: [Date.now() - 100, JSON.stringify(rowids)],
    });

    const now = Date.now();
    const { rows } = await client.execute({ sql: "SELECT count(*) AS due FROM schedules WHERE status = 'ACTIVE' AND next_run_at <= ?", args: [now] });
    if (Number(rows[0].due) !== batch) throw new Error(`${rows[0].due} schedules are due, expected ${batch}`);

    let planMs = 0;
    const plan = (schedule, at) => {
      const planStarted = performance.now();
      try {
        return planFire(
          {
            schedule_type: schedule.schedule_type,
            schedule_config: schedule.schedule_config,
            misfire_policy: schedule.misfire_policy,
            run_count: schedule.run_count,
            next_run_at: schedule.next_run_at?.getTime() ?? at,
          },
          at,
          { misfireGraceMs: params.engine.misfireGraceMs, fireAllLimit: params.engine.fireAllLimit },
        );
      } finally {
        planMs += performance.now() - planStarted;
      }
    };

    const started = performance.now();
    const fires = await store.claimDueSchedules({ now, limit: batch, instanceId: 'scale-bench', plan, describeRequest });
    const duration = performance.now() - started;
    if (fires.length !== batch) throw new Error(`Claimed ${fires.length} fires, expected ${batch}`);
    durations.push(duration);
    planShares.push(planMs);
  }
  return { batch, duration_ms: summarize(durations), plan_ms: summarize(planShares), samples_ms: durations.map((value) => round(value, 1)) };
}
