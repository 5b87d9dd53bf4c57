// PostgreSQL mode: the throughput and precision workloads of the libSQL
// benchmarks (same sizes from workloads.mjs, same load target, same request,
// same executor caps), fired by 1 and by 3 worker processes of the built
// server (SCHEDULER_ROLE=worker, each its own OS process) that share one
// PostgreSQL database and split the work through FOR UPDATE SKIP LOCKED
// claims. Each measurement gets a fresh database on the server that
// @api-scheduler/db/testing finds (127.0.0.1:5432 or the PG* variables),
// dropped at its end. Without a server, the benchmark prints one line and
// skips.
//
// Throughput: N schedules planned for one instant. Runs per second =
// N / (latest finished_at in the runs table − the planned instant), once
// every run has a finished_at. finished_at is the instant the worker
// recorded the outcome, and its commit follows within a round trip. The
// libSQL benchmark takes the instant after the commit. Raw undici sends the
// same N requests with the same number in flight before and after, as a
// yardstick for the machine's load at the time.
//
// Precision: lateness at the load target (receive time − the instant in the
// Idempotency-Key) over the same windows as the libSQL precision benchmark,
// and in the database (started_at − scheduled_for).
//
// Both check at the end that the target received each planned slot's
// Idempotency-Key exactly once, that no slot has two runs, and that every
// run is SUCCESS, and fail otherwise.
//
// POSTGRES_BENCH_WORKER_NODE_ARGS adds Node.js options to the first worker,
// such as "--cpu-prof --cpu-prof-dir=/tmp/pg-prof".
import { probePostgresTestServer } from '@api-scheduler/db/testing';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { describeCodeVersion } from '../lib/code-version.mjs';
import { measureLatenessWindow, sleepUntil } from '../lib/lateness-window.mjs';
import { PeerRequester } from '../lib/peer-request.mjs';
import { createBenchDatabase, engineLatenessSamples, insertIntervalSchedules, startWorkers, summarizeRuns } from '../lib/postgres-schedules.mjs';
import { measureCommandCpu, measureProcessCpu } from '../lib/process-cpu.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { assertEverySlotOnce, compareSlotKeys, plannedSlotKeys } from '../lib/slot-keys.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { EXECUTOR_LIMITS, TARGET_CONCURRENCY, TARGET_REQUEST, precisionTiming, precisionWorkloads, throughputWorkload } from '../lib/workloads.mjs';

const throughput = throughputWorkload(isQuick);
const timing = precisionTiming(isQuick);
// --quick keeps this benchmark near 25 s: 1,000 schedules only, with a 2 s window (500 fires).
const precision = isQuick ? precisionWorkloads(true).slice(0, 1).map((workload) => ({ ...workload, measureMs: 2_000 })) : precisionWorkloads(false);

const params = {
  process_counts: [1, 3],
  throughput_schedules: throughput.jobs,
  throughput_interval_seconds: throughput.intervalSeconds,
  timeout_ms: throughput.timeoutMs,
  // From the start of the seed insert to the first planned instant: the lead
  // of the libSQL runs plus the insert, which took 1.1 to 1.7 s per 100,000
  // rows on the 2-core benchmark VM.
  lead_ms: throughput.leadMs,
  lead_ms_per_schedule: 0.02,
  warmup_ms: timing.warmupMs,
  // Slots planned less than this (the misfire grace) before the stop may be unsent. Every earlier slot must have fired.
  stop_margin_ms: 1_000,
  // The workers run with the server's defaults (apps/server/src/env.ts), which these match.
  engine: { claimBatchSize: 500, misfireGraceMs: 1_000, executor: EXECUTOR_LIMITS },
  poll_ms: 200,
  worker_node_args: (process.env.POSTGRES_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
};

/** Sends `count` requests through undici with TARGET_CONCURRENCY in flight and returns the rate. */
async function measureRawUndici(target, count) {
  const requester = new PeerRequester(target.url);
  const started = performance.now();
  for (let index = 0; index < count; index += 1) void requester.send(Date.now());
  await requester.drain();
  const elapsedMs = performance.now() - started;
  await requester.close();
  if (requester.failed > 0) throw new Error(`raw undici: ${requester.failed} of ${count} requests failed, first: ${requester.firstError}`);
  return Math.round((count / elapsedMs) * 1_000);
}

/**
 * Starts measuring the CPU share (percent of one core) of each worker, of the
 * PostgreSQL server's processes, of the load target, and of this process,
 * which reads the workers' log lines.
 */
function measureCpuShares(workers, target) {
  const perWorker = workers.map((worker) => measureProcessCpu(worker.pid));
  const postgres = measureCommandCpu('postgres');
  const targetCpu = measureProcessCpu(target.pid);
  const benchCpu = measureProcessCpu(process.pid);
  return {
    stop: () => ({
      workers_percent: perWorker.map((measure) => measure.stop()),
      postgres_percent: postgres.stop(),
      target_percent: targetCpu.stop(),
      bench_process_percent: benchCpu.stop(),
    }),
  };
}

/**
 * Returns the transactions committed and rolled back in the current
 * database so far. Backends publish these counts with a delay of a second
 * or more, so only differences over several seconds are meaningful.
 */
async function transactionCount(client) {
  const { rows } = await client.query(`SELECT (xact_commit + xact_rollback)::bigint AS count FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].count);
}

/** Stops the workers (SIGTERM, graceful), and throws when one exited with an error or logged one. */
async function stopWorkers(workers) {
  const exits = await Promise.all(workers.map((worker) => worker.stop()));
  const problems = workers.flatMap((worker) => worker.logs.problems);
  exits.forEach((exit, index) => {
    if (exit.code !== 0) throw new Error(`worker bench-pg-${index + 1} exited with code ${exit.code} (signal ${exit.signal}): ${JSON.stringify(workers[index].logs.problems)}`);
  });
  const errors = problems.filter((problem) => problem.level >= 50);
  if (errors.length > 0) throw new Error(`workers logged ${errors.length} errors, first: ${JSON.stringify(errors[0])}`);
  return { log_lines: workers.reduce((sum, worker) => sum + worker.logs.lines, 0), warnings: problems };
}

/** Waits until `expected` runs have a finished_at, polling the database, and throws at `deadline` (Unix ms). */
async function waitForFinishedRuns(client, expected, deadline) {
  for (;;) {
    const { rows } = await client.query(`SELECT count(*)::int AS finished FROM runs WHERE finished_at IS NOT NULL`);
    if (rows[0].finished >= expected) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${rows[0].finished} of ${expected} runs finished`);
    await sleep(params.poll_ms);
  }
}

/** Throws unless every run is SUCCESS, there are `expected` of them (when given), and no slot has two. */
function assertRunsRecorded(runs, label, expected) {
  const success = runs.statuses.SUCCESS ?? 0;
  if (success !== runs.total_runs || (expected !== undefined && runs.total_runs !== expected) || runs.slots_with_several_runs > 0) {
    throw new Error(
      `${label}: expected ${expected ?? 'only'} SUCCESS runs and one run per slot, found ${JSON.stringify(runs.statuses)} ` +
        `and ${runs.slots_with_several_runs} slots with several runs`,
    );
  }
}

async function measureThroughput(server, target, processes) {
  const label = `throughput with ${processes} process${processes === 1 ? '' : 'es'}`;
  const preparing = Date.now();
  const database = await createBenchDatabase(server, target.url);
  let workers = [];
  try {
    const databaseReadyAt = Date.now();
    workers = await startWorkers(database.url, processes, { firstWorkerNodeArgs: params.worker_node_args });
    const preparation = { database_ms: databaseReadyAt - preparing, workers_start_ms: Date.now() - databaseReadyAt };
    await target.reset();
    await target.resetKeys();

    const setupStarted = Date.now();
    const plannedAt = setupStarted + params.lead_ms + Math.ceil(params.throughput_schedules * params.lead_ms_per_schedule);
    const schedules = await insertIntervalSchedules(database.client, {
      targetId: database.target.id,
      schedules: params.throughput_schedules,
      intervalSeconds: params.throughput_interval_seconds,
      firstPlannedAt: plannedAt,
      spreadMs: 0,
    });
    const setupEndedAt = Date.now();
    const load = loadavg()[0];

    // The CPU shares cover the run, from the planned instant to the last run finished.
    await sleepUntil(plannedAt);
    const cpu = measureCpuShares(workers, target);
    await waitForFinishedRuns(database.client, params.throughput_schedules, plannedAt + params.timeout_ms);
    const cpuShares = cpu.stop();
    const stopped = await stopWorkers(workers);
    workers = [];

    const runs = await summarizeRuns(database.client);
    assertRunsRecorded(runs, label, params.throughput_schedules);
    const keys = compareSlotKeys(await target.keys(), plannedSlotKeys(schedules, params.throughput_interval_seconds, plannedAt));
    assertEverySlotOnce(keys, label);
    const targetStats = await target.stats();

    const elapsedMs = runs.last_finished_at_ms - plannedAt;
    return {
      processes,
      preparation,
      setup_ms: setupEndedAt - setupStarted,
      setup_overran: setupEndedAt > plannedAt,
      last_finished_after_planned_ms: elapsedMs,
      runs_per_s: Math.round((params.throughput_schedules / elapsedMs) * 1_000),
      runs,
      slot_keys: keys,
      arrival_lateness_ms: summarize(targetStats.lateness_ms),
      cpu: cpuShares,
      load_average_1m: round(load, 2),
      worker_logs: stopped,
    };
  } finally {
    if (workers.length > 0) await Promise.all(workers.map((worker) => worker.stop()));
    await database.drop();
  }
}

async function measurePrecision(server, target, workload, processes) {
  const label = `precision at ${workload.schedules} schedules with ${processes} process${processes === 1 ? '' : 'es'}`;
  const intervalMs = workload.intervalSeconds * 1_000;
  const preparing = Date.now();
  const database = await createBenchDatabase(server, target.url);
  let workers = [];
  try {
    const databaseReadyAt = Date.now();
    workers = await startWorkers(database.url, processes, { firstWorkerNodeArgs: params.worker_node_args });
    const preparation = { database_ms: databaseReadyAt - preparing, workers_start_ms: Date.now() - databaseReadyAt };
    await target.resetKeys();

    const setupStarted = Date.now();
    const firstPlannedAt = setupStarted + params.lead_ms + Math.ceil(workload.schedules * params.lead_ms_per_schedule);
    const schedules = await insertIntervalSchedules(database.client, {
      targetId: database.target.id,
      schedules: workload.schedules,
      intervalSeconds: workload.intervalSeconds,
      firstPlannedAt,
      spreadMs: intervalMs,
    });
    const setupEndedAt = Date.now();

    const startAt = Math.max(firstPlannedAt, setupEndedAt) + params.warmup_ms;
    let cpu = null;
    let transactionsBefore = null;
    const windowStarts = setTimeout(() => {
      cpu = measureCpuShares(workers, target);
      void transactionCount(database.client).then((count) => {
        transactionsBefore = { count, at: Date.now() };
      });
    }, startAt - Date.now());
    const window = await measureLatenessWindow(target, workload, { startAt, measureMs: workload.measureMs });
    clearTimeout(windowStarts);
    const cpuShares = cpu?.stop() ?? null;
    const transactionsAfter = { count: await transactionCount(database.client), at: Date.now() };
    const transactionsPerS =
      transactionsBefore === null ? null : Math.round(((transactionsAfter.count - transactionsBefore.count) / (transactionsAfter.at - transactionsBefore.at)) * 1_000);
    const load = loadavg()[0];
    const windowEnd = startAt + window.window_late_start_ms + window.window_ms;

    const stopRequestedAt = Date.now();
    const stopped = await stopWorkers(workers);
    workers = [];
    const stoppedAt = Date.now();

    const runs = await summarizeRuns(database.client);
    assertRunsRecorded(runs, label);
    const keys = compareSlotKeys(
      await target.keys(),
      plannedSlotKeys(schedules, workload.intervalSeconds, stopRequestedAt - params.stop_margin_ms),
      plannedSlotKeys(schedules, workload.intervalSeconds, stoppedAt),
    );
    assertEverySlotOnce(keys, label);
    const engineSamples = await engineLatenessSamples(database.client, startAt, windowEnd);

    return {
      schedules: workload.schedules,
      interval_seconds: workload.intervalSeconds,
      fires_per_s: round(workload.schedules / workload.intervalSeconds),
      processes,
      preparation,
      setup_ms: setupEndedAt - setupStarted,
      setup_overran: setupEndedAt > firstPlannedAt,
      target: window,
      engine_lateness_ms: summarize(engineSamples),
      // All clients of this database, this process's checks included (a few per window).
      transactions_per_s: transactionsPerS,
      runs,
      slot_keys: keys,
      cpu: cpuShares,
      load_average_1m: round(load, 2),
      worker_logs: stopped,
    };
  } finally {
    if (workers.length > 0) await Promise.all(workers.map((worker) => worker.stop()));
    await database.drop();
  }
}

// The CI variable would turn a missing server into an error; here it is always a skip.
const probe = await probePostgresTestServer({ ...process.env, CI: '' });
if (probe.server === null) {
  // The probe words its reason for the test suites; the rewording falls back to the original text if that changes.
  const reason = probe.skipReason.replace(/^PostgreSQL tests skipped: /, '').replace('To run them,', 'To run this benchmark,');
  report(`skipped: no PostgreSQL server answered: ${reason}`, { skipped: true, reason: probe.skipReason });
  process.exit(0);
}

const target = await startTarget({ recordKeys: true });
const throughputResults = [];
const precisionResults = [];
const raw = [];
try {
  await measureRawUndici(target, 2_000);
  raw.push(await measureRawUndici(target, params.throughput_schedules));
  for (const processes of params.process_counts) throughputResults.push(await measureThroughput(probe.server, target, processes));
  raw.push(await measureRawUndici(target, params.throughput_schedules));
  for (const workload of precision) {
    for (const processes of params.process_counts) precisionResults.push(await measurePrecision(probe.server, target, workload, processes));
  }
} finally {
  await target.stop();
}

const rawPerS = Math.round((raw[0] + raw[1]) / 2);
const format = (value) => value.toLocaleString('en-US');
const describeThroughput = (result) => `${result.processes}p ${format(result.runs_per_s)} runs/s (ratio ${round(result.runs_per_s / rawPerS, 2)})`;
const describePrecision = (result) =>
  `${format(result.schedules)} schedules ${result.processes}p p50 ${result.target.lateness_ms.p50} p99 ${result.target.lateness_ms.p99} max ${result.target.lateness_ms.max} ms`;
report(
  `throughput ${throughputResults.map(describeThroughput).join(', ')} vs ${format(rawPerS)} raw undici req/s (${format(params.throughput_schedules)} schedules); ` +
    `lateness at the target: ${precisionResults.map(describePrecision).join('; ')}; every slot once`,
  {
    params,
    precision_workloads: precision,
    target_concurrency: TARGET_CONCURRENCY,
    request: TARGET_REQUEST,
    postgres_server: probe.server.displayUrl,
    code: describeCodeVersion(),
    raw_undici_per_s: raw,
    raw_undici_mean_per_s: rawPerS,
    throughput: throughputResults,
    precision: precisionResults,
  },
);
