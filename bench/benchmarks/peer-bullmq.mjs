// Peer: BullMQ job schedulers on the local Redis (127.0.0.1:6379), measured
// as API Scheduler is. Each schedule is one job scheduler,
// `queue.upsertJobScheduler(id, { every, startDate }, { name, data })`. One
// Worker with concurrency TARGET_CONCURRENCY runs every job by sending
// TARGET_REQUEST to the load target with undici.
//
// The planned instant of a job comes from its id. BullMQ 6.7 names every job
// of a scheduler "repeat:SCHEDULER_ID:NEXT_MILLIS", where NEXT_MILLIS is the
// slot its Lua scripts computed (startDate for the first job, then previous
// slot + every). The same scripts store the job's `timestamp` (when the job
// was added) and `opts.delay` = NEXT_MILLIS − timestamp, clamped to 0 for a
// slot already past. `job.delay` is no help: promoting a delayed job resets
// it to 0. The processor sends X-Planned-At from the id and counts the jobs
// where timestamp + opts.delay disagrees with it.
//
// The workloads are those of bench/lib/workloads.mjs, the ones the
// throughput and precision benchmarks give API Scheduler. --quick runs the
// first quick precision workload only, to stay near 25 s. Each measurement
// uses a fresh queue and obliterates it at the end. The benchmark never
// writes other keys of the Redis.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

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

const REDIS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
const bullmqVersion = JSON.parse(readFileSync(new URL('../node_modules/bullmq/package.json', import.meta.url), 'utf8')).version;

// upsertJobScheduler calls in flight while the schedules are created.
const CREATE_CONCURRENCY = 256;
// Estimated time to create one job scheduler, used only to place the first
// planned instant after setup. Measured: 0.11 to 0.17 ms each with 256 in flight.
const CREATE_ESTIMATE_MS = 0.15;

const JOB_ID_PATTERN = /^repeat:.+:(\d+)$/;

/** Returns the slot BullMQ planned the job for, read from its id, and whether timestamp + opts.delay agrees. */
function plannedInstantOf(job) {
  const match = JOB_ID_PATTERN.exec(job.id ?? '');
  if (match === null) throw new Error(`Job ${job.id} has no slot in its id; expected repeat:SCHEDULER_ID:MILLIS`);
  const plannedMs = Number(match[1]);
  return { plannedMs, agrees: job.timestamp + (job.opts.delay ?? 0) === plannedMs };
}

/**
 * Reads the Redis version and its `hz` setting. A Worker waiting for a
 * delayed job blocks in BZPOPMIN with a timeout. An idle Redis 7.0 sees that
 * timeout expire only when its periodic task runs, hz times a second, so hz
 * bounds how soon a job starts after its planned instant. Measured with this
 * benchmark: median lateness 38 to 48 ms at hz 10, 6 to 7 ms at hz 100.
 */
async function readRedisSettings() {
  const client = new Redis(REDIS);
  try {
    const [, hz] = await client.config('GET', 'hz');
    const info = await client.info('server');
    return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? null, hz: Number(hz) };
  } finally {
    await client.quit();
  }
}

/** Returns the CPU time the Redis server has used so far (user + system), in ms. */
async function readRedisCpuMs() {
  const client = new Redis(REDIS);
  try {
    const info = await client.info('cpu');
    const seconds = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1_000;
  } finally {
    await client.quit();
  }
}

/** Creates a fresh queue, its worker and the request sender of one measurement. */
async function openQueue(target, label) {
  const name = `bench-peer-bullmq-${process.pid}-${Date.now().toString(36)}-${label}`;
  const queue = new Queue(name, { connection: REDIS });
  const requester = new PeerRequester(target.url);
  const counts = { completed: 0, failed: 0, lastCompletedAt: 0, plannedMismatches: 0, workerErrors: 0, firstWorkerError: null };

  const worker = new Worker(
    name,
    async (job) => {
      const { plannedMs, agrees } = plannedInstantOf(job);
      if (!agrees) counts.plannedMismatches += 1;
      await requester.send(plannedMs);
    },
    { connection: REDIS, concurrency: TARGET_CONCURRENCY },
  );
  worker.on('completed', () => {
    counts.completed += 1;
    counts.lastCompletedAt = Date.now();
  });
  worker.on('failed', () => {
    counts.failed += 1;
  });
  worker.on('error', (error) => {
    counts.workerErrors += 1;
    counts.firstWorkerError ??= String(error);
  });
  await worker.waitUntilReady();
  await queue.waitUntilReady();

  return {
    name,
    queue,
    requester,
    counts,
    async close() {
      await worker.close();
      await requester.close();
      const started = Date.now();
      await queue.obliterate({ force: true });
      const obliterateMs = Date.now() - started;
      await queue.close();
      return obliterateMs;
    },
  };
}

/** Calls upsertJobScheduler for schedules 0..count-1 with CREATE_CONCURRENCY calls in flight. */
async function createSchedulers(queue, count, repeatOf) {
  let next = 0;
  const createNext = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await queue.upsertJobScheduler(`schedule-${index}`, repeatOf(index), { name: 'fire', data: { index } });
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, createNext));
}

async function measureThroughput(target) {
  const { jobs, intervalSeconds, leadMs, timeoutMs } = throughputWorkload(isQuick);
  const bench = await openQueue(target, 'throughput');
  try {
    await target.reset();
    const setupStarted = Date.now();
    const plannedMs = setupStarted + leadMs + Math.ceil(jobs * CREATE_ESTIMATE_MS);
    await createSchedulers(bench.queue, jobs, () => ({ every: intervalSeconds * 1_000, startDate: plannedMs }));
    const setupMs = Date.now() - setupStarted;

    const deadline = plannedMs + timeoutMs;
    const redisCpuStartMs = await readRedisCpuMs();
    await sleepUntil(plannedMs);
    const processCpuStart = process.cpuUsage();
    const targetCpu = measureProcessCpu(findChildPid('target-server.mjs'));
    while (bench.counts.completed + bench.counts.failed < jobs && Date.now() < deadline) {
      await sleep(20);
    }
    const processCpu = process.cpuUsage(processCpuStart);
    const targetCpuPercent = targetCpu.stop();
    const redisCpuMs = (await readRedisCpuMs()) - redisCpuStartMs;

    const stats = await target.stats();
    const elapsedMs = bench.counts.lastCompletedAt - plannedMs;
    const busyPercent = (cpuMs) => round((cpuMs / elapsedMs) * 100);
    const result = {
      jobs,
      completed: bench.counts.completed,
      failed: bench.counts.failed,
      request_failures: bench.requester.failed,
      first_error: bench.requester.firstError ?? bench.counts.firstWorkerError,
      planned_mismatches: bench.counts.plannedMismatches,
      setup_ms: setupMs,
      setup_overran: setupStarted + setupMs > plannedMs,
      last_completed_after_planned_ms: elapsedMs,
      jobs_per_s: Math.round((bench.counts.completed / elapsedMs) * 1_000),
      arrival_lateness_ms: summarize(stats.lateness_ms),
      // Shares of one core while the jobs ran: this process (worker and undici), the Redis server and the load target.
      worker_process_cpu_percent: busyPercent((processCpu.user + processCpu.system) / 1_000),
      redis_cpu_percent: busyPercent(redisCpuMs),
      target_cpu_percent: targetCpuPercent,
    };
    result.obliterate_ms = await bench.close();
    return result;
  } catch (error) {
    await bench.close();
    throw error;
  }
}

async function measurePrecision(target, workload) {
  const { leadMs, warmupMs } = precisionTiming(isQuick);
  const intervalMs = workload.intervalSeconds * 1_000;
  const bench = await openQueue(target, `precision-${workload.schedules}`);
  try {
    const setupStarted = Date.now();
    const baseMs = setupStarted + leadMs + Math.ceil(workload.schedules * CREATE_ESTIMATE_MS);
    await createSchedulers(bench.queue, workload.schedules, (index) => ({
      every: intervalMs,
      startDate: baseMs + plannedOffsetMs(index, workload.schedules, intervalMs),
    }));
    const setupEnded = Date.now();

    const startAt = Math.max(baseMs, setupEnded) + warmupMs;
    await sleepUntil(startAt);
    const gc = trackGcPauses();
    const window = await measureLatenessWindow(target, workload, { startAt, measureMs: workload.measureMs });
    const gcPauses = gc.stop();
    const result = {
      ...workload,
      fires_per_s: round(workload.schedules / workload.intervalSeconds),
      setup_ms: setupEnded - setupStarted,
      setup_overran: setupEnded > baseMs,
      jobs_completed: bench.counts.completed,
      jobs_failed: bench.counts.failed,
      request_failures: bench.requester.failed,
      first_error: bench.requester.firstError ?? bench.counts.firstWorkerError,
      planned_mismatches: bench.counts.plannedMismatches,
      ...window,
      gc_pauses_ms: gcPauses,
    };
    result.obliterate_ms = await bench.close();
    return result;
  } catch (error) {
    await bench.close();
    throw error;
  }
}

// The 1-minute load average before and after, because other work on the machine disturbs every number here.
const loadBefore = loadavg()[0];
const redisSettings = await readRedisSettings();
const target = await startTarget();
let throughput;
const precision = [];
try {
  throughput = await measureThroughput(target);
  const workloads = isQuick ? precisionWorkloads(true).slice(0, 1) : precisionWorkloads(false);
  for (const workload of workloads) {
    globalThis.gc?.();
    precision.push(await measurePrecision(target, workload));
  }
} finally {
  await target.stop();
}

const latenessText = precision
  .map((entry) => `${entry.schedules} p50 ${entry.lateness_ms.p50} p99 ${entry.lateness_ms.p99} max ${entry.lateness_ms.max} ms`)
  .join('; ');
report(`BullMQ ${throughput.jobs} due together: ${throughput.jobs_per_s} jobs/s; lateness ${latenessText} (Redis hz ${redisSettings.hz})`, {
  peer: 'bullmq',
  bullmq_version: bullmqVersion,
  load_average_1m: { before: loadBefore, after: loadavg()[0] },
  redis: { address: `${REDIS.host}:${REDIS.port}`, ...redisSettings },
  worker_concurrency: TARGET_CONCURRENCY,
  create_concurrency: CREATE_CONCURRENCY,
  request: TARGET_REQUEST,
  timing: precisionTiming(isQuick),
  throughput,
  precision,
});
