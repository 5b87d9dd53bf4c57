// Peer: in-process timers with no persistence, the floor for lateness and
// the ceiling for throughput on this machine. Each schedule is a chain of
// timers in this process. Each fire sends TARGET_REQUEST to the load target
// with undici and arms the next fire at planned + interval, so the grid does
// not drift. Two timer kinds are measured:
//
//   croner      one `new Cron(date, { allowPast: true }, fire)` per planned
//               instant (croner 11.0.1). A cron pattern cannot place a fire
//               at a millisecond offset, and the workloads spread schedules
//               over their interval by milliseconds, so each fire is a
//               one-shot croner job for that exact Date. Without allowPast,
//               croner drops a one-shot Date more than 1 s past instead of
//               firing it late, which would hide lateness.
//   setTimeout  one Node.js timer per planned instant, re-armed for the rest
//               when it wakes before the planned instant.
//
// Both measure throughput (TARGET_CONCURRENCY requests in flight through one
// undici Agent) and lateness for the workloads of bench/lib/workloads.mjs,
// the ones the throughput and precision benchmarks give API Scheduler.
// --quick runs the croner kind on the first quick precision workload only,
// to stay near 25 s.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { Cron } from 'croner';

import { trackGcPauses } from '../lib/gc-pauses.mjs';
import { measureLatenessWindow, sleepUntil } from '../lib/lateness-window.mjs';
import { findChildPid, measureProcessCpu } from '../lib/process-cpu.mjs';
import { PeerRequester } from '../lib/peer-request.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import {
  TARGET_CONCURRENCY,
  TARGET_REQUEST,
  plannedOffsetMs,
  precisionTiming,
  precisionWorkloads,
  throughputWorkload,
} from '../lib/workloads.mjs';

// croner 11.0.1 allocates a 10,000-entry year array for every Cron instance:
// about 83 KB each, measured with heapUsed on Node.js 20. 100,000 live
// instances would need about 8 GB, twice Node's default heap limit on this
// 24 GB machine, so the croner timer kind stops at this many schedules.
const CRONER_MAX_SCHEDULES = 10_000;

// Estimated time to arm one timer, used only to place the first planned
// instant after setup. Measured per Cron instance: 0.17 to 0.25 ms on a
// quiet machine, up to 0.76 ms for 20,000 while other work loaded it. A
// setup that overruns is reported as setup_overran.
const ARM_ESTIMATE_MS = { croner: 0.5, setTimeout: 0.01 };

const cronerVersion = JSON.parse(readFileSync(new URL('../node_modules/croner/package.json', import.meta.url), 'utf8')).version;

const TIMER_KINDS = {
  croner(plannedMs, fire) {
    const job = new Cron(new Date(plannedMs), { allowPast: true }, fire);
    return () => job.stop();
  },
  setTimeout(plannedMs, fire) {
    let handle;
    const check = () => {
      const remaining = plannedMs - Date.now();
      if (remaining > 0) {
        handle = setTimeout(check, remaining);
      } else {
        fire();
      }
    };
    handle = setTimeout(check, Math.max(0, plannedMs - Date.now()));
    return () => clearTimeout(handle);
  },
};

async function measureThroughput(target, kind) {
  const { jobs, leadMs, timeoutMs } = throughputWorkload(isQuick);
  const arm = TIMER_KINDS[kind];
  const requester = new PeerRequester(target.url);
  await target.reset();

  const setupStarted = Date.now();
  const plannedMs = setupStarted + leadMs + Math.ceil(jobs * ARM_ESTIMATE_MS[kind]);
  const cancels = [];
  for (let index = 0; index < jobs; index += 1) {
    cancels.push(arm(plannedMs, () => void requester.send(plannedMs)));
  }
  const setupMs = Date.now() - setupStarted;

  const deadline = plannedMs + timeoutMs;
  await sleepUntil(plannedMs);
  const gc = trackGcPauses();
  const processCpuStart = process.cpuUsage();
  const targetCpu = measureProcessCpu(findChildPid('target-server.mjs'));
  while (requester.completed + requester.failed < jobs && Date.now() < deadline) {
    await sleep(20);
  }
  const gcPauses = gc.stop();
  const processCpu = process.cpuUsage(processCpuStart);
  const targetCpuPercent = targetCpu.stop();
  cancels.forEach((cancel) => cancel());
  await requester.close();

  const stats = await target.stats();
  const elapsedMs = requester.lastCompletedAt - plannedMs;
  return {
    timer: kind,
    jobs,
    completed: requester.completed,
    failed: requester.failed,
    first_error: requester.firstError,
    setup_ms: setupMs,
    setup_overran: setupStarted + setupMs > plannedMs,
    last_completed_after_planned_ms: elapsedMs,
    jobs_per_s: Math.round((requester.completed / elapsedMs) * 1_000),
    arrival_lateness_ms: summarize(stats.lateness_ms),
    // Shares of one core from the planned instant to the last completion: this process and the load target.
    process_cpu_percent: round(((processCpu.user + processCpu.system) / 1_000 / elapsedMs) * 100),
    target_cpu_percent: targetCpuPercent,
    gc_pauses_ms: gcPauses,
  };
}

async function measurePrecision(target, kind, workload) {
  const { leadMs, warmupMs } = precisionTiming(isQuick);
  const intervalMs = workload.intervalSeconds * 1_000;
  const arm = TIMER_KINDS[kind];
  const requester = new PeerRequester(target.url);
  const cancels = new Array(workload.schedules);
  let running = true;

  const armSchedule = (index, plannedMs) => {
    cancels[index] = arm(plannedMs, () => {
      if (!running) return;
      void requester.send(plannedMs);
      armSchedule(index, plannedMs + intervalMs);
    });
  };

  const setupStarted = Date.now();
  const baseMs = setupStarted + leadMs + Math.ceil(workload.schedules * ARM_ESTIMATE_MS[kind]);
  for (let index = 0; index < workload.schedules; index += 1) {
    armSchedule(index, baseMs + plannedOffsetMs(index, workload.schedules, intervalMs));
  }
  const setupEnded = Date.now();

  const startAt = Math.max(baseMs, setupEnded) + warmupMs;
  await sleepUntil(startAt);
  const gc = trackGcPauses();
  const window = await measureLatenessWindow(target, workload, { startAt, measureMs: workload.measureMs });
  const gcPauses = gc.stop();

  running = false;
  cancels.forEach((cancel) => cancel());
  await requester.close();
  return {
    timer: kind,
    ...workload,
    fires_per_s: round(workload.schedules / workload.intervalSeconds),
    setup_ms: setupEnded - setupStarted,
    setup_overran: setupEnded > baseMs,
    failed: requester.failed,
    first_error: requester.firstError,
    ...window,
    gc_pauses_ms: gcPauses,
  };
}

// The 1-minute load average before and after, because other work on the machine disturbs every number here.
const loadBefore = loadavg()[0];
const target = await startTarget();
const throughput = [];
const precision = [];
const skipped = [];
try {
  for (const kind of Object.keys(TIMER_KINDS)) {
    globalThis.gc?.();
    throughput.push(await measureThroughput(target, kind));
  }
  const workloads = isQuick ? precisionWorkloads(true).slice(0, 1) : precisionWorkloads(false);
  const precisionKinds = isQuick ? ['croner'] : Object.keys(TIMER_KINDS);
  for (const workload of workloads) {
    for (const kind of precisionKinds) {
      if (kind === 'croner' && workload.schedules > CRONER_MAX_SCHEDULES) {
        skipped.push({ timer: kind, schedules: workload.schedules, reason: 'about 83 KB per croner instance exceeds the heap' });
        continue;
      }
      globalThis.gc?.();
      precision.push(await measurePrecision(target, kind, workload));
    }
  }
} finally {
  await target.stop();
}

const byKind = (kind) => throughput.find((entry) => entry.timer === kind);
const latenessText = precision
  .filter((entry) => entry.timer === 'croner' || entry.schedules > CRONER_MAX_SCHEDULES)
  .map((entry) => `${entry.schedules} (${entry.timer}) p50 ${entry.lateness_ms.p50} p99 ${entry.lateness_ms.p99} max ${entry.lateness_ms.max} ms`)
  .join('; ');
report(
  `croner ${byKind('croner').jobs} due together: ${byKind('croner').jobs_per_s} jobs/s (setTimeout ${byKind('setTimeout').jobs_per_s}); lateness ${latenessText}`,
  {
    peer: 'croner',
    croner_version: cronerVersion,
    load_average_1m: { before: loadBefore, after: loadavg()[0] },
    target_concurrency: TARGET_CONCURRENCY,
    request: TARGET_REQUEST,
    timing: precisionTiming(isQuick),
    throughput,
    precision,
    skipped,
  },
);
