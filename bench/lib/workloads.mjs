// Workload parameters shared by the API Scheduler benchmarks (throughput,
// precision) and the peer benchmarks (peer-bullmq, peer-croner), so that
// their numbers sit side by side. Every benchmark sends the same request to
// the load target of bench/lib/target.mjs, under the same concurrency cap,
// for the same schedule counts, intervals and measurement windows.

/**
 * Executor caps of API Scheduler: the defaults of SCHEDULER_MAX_CONCURRENCY
 * and SCHEDULER_MAX_PER_HOST in apps/server/src/env.ts. A benchmark that
 * builds the engine itself passes these as its executor options, because the
 * engine's own defaults (packages/engine DEFAULT_EXECUTOR_OPTIONS) are lower.
 */
export const EXECUTOR_LIMITS = { maxConcurrency: 256, maxPerHost: 64 };

/**
 * Requests in flight to the single load target origin. API Scheduler's
 * per-host cap binds first, so the peers use the same number: the BullMQ
 * Worker's concurrency, and the connection limit of the undici Agent that
 * croner's timers send through.
 */
export const TARGET_CONCURRENCY = Math.min(EXECUTOR_LIMITS.maxConcurrency, EXECUTOR_LIMITS.maxPerHost);

/**
 * The request every benchmark sends to the load target. API Scheduler sends
 * it from a target created with these fields. The peers send the same
 * method, path, headers and body, plus `X-Planned-At: UNIX_MS`.
 */
export const TARGET_REQUEST = {
  method: 'POST',
  path: '/fire',
  headers: { 'content-type': 'application/json' },
  body: '{"source":"bench"}',
  timeoutMs: 10_000,
};

/**
 * Throughput: `jobs` schedules (or jobs) all planned for the same instant,
 * each firing once in the benchmark (an interval of `intervalSeconds`). The
 * result is jobs / (time the last one completed − the planned instant). A
 * job completes when its response is read and its outcome recorded: an API
 * Scheduler run committed, a BullMQ job moved to completed, a croner
 * callback's request settled. The planned instant lies at least `leadMs`
 * after the end of setup. A run fails after `timeoutMs`.
 */
export function throughputWorkload(quick) {
  return { jobs: quick ? 5_000 : 20_000, intervalSeconds: 3_600, leadMs: 1_500, timeoutMs: 120_000 };
}

/**
 * Precision: `schedules` interval schedules of `intervalSeconds` each,
 * spread evenly over the interval (see `plannedOffsetMs`), so each size
 * fires schedules / intervalSeconds requests per second. Lateness is what
 * the load target records, receive time − planned instant, over `measureMs`.
 * Each window contains at least 2,000 fires.
 */
export function precisionWorkloads(quick) {
  if (quick) {
    return [
      { schedules: 1_000, intervalSeconds: 4, measureMs: 9_000 },
      { schedules: 10_000, intervalSeconds: 40, measureMs: 9_000 },
    ];
  }
  return [
    { schedules: 1_000, intervalSeconds: 10, measureMs: 25_000 },
    { schedules: 10_000, intervalSeconds: 60, measureMs: 15_000 },
    { schedules: 100_000, intervalSeconds: 300, measureMs: 10_000 },
  ];
}

/**
 * Timing around every precision window, in ms. The first planned instant
 * lies `leadMs` after the start of setup, plus the setup time a benchmark
 * expects. The window starts `warmupMs` after the first planned instant or
 * the end of setup, whichever is later.
 */
export function precisionTiming(quick) {
  return { leadMs: 1_500, warmupMs: quick ? 1_000 : 2_000 };
}

/**
 * Offset of schedule `index` (0-based) from the first planned instant, in
 * whole ms, so that `schedules` schedules fire evenly across one interval.
 * Schedule i is planned at first + plannedOffsetMs(i) + k · interval.
 */
export function plannedOffsetMs(index, schedules, intervalMs) {
  return Math.floor((index * intervalMs) / schedules);
}

/** Fires planned inside a window of `windowMs` once every schedule is running: the count the load target should see. */
export function expectedFires({ schedules, intervalSeconds }, windowMs) {
  return Math.round((schedules * windowMs) / (intervalSeconds * 1_000));
}
