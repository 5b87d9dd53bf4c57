// API latency while the engine fires at a high sustained rate. Starts the
// built server on a fresh libSQL file, creates one target (the load target)
// and SCHEDULES interval schedules through REST, spread evenly over their
// interval. Their start_time lies on a grid anchored one interval before
// setup began, so each schedule fires from its first slot after its creation
// and the firing rate ramps up while they are created. After a warm-up it
// measures two phases, each with the firing rate and lateness that the load
// target saw and the CPU use of each process:
//
//   1 client    one request at a time, for the service time under firing
//   8 clients   closed loop: each client sends its next request as soon as
//               the previous response arrived
//
// Each client alternates between
//
//   GET /schedules/?limit=50   walking every page through X-Next-Cursor,
//                              then starting over at the first page
//   GET /runs/?limit=50        the newest runs
//
// The default, 1,000 schedules at 1 s, is a rate that the server sustained
// with the 8 clients running on the 2-core benchmark VM. At 2,000 schedules
// it sustained 2,000 fires/s beside 1 client but fired about 1,440/s beside
// 8, because the API requests and the engine share one event loop.
//
// Options, for profiling and for finding the sustainable rate on another
// machine (run the file directly): --schedules N and --interval-seconds S
// set the load. --cpu-prof-dir DIR runs the server with node --cpu-prof,
// which writes its profiles to DIR when it exits.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { Agent, request } from 'undici';

import { sleepUntil } from '../lib/lateness-window.mjs';
import { findChildPid, measureProcessCpu } from '../lib/process-cpu.mjs';
import { isQuick, report } from '../lib/report.mjs';
import { startServer } from '../lib/server-process.mjs';
import { round, summarize } from '../lib/stats.mjs';
import { startTarget } from '../lib/target.mjs';
import { TARGET_REQUEST, plannedOffsetMs } from '../lib/workloads.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    schedules: { type: 'string', default: '1000' },
    'interval-seconds': { type: 'string', default: '1' },
    'cpu-prof-dir': { type: 'string' },
  },
});

const SCHEDULES = Number(options.schedules);
const INTERVAL_SECONDS = Number(options['interval-seconds']);
const CLIENTS = 8;
const PAGE_LIMIT = 50;
const MEASURE_MS = isQuick ? 8_000 : 20_000;
// A first phase with a single client, which shows the service time of each
// request while the engine fires, without 7 other requests queued in front.
const SINGLE_CLIENT_MS = isQuick ? 4_000 : 10_000;
// Time between the end of setup and the start of the measurement, so every
// schedule has fired and the engine has settled into the interval.
const WARMUP_MS = isQuick ? 2_000 : 4_000;
// Schedules created concurrently through REST during setup.
const CREATE_CONCURRENCY = 8;

if (!Number.isInteger(SCHEDULES) || SCHEDULES < 1) throw new Error(`Invalid --schedules ${options.schedules}: expected a positive whole number`);
if (!Number.isInteger(INTERVAL_SECONDS) || INTERVAL_SECONDS < 1) {
  throw new Error(`Invalid --interval-seconds ${options['interval-seconds']}: expected a positive whole number of seconds`);
}

// A firing rate below this share of the planned rate means the engine did not sustain it.
const SUSTAINED_SHARE = 0.95;

const agent = new Agent({ connections: CLIENTS + CREATE_CONCURRENCY, keepAliveTimeout: 60_000 });

/** Sends one API request and returns its status, headers, parsed JSON body and latency in ms. */
async function callApi(baseUrl, method, path, body) {
  const started = performance.now();
  const response = await request(new URL(path, baseUrl), {
    dispatcher: agent,
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  const latencyMs = performance.now() - started;
  if (response.statusCode >= 400) throw new Error(`${method} ${path} failed with HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  return { status: response.statusCode, headers: response.headers, json: JSON.parse(text), latencyMs };
}

async function createSchedules(baseUrl, targetId, anchorMs) {
  const intervalMs = INTERVAL_SECONDS * 1_000;
  let next = 0;
  const createNext = async () => {
    while (next < SCHEDULES) {
      const index = next;
      next += 1;
      const startTime = new Date(anchorMs + plannedOffsetMs(index, SCHEDULES, intervalMs)).toISOString();
      await callApi(baseUrl, 'POST', '/schedules/', {
        target_id: targetId,
        name: `load-${index}`,
        schedule_type: 'INTERVAL',
        schedule_config: { interval_seconds: INTERVAL_SECONDS, start_time: startTime },
      });
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, createNext));
}

/** Runs `clients` closed-loop clients until `endAt` and returns the latencies per endpoint. */
async function runClients(baseUrl, clients, endAt) {
  const latencies = { schedules: [], runs: [] };
  const counts = { schedulesPagesWalked: 0, schedulesWalksCompleted: 0, runsRows: 0, errors: 0, firstError: null };

  const client = async (clientIndex) => {
    let cursor = null;
    // Clients start on different endpoints so both are always in the mix.
    for (let step = clientIndex; Date.now() < endAt; step += 1) {
      try {
        if (step % 2 === 0) {
          const path = `/schedules/?limit=${PAGE_LIMIT}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
          const page = await callApi(baseUrl, 'GET', path);
          latencies.schedules.push(page.latencyMs);
          counts.schedulesPagesWalked += 1;
          cursor = page.headers['x-next-cursor'] ?? null;
          if (cursor === null) counts.schedulesWalksCompleted += 1;
        } else {
          const page = await callApi(baseUrl, 'GET', `/runs/?limit=${PAGE_LIMIT}`);
          latencies.runs.push(page.latencyMs);
          counts.runsRows += page.json.length;
        }
      } catch (error) {
        counts.errors += 1;
        counts.firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  return { latencies, counts };
}

/**
 * Measures one phase: `clients` closed-loop clients for `durationMs`, with
 * the firing rate and lateness at the load target and the CPU use of each
 * process over the same window.
 */
async function measurePhase(server, target, clients, durationMs) {
  await target.reset();
  const started = Date.now();
  const serverCpu = measureProcessCpu(server.pid);
  const targetCpu = measureProcessCpu(findChildPid('target-server.mjs'));
  const clientCpuStart = process.cpuUsage();

  const { latencies, counts } = await runClients(server.url, clients, started + durationMs);

  const serverCpuPercent = serverCpu.stop();
  const targetCpuPercent = targetCpu.stop();
  const clientCpu = process.cpuUsage(clientCpuStart);
  const stats = await target.stats();
  const windowMs = Date.now() - started;

  const schedulesSummary = summarize(latencies.schedules);
  const runsSummary = summarize(latencies.runs);
  const firesPerS = Math.round((stats.requests / windowMs) * 1_000);
  return {
    clients,
    measure_ms: windowMs,
    get_schedules: { ...schedulesSummary, per_s: round((schedulesSummary.count / windowMs) * 1_000) },
    get_runs: { ...runsSummary, per_s: round((runsSummary.count / windowMs) * 1_000) },
    fires_per_s: firesPerS,
    sustained: firesPerS >= (SCHEDULES / INTERVAL_SECONDS) * SUSTAINED_SHARE,
    fire_lateness_ms: summarize(stats.lateness_ms),
    // Shares of one core during the window: the server (engine and API), the load target, and this client.
    server_cpu_percent: serverCpuPercent,
    target_cpu_percent: targetCpuPercent,
    client_cpu_percent: round(((clientCpu.user + clientCpu.system) / 1_000 / windowMs) * 100),
    schedules_pages_walked: counts.schedulesPagesWalked,
    schedules_walks_completed: counts.schedulesWalksCompleted,
    runs_rows_per_page: round(counts.runsRows / Math.max(1, runsSummary.count)),
    api_errors: counts.errors,
    first_api_error: counts.firstError,
  };
}

// Exit through process.exit on a signal, so that startServer's exit hook kills the server.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));

const nodeArgs = options['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options['cpu-prof-dir']}`];
// The 1-minute load average before and after, because other work on the machine disturbs every number here.
const loadBefore = loadavg()[0];
const target = await startTarget();
const server = await startServer({ nodeArgs, env: { SCHEDULER_SHUTDOWN_GRACE_MS: '5000' } });
let result;
try {
  const created = await callApi(server.url, 'POST', '/targets/', {
    name: 'load target',
    url: new URL(TARGET_REQUEST.path, target.url).toString(),
    method: TARGET_REQUEST.method,
    headers: TARGET_REQUEST.headers,
    body_template: TARGET_REQUEST.body,
    timeout_ms: TARGET_REQUEST.timeoutMs,
  });

  const setupStarted = Date.now();
  await createSchedules(server.url, created.json.id, setupStarted - INTERVAL_SECONDS * 1_000);
  const setupEnded = Date.now();

  await sleepUntil(setupEnded + WARMUP_MS);
  const single = await measurePhase(server, target, 1, SINGLE_CLIENT_MS);
  const loaded = await measurePhase(server, target, CLIENTS, MEASURE_MS);

  result = {
    schedules: SCHEDULES,
    interval_seconds: INTERVAL_SECONDS,
    planned_fires_per_s: round(SCHEDULES / INTERVAL_SECONDS),
    page_limit: PAGE_LIMIT,
    warmup_ms: WARMUP_MS,
    setup_ms: setupEnded - setupStarted,
    creates_per_s: round((SCHEDULES / (setupEnded - setupStarted)) * 1_000),
    single_client: single,
    closed_loop: loaded,
    cpu_prof_dir: options['cpu-prof-dir'] ?? null,
    load_average_1m: { before: loadBefore, after: loadavg()[0] },
  };
} finally {
  await agent.close();
  const exit = await server.stop();
  await target.stop();
  if (result !== undefined) {
    result.server_exit = exit;
    result.server_logs = { lines: server.logs.lines, problems: server.logs.problems };
  }
}

const { closed_loop: loaded, single_client: single } = result;
report(
  `${CLIENTS} clients: GET /schedules/ p50 ${loaded.get_schedules.p50} p99 ${loaded.get_schedules.p99} ms, GET /runs/ p50 ${loaded.get_runs.p50} p99 ${loaded.get_runs.p99} ms, ` +
    `firing ${loaded.fires_per_s}/s of ${result.planned_fires_per_s}/s planned (${SCHEDULES} schedules at ${INTERVAL_SECONDS} s); ` +
    `1 client: p50 ${single.get_schedules.p50} / ${single.get_runs.p50} ms, firing ${single.fires_per_s}/s`,
  result,
);
