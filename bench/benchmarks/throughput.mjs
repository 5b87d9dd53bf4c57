// Throughput: 20,000 INTERVAL schedules (--quick: 5,000), all planned for
// the same instant, fired by API Scheduler's Engine on a libSQL file against
// the load target. The result counts a run only once its SUCCESS outcome is
// committed to the database: runs per second = schedules / (time the last
// outcome was committed − the planned instant). At the end the benchmark
// counts the SUCCESS rows and fails unless every run is there.
//
// Beside it, against the same target in the same process, raw undici sends
// the same number of the same request before and after the engine. It sends
// as fast as it can with the same number in flight (TARGET_CONCURRENCY, the
// engine's per-host cap). The headline is the ratio of the engine's rate to
// the mean of the two raw rates. The CPU time of this process per run (and
// of its main thread, on Linux) and the load target's CPU share show which
// side was busy.
import { setTimeout as sleep } from 'node:timers/promises';

import { ALLOW_PRIVATE_POLICY, systemClock } from '@api-scheduler/core';
import { Engine } from '@api-scheduler/engine';

import { benchLogger, createIntervalSchedules } from '../lib/interval-schedules.mjs';
import { PeerRequester } from '../lib/peer-request.mjs';
import { findChildPid, measureProcessCpu } from '../lib/process-cpu.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { measureCpu } from '../lib/thread-cpu.mjs';
import { EXECUTOR_LIMITS, TARGET_CONCURRENCY, TARGET_REQUEST, throughputWorkload } from '../lib/workloads.mjs';

// The same job count, interval, lead and timeout as the peers' throughput runs.
const workload = throughputWorkload(isQuick);

const params = {
  schedules: workload.jobs,
  // Long enough that every schedule fires once while the benchmark runs.
  interval_seconds: workload.intervalSeconds,
  // From the end of setup to the planned instant, so the engine is asleep when the schedules fall due.
  lead_ms: workload.leadMs,
  // The server's defaults (apps/server/src/env.ts).
  engine: { claimBatchSize: 500, executor: EXECUTOR_LIMITS },
  raw_warmup_requests: 2_000,
  timeout_ms: workload.timeoutMs,
};

/** CPU use while `count` requests or runs went through: this process per item (µs) and the load target's share of one core (%). */
function cpuReport(cpu, targetShare, count) {
  return {
    cpu_us_per_item: round((cpu.process_ms * 1_000) / count),
    main_thread_cpu_us_per_item: cpu.main_thread_ms === null ? null : round((cpu.main_thread_ms * 1_000) / count),
    target_cpu_percent: targetShare,
  };
}

/** Sends `count` requests through undici as fast as TARGET_CONCURRENCY in flight allows, and returns the rate. */
async function measureRawUndici(target, targetPid, count) {
  const requester = new PeerRequester(target.url);
  const cpu = measureCpu();
  const targetCpu = measureProcessCpu(targetPid);
  const started = performance.now();
  for (let index = 0; index < count; index += 1) void requester.send(Date.now());
  await requester.drain();
  const elapsedMs = performance.now() - started;
  const used = cpuReport(cpu.stop(), targetCpu.stop(), count);
  await requester.close();
  if (requester.failed > 0) throw new Error(`raw undici: ${requester.failed} of ${count} requests failed, first: ${requester.firstError}`);
  return { requests: count, elapsed_ms: round(elapsedMs, 0), requests_per_s: Math.round((count / elapsedMs) * 1_000), ...used };
}

async function measureEngine(target, targetPid) {
  const { level, logger } = benchLogger();
  const setupStarted = Date.now();
  // The planned instant is placed after the seed insert and the engine start: both take well under a second.
  const plannedAt = setupStarted + 2_000 + params.lead_ms;
  const seeded = await createIntervalSchedules({
    targetUrl: target.url,
    schedules: params.schedules,
    intervalSeconds: params.interval_seconds,
    firstPlannedAt: plannedAt,
    spreadMs: 0,
  });

  let succeeded = 0;
  let failed = 0;
  let firstFailure = null;
  let lastRecordedAt = 0;
  const recorded = {};
  recorded.promise = new Promise((resolve, reject) => Object.assign(recorded, { resolve, reject }));
  const engine = new Engine({
    store: seeded.store,
    clock: systemClock,
    logger,
    instanceId: 'bench-throughput',
    ...params.engine,
    // The target server listens on 127.0.0.1, which the address guard denies by default.
    executor: { ...params.engine.executor, addressPolicy: ALLOW_PRIVATE_POLICY },
    observers: [
      {
        // Called after the recorder has committed the outcome.
        onRunFinished(run) {
          if (run.status === 'SUCCESS') succeeded += 1;
          else {
            failed += 1;
            firstFailure ??= `${run.status} ${run.error_type}: ${run.error_message}`;
          }
          lastRecordedAt = Date.now();
          if (succeeded + failed === params.schedules) recorded.resolve();
        },
      },
    ],
  });

  try {
    await engine.start();
    const setupEndedAt = Date.now();
    // From engine start to the last run recorded: the engine's CPU, the benchmark's own is negligible.
    const cpu = measureCpu();
    const targetCpu = measureProcessCpu(targetPid);
    const timer = setTimeout(() => recorded.reject(new Error(`timed out: ${succeeded + failed} of ${params.schedules} runs recorded`)), plannedAt + params.timeout_ms - Date.now());
    await recorded.promise.finally(() => clearTimeout(timer));
    const used = cpuReport(cpu.stop(), targetCpu.stop(), params.schedules);
    await engine.stop(10_000);

    const stats = await seeded.store.runStats();
    const targetStats = await target.stats();
    if (stats.success_runs !== params.schedules || stats.total_runs !== params.schedules) {
      throw new Error(`expected ${params.schedules} SUCCESS runs, found ${stats.success_runs} of ${stats.total_runs} (first failure: ${firstFailure})`);
    }
    const elapsedMs = lastRecordedAt - plannedAt;
    return {
      log_level: level,
      setup_ms: setupEndedAt - setupStarted,
      setup_overran: setupEndedAt > plannedAt,
      success_rows: stats.success_runs,
      total_rows: stats.total_runs,
      target_requests: targetStats.requests,
      last_recorded_after_planned_ms: elapsedMs,
      runs_per_s: Math.round((params.schedules / elapsedMs) * 1_000),
      ...used,
      arrival_lateness_ms: summarize(targetStats.lateness_ms),
    };
  } finally {
    await engine.stop(0);
    await seeded.close();
  }
}

const target = await startTarget();
const targetPid = findChildPid('target-server.mjs');
const raw = [];
let scheduler;
try {
  // Warms up the target's JIT and its keep-alive handling, outside the measurements.
  await measureRawUndici(target, targetPid, params.raw_warmup_requests);
  // Raw undici runs before and after the engine, so a change in the machine's load during the run shows as a gap between the two.
  globalThis.gc?.();
  raw.push(await measureRawUndici(target, targetPid, params.schedules));
  await target.reset();
  await sleep(200);
  globalThis.gc?.();
  scheduler = await measureEngine(target, targetPid);
  await target.reset();
  globalThis.gc?.();
  raw.push(await measureRawUndici(target, targetPid, params.schedules));
} finally {
  await target.stop();
}

const rawPerS = Math.round((raw[0].requests_per_s + raw[1].requests_per_s) / 2);
const ratio = round(scheduler.runs_per_s / rawPerS, 2);
const format = (value) => value.toLocaleString('en-US');
report(
  `${format(scheduler.runs_per_s)} runs/s recorded vs ${format(rawPerS)} raw undici req/s, ratio ${ratio} ` +
    `(${format(params.schedules)} schedules, ${TARGET_CONCURRENCY} in flight, log level ${scheduler.log_level}; ` +
    `CPU ${Math.round(scheduler.cpu_us_per_item)} µs per run, ${Math.round(raw[0].cpu_us_per_item)} µs per raw request)`,
  { params, target_concurrency: TARGET_CONCURRENCY, request: TARGET_REQUEST, raw_undici: raw, raw_undici_mean_per_s: rawPerS, scheduler, ratio },
);
