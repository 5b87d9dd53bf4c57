// Catch-up after downtime: 100,000 overdue schedules (--quick: 10,000) and
// a set of regular schedules that must stay on time meanwhile.
//
// Overdue schedules: INTERVAL 60 s, misfire policy fire_once, each with its
// next_run_at between 60 and 61 minutes in the past, as after an hour of
// downtime, so each has about 60 missed slots. Their grids are offset from
// one another within the minute. They call one load target. Once caught up,
// 100,000 of them still make about 1,667 fires per second.
// Regular schedules: INTERVAL 1 s, their first slot 500 ms after the engine
// starts and their offsets spread evenly over the second. They call a
// second load target, so the per-origin concurrency caps stay separate.
//
// Environment variables for diagnosis (the defaults are the benchmark):
//   CATCH_UP_OVERDUE_SCHEDULES          number of overdue schedules;
//   CATCH_UP_OVERDUE_INTERVAL_SECONDS   their interval, with the downtime 60 intervals long;
//   CATCH_UP_MAX_IN_FLIGHT              a claim waits until fewer fires than this are in
//                                       flight in the dispatcher (a backpressure experiment,
//                                       made by wrapping the store, not the engine);
//   CATCH_UP_CHILD_NODE_ARGS            extra Node.js options of the engine child, such as
//                                       "--cpu-prof --cpu-prof-dir=/tmp/catch-up-prof";
//   CATCH_UP_KEEP_DATABASE=1            keeps the database file and prints its path.
//
// The engine runs in a child process, as in the server, so that this
// process stays responsive when the child's event loop is starved. This
// process enforces the deadline and a memory cap (SIGKILL), records the
// longest gap between the child's heartbeats, and reads the results.
//
// Measured: the time from Engine.start() until every overdue schedule's
// catch-up run has been claimed and finished, from the engine's run
// observer. The lateness of the regular fires meanwhile and in a tail after
// it comes from the target (receive time minus the Idempotency-Key
// instant) and from the database, where a fire_once catch-up also records
// the older slots it covers. The database check confirms one catch-up run
// per overdue schedule, with the right missed_count and the next_run_at
// moved past it.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { ALLOW_PRIVATE_POLICY, newId, systemClock } from '@api-scheduler/core';
import { createLibsqlStore } from '@api-scheduler/db';
import { Engine } from '@api-scheduler/engine';
import { pino } from 'pino';

import { describeCodeVersion } from '../lib/code-version.mjs';
import { DEFAULT_RETRY_POLICY_JSON, createTempDatabase, isoSql, openRawClient, uuidV7Sql } from '../lib/database.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { EXECUTOR_LIMITS } from '../lib/workloads.mjs';

const HEARTBEAT_MS = 100;

const params = {
  overdue_schedules: numberFromEnv('CATCH_UP_OVERDUE_SCHEDULES') ?? (isQuick ? 10_000 : 100_000),
  overdue_interval_seconds: numberFromEnv('CATCH_UP_OVERDUE_INTERVAL_SECONDS') ?? 60,
  // The downtime is 60 intervals: next_run_at lies between 60 and 61 intervals in the past.
  overdue_by_intervals: 60,
  regular_schedules: 100,
  regular_interval_seconds: 1,
  regular_first_slot_after_start_ms: 500,
  // How long the regular schedules keep running after the last catch-up run finished.
  tail_ms: isQuick ? 2_000 : 10_000,
  // The engine child is killed when the catch-up has not finished this long after its start...
  deadline_ms: isQuick ? 18_000 : 180_000,
  // ...or when its resident memory passes this, to protect the other work on the machine.
  child_rss_cap_mb: 3_072,
  child_max_old_space_mb: 3_072,
  // The server's defaults (apps/server/src/env.ts).
  engine: { claimBatchSize: 500, misfireGraceMs: 1_000, fireAllLimit: 100, executor: EXECUTOR_LIMITS },
  shutdown_grace_ms: 5_000,
  max_in_flight: numberFromEnv('CATCH_UP_MAX_IN_FLIGHT'),
  log_level: 'info',
  log_destination: '/dev/null',
};

function numberFromEnv(name) {
  const text = process.env[name];
  if (text === undefined || text === '') return null;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`Invalid ${name} "${text}": expected a whole number of at least 1`);
  return value;
}

// Undone in reverse order when this process is interrupted.
const cleanups = [];

if (process.argv.includes('--engine')) {
  await runEngineChild(JSON.parse(process.argv[process.argv.indexOf('--engine') + 1]));
} else {
  await runBenchmark();
}

async function runBenchmark() {
  const database = createTempDatabase('api-scheduler-catch-up-', 4 * 2 ** 30);
  if (process.env.CATCH_UP_KEEP_DATABASE === '1') {
    let printed = false;
    database.remove = () => {
      if (!printed) process.stderr.write(`Kept the database ${database.path}\n`);
      printed = true;
    };
  }
  cleanups.push(() => database.remove());
  process.once('exit', () => database.remove());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      process.exit(130);
    });
  }

  const overdueTarget = await startTarget();
  cleanups.push(() => overdueTarget.stop());
  const regularTarget = await startTarget();
  cleanups.push(() => regularTarget.stop());

  // Other work on the machine disturbs the numbers, so the load average goes into the result.
  const loadBefore = loadavg();
  // Other sessions may rebuild the packages meanwhile, so the code is recorded at the start and checked at the end.
  const codeBefore = describeCodeVersion();
  try {
    const setup = await buildDatabase(database.url, overdueTarget.url, regularTarget.url);
    const run = await runEngine(database.url, setup, regularTarget);
    const overdueRequests = (await overdueTarget.stats()).requests;
    const check = await checkDatabase(database.url, setup, run.caughtUpAt ?? run.endedAt);
    const result = { complete: run.caughtUp, setup_ms: setup.setup_ms, ...run.report, overdue_requests_at_target: overdueRequests, database_check: check };
    const load = { before: loadBefore.map((value) => round(value, 2)), after: loadavg().map((value) => round(value, 2)) };
    const code = { ...codeBefore, changed_during_run: JSON.stringify(describeCodeVersion()) !== JSON.stringify(codeBefore) };
    report(summaryLine(result), { params, code, load_average_1_5_15_min: load, ...result });
  } finally {
    await regularTarget.stop();
    await overdueTarget.stop();
    database.remove();
  }
}

/** Creates the schema, two targets and the overdue schedules; the engine child inserts the regular ones. */
async function buildDatabase(url, overdueUrl, regularUrl) {
  const setupStarted = performance.now();
  const now = Date.now();
  const store = await createLibsqlStore({ url });
  await store.migrate();
  const overdueTargetRow = await store.createTarget(targetRow('overdue-target', `${overdueUrl}/overdue`, now));
  const regularTargetRow = await store.createTarget(targetRow('regular-target', `${regularUrl}/regular`, now));
  await store.close();

  const client = openRawClient(url);
  // BigInt binds as INTEGER (a JS number binds as REAL), so the SQL does integer arithmetic.
  await client.execute({ sql: insertOverdueSql(), args: { count: BigInt(params.overdue_schedules), target: overdueTargetRow.id, now: BigInt(now) } });
  const { rows } = await client.execute({ sql: 'SELECT id, next_run_at FROM schedules WHERE target_id = ?', args: [overdueTargetRow.id] });
  client.close();

  return {
    overdueTargetId: overdueTargetRow.id,
    regularTargetId: regularTargetRow.id,
    dueBefore: new Map(rows.map((row) => [row.id, Number(row.next_run_at)])),
    setup_ms: round(performance.now() - setupStarted, 0),
  };
}

function targetRow(name, url, now) {
  return {
    id: newId(now),
    name,
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body_template: '{"source":"catch-up benchmark"}',
    timeout_ms: 10_000,
    created_at: new Date(now),
    updated_at: new Date(now),
  };
}

/**
 * Overdue schedule i has its grid anchored 120 intervals ago, offset by a hash
 * of i within the interval, and next_run_at on its last slot at or before now − 60 intervals.
 * run_count and last_run_at record every slot before that one as fired.
 */
function insertOverdueSql() {
  const period = params.overdue_interval_seconds * 1000;
  return `
    WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :count),
    anchored AS (SELECT i, ((:now - ${2 * params.overdue_by_intervals * period}) / ${period}) * ${period} + (i * 7919) % ${period} AS anchor FROM seq),
    planned AS (SELECT i, anchor, anchor + ((:now - ${params.overdue_by_intervals * period} - anchor) / ${period}) * ${period} AS due FROM anchored)
    INSERT INTO schedules (id, target_id, name, schedule_type, schedule_config, status, next_run_at, run_count,
                           last_run_at, timezone, retry_policy, overlap_policy, misfire_policy, created_at, updated_at)
    SELECT ${uuidV7Sql('anchor - 1000', 'i')}, :target, 'overdue-' || i, 'INTERVAL',
           json_object('interval_seconds', ${params.overdue_interval_seconds}, 'start_time', ${isoSql('anchor')}),
           'ACTIVE', due, (due - anchor) / ${period}, due - ${period}, 'UTC',
           '${DEFAULT_RETRY_POLICY_JSON}', 'skip', 'fire_once', anchor - 1000, due - ${period}
    FROM planned`;
}

/** Regular schedule j is anchored at :start + j/count of an interval and has not fired yet. */
function insertRegularSql() {
  const period = params.regular_interval_seconds * 1000;
  return `
    WITH RECURSIVE seq(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j + 1 < :count),
    anchored AS (SELECT j, :start + (j * ${period}) / :count AS anchor FROM seq)
    INSERT INTO schedules (id, target_id, name, schedule_type, schedule_config, status, next_run_at, run_count,
                           last_run_at, timezone, retry_policy, overlap_policy, misfire_policy, created_at, updated_at)
    SELECT ${uuidV7Sql(':start', 'j')}, :target, 'regular-' || j, 'INTERVAL',
           json_object('interval_seconds', ${params.regular_interval_seconds}, 'start_time', ${isoSql('anchor')}),
           'ACTIVE', anchor, 0, NULL, 'UTC', '${DEFAULT_RETRY_POLICY_JSON}', 'skip', 'fire_once', :start, :start
    FROM anchored`;
}

/**
 * Forks the engine child and follows it: heartbeats, progress, the deadline
 * and the memory cap. Reads the regular target's lateness when the catch-up
 * ends and again after the tail, then stops the child.
 */
async function runEngine(url, setup, regularTarget) {
  const config = { url, overdueTargetId: setup.overdueTargetId, regularTargetId: setup.regularTargetId };
  const child = fork(fileURLToPath(import.meta.url), ['--engine', JSON.stringify(config), ...(isQuick ? ['--quick'] : [])], {
    execArgv: [`--max-old-space-size=${params.child_max_old_space_mb}`, ...(process.env.CATCH_UP_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push(() => child.kill('SIGKILL'));

  const messages = new Map();
  const waiters = new Map();
  let lastHeartbeat = null;
  let maxHeartbeatGapMs = 0;
  child.on('message', (message) => {
    if (message.type === 'heartbeat') {
      const now = performance.now();
      if (lastHeartbeat !== null) maxHeartbeatGapMs = Math.max(maxHeartbeatGapMs, now - lastHeartbeat);
      lastHeartbeat = now;
      return;
    }
    messages.set(message.type, message);
    waiters.get(message.type)?.(message);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const nextMessage = (type) => (messages.has(type) ? Promise.resolve(messages.get(type)) : new Promise((resolve) => waiters.set(type, resolve)));

  const started = await Promise.race([nextMessage('started'), exited.then(() => null)]);
  if (started === null) throw new Error('The engine child exited before it started the engine');
  const startedAt = performance.now();
  lastHeartbeat = startedAt;

  // Watches the child's memory and heartbeats until it ends.
  let killedFor = null;
  let maxRssMb = 0;
  const rssSamples = [];
  const watch = setInterval(() => {
    const rssMb = childRssMb(child.pid);
    if (rssMb === null) return;
    maxRssMb = Math.max(maxRssMb, rssMb);
    rssSamples.push([round((performance.now() - startedAt) / 1000, 0), rssMb]);
    if (rssMb > params.child_rss_cap_mb && killedFor === null) {
      killedFor = `resident memory ${rssMb} MB passed the cap of ${params.child_rss_cap_mb} MB`;
      child.kill('SIGKILL');
    }
    if (lastHeartbeat !== null) maxHeartbeatGapMs = Math.max(maxHeartbeatGapMs, performance.now() - lastHeartbeat);
  }, 1_000);

  const outcome = await withTimeout(Promise.race([nextMessage('caught-up'), exited.then(() => 'exited')]), params.deadline_ms, 'deadline');
  const caughtUp = typeof outcome === 'object';
  const caughtUpAt = caughtUp ? outcome.at_epoch_ms : null;
  if (!caughtUp && killedFor === null && outcome === 'deadline') {
    // The child exits on an 'abort' message, which lets --cpu-prof write its
    // profile, but a starved event loop may not read the message for a while.
    killedFor = `the catch-up did not finish within ${params.deadline_ms / 1000} s`;
    child.send({ type: 'abort' });
    if ((await withTimeout(exited, 20_000, null)) === null) child.kill('SIGKILL');
  }

  const during = await regularTarget.stats();
  let tail = null;
  let childReport = null;
  if (caughtUp) {
    await regularTarget.reset();
    await sleep(params.tail_ms);
    tail = await regularTarget.stats();
    child.send({ type: 'stop' });
    childReport = await withTimeout(nextMessage('result'), 30_000, null);
    if (childReport === null) child.kill('SIGKILL');
  }
  const exit = await exited;
  clearInterval(watch);

  return {
    caughtUp,
    caughtUpAt,
    endedAt: Date.now(),
    report: {
      engine_child: {
        killed_for: killedFor,
        exit,
        max_rss_mb: maxRssMb,
        rss_mb_by_second: rssSamples.filter((_, index) => index % 5 === 0),
        max_heartbeat_gap_ms: round(maxHeartbeatGapMs, 0),
      },
      catch_up: caughtUp ? outcome.progress : (messages.get('result')?.progress ?? null),
      regular_lateness_at_target_ms: {
        during_catch_up: summarize(during.lateness_ms),
        tail: tail === null ? null : summarize(tail.lateness_ms),
      },
      ...(childReport === null ? {} : { store_calls_during_catch_up: childReport.store_calls, event_loop_delay_during_catch_up_ms: childReport.loop_delay }),
    },
  };
}

/** Resolves as `promise` does, or to `fallback` after `ms`; the timer does not outlive the race. */
async function withTimeout(promise, ms, fallback) {
  const abort = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, fallback, { signal: abort.signal })]);
  } finally {
    abort.abort();
  }
}

/** Reads a process's resident memory from /proc (Linux), in MB, or null when it is gone. */
function childRssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Math.round(Number(match[1]) / 1024);
  } catch {
    return null;
  }
}

/**
 * Runs the engine child: inserts the regular schedules, starts the engine as
 * the server does, reports when every overdue schedule's catch-up run has
 * finished, and stops on request with its store timings.
 */
async function runEngineChild({ url, overdueTargetId, regularTargetId }) {
  const heartbeat = setInterval(() => process.send({ type: 'heartbeat' }), HEARTBEAT_MS);
  const stopRequested = new Promise((resolve) => {
    process.on('message', (message) => {
      if (message.type === 'abort') process.exit(3);
      if (message.type === 'stop') resolve();
    });
  });
  const logger = pino({ level: params.log_level }, pino.destination({ dest: params.log_destination, sync: false }));
  const store = await createLibsqlStore({ url, logger });
  await store.migrate();

  const client = openRawClient(url);
  const startAt = Date.now() + params.regular_first_slot_after_start_ms;
  await client.execute({ sql: insertRegularSql(), args: { count: BigInt(params.regular_schedules), target: regularTargetId, start: BigInt(startAt) } });
  client.close();

  const progress = watchProgress(overdueTargetId);
  const storeCalls = timeStoreCalls(store, ['claimDueSchedules', 'finishRuns', 'earliestNextRunAt']);
  const engine = new Engine({ store, clock: systemClock, logger, instanceId: 'catch-up-bench', observers: [progress.observer], ...params.engine, executor: { ...params.engine.executor, addressPolicy: ALLOW_PRIVATE_POLICY } });
  applyBackpressure(store, engine);

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const engineStarted = performance.now();
  await engine.start();
  process.send({ type: 'started', at_epoch_ms: Date.now() });

  await progress.done;
  loopDelay.disable();
  const storeCallsDuring = storeCalls.summary();
  const ms = (at) => (at === null ? null : round(at - engineStarted, 0));
  const progressReport = {
    all_claimed_ms: ms(progress.allClaimedAt()),
    all_finished_ms: ms(progress.allFinishedAt()),
    overdue_schedules_finished: progress.finishedCount(),
    fires_per_second: round(params.overdue_schedules / ((progress.allFinishedAt() - engineStarted) / 1000), 0),
    not_success: progress.failedCount(),
  };
  process.send({ type: 'caught-up', at_epoch_ms: Date.now(), progress: progressReport });

  await stopRequested;
  await engine.stop(params.shutdown_grace_ms);
  await store.close();
  await new Promise((resolve) => logger.flush(resolve));
  clearInterval(heartbeat);
  const loopDelayMs = { p50: round(loopDelay.percentile(50) / 1e6), p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) };
  process.send({ type: 'result', progress: progressReport, store_calls: storeCallsDuring, loop_delay: loopDelayMs }, () => process.exit(0));
}

/** Makes each claim wait while CATCH_UP_MAX_IN_FLIGHT or more fires are in flight in the dispatcher. */
function applyBackpressure(store, engine) {
  if (params.max_in_flight === null) return;

  const claim = store.claimDueSchedules.bind(store);
  store.claimDueSchedules = async (input) => {
    while (engine.dispatcher.inFlightCount >= params.max_in_flight && engine.isRunning) await sleep(5);
    return claim({ ...input, now: Date.now() });
  };
}

/**
 * Creates a run observer that notes when every overdue schedule has its
 * catch-up run claimed and finished. The catch-up run is the schedule's
 * first claimed run. A later slot can finish before it, as a SKIPPED run
 * under the overlap policy skip, so finishes are matched by run id.
 */
function watchProgress(overdueTargetId) {
  const claimedSchedules = new Set();
  const catchUpRunIds = new Set();
  let finished = 0;
  let failed = 0;
  let allClaimedAt = null;
  let allFinishedAt = null;
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });

  const observer = {
    onRunStarted(run) {
      if (run.target_id !== overdueTargetId || claimedSchedules.has(run.schedule_id)) return;
      claimedSchedules.add(run.schedule_id);
      catchUpRunIds.add(run.id);
      if (claimedSchedules.size === params.overdue_schedules) allClaimedAt = performance.now();
    },
    onRunFinished(run) {
      if (!catchUpRunIds.delete(run.id)) return;
      finished += 1;
      if (run.status !== 'SUCCESS') failed += 1;
      if (finished === params.overdue_schedules) {
        allFinishedAt = performance.now();
        resolveDone();
      }
    },
  };
  return {
    observer,
    done,
    allClaimedAt: () => allClaimedAt,
    allFinishedAt: () => allFinishedAt,
    finishedCount: () => finished,
    failedCount: () => failed,
  };
}

/**
 * Wraps store methods to time every call and count the fires of claims.
 * A call's time includes its wait for the store's mutex, and the libSQL
 * driver runs statements synchronously, so these calls also block the event loop.
 */
function timeStoreCalls(store, names) {
  const calls = new Map(names.map((name) => [name, []]));
  let fires = 0;
  for (const name of names) {
    const call = store[name].bind(store);
    store[name] = async (...args) => {
      const callStarted = performance.now();
      const result = await call(...args);
      calls.get(name).push(performance.now() - callStarted);
      if (name === 'claimDueSchedules') fires += result.length;
      return result;
    };
  }
  return {
    summary: () => ({
      claimed_fires: fires,
      ...Object.fromEntries(
        [...calls].map(([name, durations]) => [
          name,
          { calls: durations.length, total_ms: round(durations.reduce((sum, value) => sum + value, 0), 0), duration_ms: summarize(durations) },
        ]),
      ),
    }),
  };
}

/**
 * Reads the runs back. Each overdue schedule's earliest run must be its one
 * catch-up run: SUCCESS, catch_up, missed_count equal to the slots between
 * the old next_run_at and its scheduled_for, and scheduled_for the latest
 * slot at or before the claim (started_at). Later runs of the same schedule
 * are ordinary later slots and are counted apart.
 */
async function checkDatabase(url, setup, catchUpEndedAt) {
  const period = params.overdue_interval_seconds * 1000;
  const client = openRawClient(url);
  const { rows } = await client.execute({
    sql: `SELECT r.schedule_id, r.scheduled_for, r.started_at, r.status, r.catch_up, r.missed_count, s.next_run_at
          FROM runs r JOIN schedules s ON s.id = r.schedule_id
          WHERE r.target_id = ? ORDER BY r.schedule_id, r.scheduled_for`,
    args: [setup.overdueTargetId],
  });

  const firstRun = new Map();
  const laterRuns = { total: 0, skipped: 0 };
  for (const row of rows) {
    if (!firstRun.has(row.schedule_id)) {
      firstRun.set(row.schedule_id, row);
      continue;
    }
    laterRuns.total += 1;
    if (row.status === 'SKIPPED') laterRuns.skipped += 1;
  }

  const problems = [];
  const missedCounts = [];
  const firstRunStatuses = {};
  let withoutRun = 0;
  for (const [id, due] of setup.dueBefore) {
    const run = firstRun.get(id);
    if (run === undefined) {
      withoutRun += 1;
      continue;
    }
    const scheduledFor = Number(run.scheduled_for);
    const expectedMissed = (scheduledFor - due) / period;
    missedCounts.push(Number(run.missed_count));
    firstRunStatuses[run.status] = (firstRunStatuses[run.status] ?? 0) + 1;
    if (run.status !== 'SUCCESS') problems.push(`${id}: status ${run.status}`);
    if (Number(run.catch_up) !== 1) problems.push(`${id}: catch_up is ${run.catch_up}`);
    if (Number(run.missed_count) !== expectedMissed) problems.push(`${id}: missed_count ${run.missed_count}, expected ${expectedMissed}`);
    if (!(scheduledFor <= Number(run.started_at) && Number(run.started_at) < scheduledFor + period)) {
      problems.push(`${id}: scheduled_for ${scheduledFor} is not the latest slot before the claim at ${run.started_at}`);
    }
    if (Number(run.next_run_at) <= scheduledFor) problems.push(`${id}: next_run_at ${run.next_run_at} did not move past ${scheduledFor}`);
  }

  const regular = await regularRunStats(client, setup.regularTargetId, catchUpEndedAt);
  const runCount = Number((await client.execute('SELECT count(*) AS total FROM runs')).rows[0].total);
  const outcomes = await client.execute(
    'SELECT target_id, status, error_type, count(*) AS runs FROM runs GROUP BY target_id, status, error_type ORDER BY runs DESC',
  );
  const runOutcomes = outcomes.rows.map((row) => ({
    target: row.target_id === setup.overdueTargetId ? 'overdue' : 'regular',
    status: row.status,
    error_type: row.error_type,
    runs: Number(row.runs),
  }));
  client.close();
  return {
    runs_in_database: runCount,
    run_outcomes: runOutcomes,
    overdue_runs: rows.length,
    overdue_schedules_without_run: withoutRun,
    overdue_first_run_statuses: firstRunStatuses,
    overdue_later_runs: laterRuns,
    missed_count: summarize(missedCounts),
    problems: problems.length,
    first_problems: problems.slice(0, 5),
    regular,
  };
}

/**
 * Summarizes the regular runs in the database, split at the end of the
 * catch-up. The claim delay of the oldest slot a run covers (started_at minus
 * scheduled_for, plus missed_count slots for a fire_once catch-up) shows
 * lateness that the target cannot see, because a catch-up carries only the
 * latest slot in its Idempotency-Key.
 */
async function regularRunStats(client, regularTargetId, catchUpEndedAt) {
  const period = params.regular_interval_seconds * 1000;
  const { rows } = await client.execute({
    sql: 'SELECT scheduled_for, started_at, status, catch_up, missed_count FROM runs WHERE target_id = ?',
    args: [regularTargetId],
  });
  const phases = { during_catch_up: [], tail: [] };
  for (const row of rows) phases[Number(row.scheduled_for) <= catchUpEndedAt ? 'during_catch_up' : 'tail'].push(row);

  const describe = (runs) => ({
    runs: runs.length,
    sent: runs.filter((run) => run.status !== 'SKIPPED').length,
    skipped: runs.filter((run) => run.status === 'SKIPPED').length,
    catch_up_runs: runs.filter((run) => Number(run.catch_up) === 1).length,
    missed_slots: runs.reduce((sum, run) => sum + Number(run.missed_count), 0),
    oldest_slot_claim_delay_ms: summarize(
      runs.map((run) => Number(run.started_at) - (Number(run.scheduled_for) - Number(run.missed_count) * period)),
    ),
  });
  return { during_catch_up: describe(phases.during_catch_up), tail: describe(phases.tail) };
}

function summaryLine(result) {
  const { catch_up: catchUp, regular_lateness_at_target_ms: lateness, database_check: check, engine_child: child } = result;
  const during = lateness.during_catch_up;
  const regularDb = check.regular.during_catch_up;
  const overdue = `${params.overdue_schedules.toLocaleString('en-US')} overdue schedules`;
  const regularSlots = regularDb.runs + regularDb.missed_slots;
  const regular =
    `${params.regular_schedules} regular 1 s schedules meanwhile: ${regularDb.sent} of ${regularSlots} slots sent ` +
    `(${regularDb.skipped} SKIPPED by the overlap policy, ${regularDb.missed_slots} folded into catch-ups), ` +
    `lateness of those sent p50 ${during.p50} / p99 ${during.p99} / max ${during.max} ms at the target, ` +
    `oldest-slot claim delay max ${regularDb.oldest_slot_claim_delay_ms.max} ms`;
  if (!result.complete) {
    return (
      `${overdue}: INCOMPLETE, engine killed (${child.killed_for ?? `exit ${JSON.stringify(child.exit)}`}); ` +
      `${check.overdue_runs.toLocaleString('en-US')} overdue runs and ${check.runs_in_database.toLocaleString('en-US')} runs in all were recorded, ` +
      `${check.overdue_schedules_without_run} overdue schedules had no run, longest heartbeat gap ${child.max_heartbeat_gap_ms} ms, max RSS ${child.max_rss_mb} MB; ${regular}`
    );
  }
  return (
    `${overdue}: all finished in ${round(catchUp.all_finished_ms / 1000, 1)} s ` +
    `(claimed in ${round(catchUp.all_claimed_ms / 1000, 1)} s, ${catchUp.fires_per_second} fires/s), ` +
    `${params.overdue_schedules - check.overdue_schedules_without_run} with one catch-up run, ${check.problems} problems, ` +
    `longest heartbeat gap ${child.max_heartbeat_gap_ms} ms, max RSS ${child.max_rss_mb} MB; ${regular}; ` +
    `in the ${params.tail_ms / 1000} s tail ${check.regular.tail.sent} of ${check.regular.tail.runs} regular runs sent, lateness p99 ${lateness.tail.p99} ms`
  );
}
