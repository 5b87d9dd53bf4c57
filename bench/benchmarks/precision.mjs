// Precision: how late API Scheduler's Engine fires with 1,000, 10,000 and
// 100,000 active INTERVAL schedules (--quick: 1,000 and 10,000). The
// schedules of one size share an interval and their start times are spread
// evenly over it, so fires arrive at a steady schedules / interval per
// second. Two latenesses are measured over the same window:
//   - at the load target: receive time − planned instant (the instant is
//     read from the Idempotency-Key), the lateness that the target observes;
//   - in the engine: run.started_at − scheduled_for, read back from the
//     database: how late the loop woke and began the claim of that fire.
// Each window is long enough for at least 2,000 fires. Beside the
// latenesses, each workload records the event loop's delay and the CPU
// share of this process and of its main thread over the window. They show
// whether a late tail came from a busy event loop or from a busy machine.
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { ALLOW_PRIVATE_POLICY, systemClock } from '@api-scheduler/core';
import { Engine } from '@api-scheduler/engine';

import { benchLogger, createIntervalSchedules } from '../lib/interval-schedules.mjs';
import { measureLatenessWindow } from '../lib/lateness-window.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { measureCpu } from '../lib/thread-cpu.mjs';
import { EXECUTOR_LIMITS, TARGET_REQUEST, precisionTiming, precisionWorkloads } from '../lib/workloads.mjs';

// The same sizes, intervals and windows as the peers' precision runs.
const workloads = precisionWorkloads(isQuick);
const timing = precisionTiming(isQuick);

const params = {
  // From the start of setup to the first planned instant: the seed insert takes about 1 s per 100,000 schedules.
  lead_ms: timing.leadMs,
  lead_ms_per_schedule: 0.02,
  // From the first planned instant (or the engine start, if later) to the start of the window.
  warmup_ms: timing.warmupMs,
  // The server's defaults (apps/server/src/env.ts).
  engine: { claimBatchSize: 500, misfireGraceMs: 1_000, executor: EXECUTOR_LIMITS },
};

// The event loop delay histogram samples a timer of this period: often
// enough to see a stall, without the 1,000 wakes a second of a 1 ms period.
// It records each period in full, so the delay is what exceeds it.
const LOOP_DELAY_RESOLUTION_MS = 10;

function loopDelayMs(nanoseconds) {
  return round(Math.max(0, nanoseconds / 1e6 - LOOP_DELAY_RESOLUTION_MS));
}

/** Reads the runs started inside [from, until) and summarises started_at − scheduled_for. */
async function engineLateness(store, from, until) {
  const { items } = await store.listRuns({ since: new Date(from), until: new Date(until), limit: 1_000_000 });
  const samples = items.map((run) => run.started_at.getTime() - run.scheduled_for.getTime());
  const statuses = {};
  for (const run of items) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
  return { lateness_ms: summarize(samples), statuses, catch_up_runs: items.filter((run) => run.catch_up).length };
}

async function measureWorkload(target, workload) {
  const { level, logger } = benchLogger();
  const intervalMs = workload.intervalSeconds * 1_000;
  const setupStarted = Date.now();
  const firstPlannedAt = setupStarted + params.lead_ms + Math.ceil(workload.schedules * params.lead_ms_per_schedule);
  const seeded = await createIntervalSchedules({
    targetUrl: target.url,
    schedules: workload.schedules,
    intervalSeconds: workload.intervalSeconds,
    firstPlannedAt,
    spreadMs: intervalMs,
  });
  const engine = new Engine({ store: seeded.store, clock: systemClock, logger, instanceId: 'bench-precision', ...params.engine, executor: { ...params.engine.executor, addressPolicy: ALLOW_PRIVATE_POLICY } });

  try {
    await engine.start();
    const setupEndedAt = Date.now();
    const startAt = Math.max(firstPlannedAt, setupEndedAt) + params.warmup_ms;
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    let cpu = null;
    const windowStarts = setTimeout(() => {
      loopDelay.enable();
      cpu = measureCpu();
    }, startAt - Date.now());
    const window = await measureLatenessWindow(target, workload, { startAt, measureMs: workload.measureMs });
    clearTimeout(windowStarts);
    loopDelay.disable();
    const used = cpu?.stop() ?? null;
    const windowEnd = startAt + window.window_late_start_ms + window.window_ms;
    await engine.stop(5_000);

    const engineSide = await engineLateness(seeded.store, startAt, windowEnd);
    return {
      schedules: workload.schedules,
      interval_seconds: workload.intervalSeconds,
      fires_per_s: round(workload.schedules / workload.intervalSeconds),
      log_level: level,
      setup_ms: setupEndedAt - setupStarted,
      setup_overran: setupEndedAt > firstPlannedAt,
      target: window,
      engine: engineSide,
      event_loop_delay_ms: {
        p50: loopDelayMs(loopDelay.percentile(50)),
        p99: loopDelayMs(loopDelay.percentile(99)),
        max: loopDelayMs(loopDelay.max),
      },
      cpu_percent: used === null ? null : {
        process: round((used.process_ms / window.window_ms) * 100),
        main_thread: used.main_thread_ms === null ? null : round((used.main_thread_ms / window.window_ms) * 100),
      },
    };
  } finally {
    await engine.stop(0);
    await seeded.close();
  }
}

const target = await startTarget();
const results = [];
try {
  for (const workload of workloads) {
    globalThis.gc?.();
    results.push(await measureWorkload(target, workload));
  }
} finally {
  await target.stop();
}

const describe = (result) =>
  `${result.schedules.toLocaleString('en-US')} schedules (${result.fires_per_s}/s) p50 ${result.target.lateness_ms.p50} p99 ${result.target.lateness_ms.p99} max ${result.target.lateness_ms.max} ms` +
  ` (engine p50 ${result.engine.lateness_ms.p50} p99 ${result.engine.lateness_ms.p99} max ${result.engine.lateness_ms.max})`;
report(`lateness at the target: ${results.map(describe).join('; ')}, log level ${results[0].log_level}`, {
  params,
  workloads,
  request: TARGET_REQUEST,
  results,
});
