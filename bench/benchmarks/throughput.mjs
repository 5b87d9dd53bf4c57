// Throughput: 20,000 INTERVAL schedules (--quick: 5,000), all planned for
// the same instant, fired by API Scheduler's Engine on a libSQL file against
// the load target. The result counts a run only once its SUCCESS outcome is
// committed to the database: runs per second = schedules / (time the last
// outcome was committed − the planned instant). At the end the benchmark
// counts the SUCCESS rows and fails unless every run is there.
//
// Beside it, against the same target in the same process: raw undici sending
// the same number of the same request, as fast as it can with the same
// number in flight (TARGET_CONCURRENCY, the engine's per-host cap). The
// headline is the ratio of the two rates.
import { setTimeout as sleep } from 'node:timers/promises';

import { systemClock } from '@api-scheduler/core';
import { Engine } from '@api-scheduler/engine';

import { benchLogger, createIntervalSchedules } from '../lib/interval-schedules.mjs';
import { PeerRequester } from '../lib/peer-request.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { EXECUTOR_LIMITS, TARGET_CONCURRENCY, TARGET_REQUEST } from '../lib/workloads.mjs';

const params = {
  schedules: isQuick ? 5_000 : 20_000,
  // Long enough that every schedule fires once while the benchmark runs.
  interval_seconds: 3_600,
  // From the end of setup to the planned instant, so the engine is asleep when the schedules fall due.
  lead_ms: 1_500,
  // The server's defaults (apps/server/src/env.ts).
  engine: { claimBatchSize: 500, executor: EXECUTOR_LIMITS },
  raw_warmup_requests: 2_000,
  timeout_ms: 120_000,
};

/** Sends `count` requests through undici as fast as TARGET_CONCURRENCY in flight allows, and returns the rate. */
async function measureRawUndici(target, count) {
  const requester = new PeerRequester(target.url);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < count; index += 1) void requester.send(Date.now());
  await requester.drain();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await requester.close();
  if (requester.failed > 0) throw new Error(`raw undici: ${requester.failed} of ${count} requests failed, first: ${requester.firstError}`);
  return {
    requests: count,
    elapsed_ms: round(elapsedMs, 0),
    requests_per_s: Math.round((count / elapsedMs) * 1_000),
    cpu_us_per_request: round((cpu.user + cpu.system) / count),
  };
}

async function measureEngine(target) {
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

  let cpu;
  try {
    await engine.start();
    const setupEndedAt = Date.now();
    const cpuBefore = process.cpuUsage();
    const timer = setTimeout(() => recorded.reject(new Error(`timed out: ${succeeded + failed} of ${params.schedules} runs recorded`)), plannedAt + params.timeout_ms - Date.now());
    await recorded.promise.finally(() => clearTimeout(timer));
    cpu = process.cpuUsage(cpuBefore);
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
      // CPU time of this process (engine and benchmark) per run, from engine start to the last run recorded.
      cpu_us_per_run: round((cpu.user + cpu.system) / params.schedules),
      arrival_lateness_ms: summarize(targetStats.lateness_ms),
    };
  } finally {
    await engine.stop(0);
    await seeded.close();
  }
}

const target = await startTarget();
let raw;
let scheduler;
try {
  // Warms up the target's JIT and its keep-alive handling, outside both measurements.
  await measureRawUndici(target, params.raw_warmup_requests);
  globalThis.gc?.();
  raw = await measureRawUndici(target, params.schedules);
  await target.reset();
  await sleep(200);
  globalThis.gc?.();
  scheduler = await measureEngine(target);
} finally {
  await target.stop();
}

const ratio = round(scheduler.runs_per_s / raw.requests_per_s, 2);
const format = (value) => value.toLocaleString('en-US');
report(
  `throughput: ${format(scheduler.runs_per_s)} runs/s recorded vs ${format(raw.requests_per_s)} raw undici req/s, ratio ${ratio} (${format(params.schedules)} schedules, ${TARGET_CONCURRENCY} in flight, log level ${scheduler.log_level})`,
  { params, target_concurrency: TARGET_CONCURRENCY, request: TARGET_REQUEST, raw_undici: raw, scheduler, ratio },
);
