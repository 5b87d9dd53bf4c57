import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';
import type { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/server-process.js';
import { parseOpenMetrics } from './support/openmetrics-text.js';
import { parsePrometheusText } from './support/prometheus-text.js';
import type { MetricFamily } from './support/prometheus-text.js';

// An Accept header that requests the text format only, and one that prefers OpenMetrics as Prometheus does by default.
const PROMETHEUS_TEXT_ACCEPT = 'text/plain;version=0.0.4';
const PROMETHEUS_DEFAULT_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const { target, startServer } = useEndToEnd();

async function scrape(server: ServerProcess, accept = PROMETHEUS_TEXT_ACCEPT): Promise<{ contentType: string; text: string }> {
  const response = await fetch(`${server.url}/metrics`, { headers: { accept } });
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

async function scrapeFamilies(server: ServerProcess): Promise<Map<string, MetricFamily>> {
  const { contentType, text } = await scrape(server);
  expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(text);
}

function family(families: Map<string, MetricFamily>, name: string): MetricFamily {
  const found = families.get(name);
  if (found === undefined) throw new Error(`metric ${name} is missing; found ${[...families.keys()].join(', ')}`);
  return found;
}

function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}, sampleName = name): number {
  const match = family(families, name).samples.find(
    (sample) => sample.name === sampleName && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (match === undefined) throw new Error(`no sample ${sampleName} with labels ${JSON.stringify(labels)}`);
  return match.value;
}

async function createIntervalSchedule(server: ServerProcess, path: string, extra: Record<string, unknown> = {}): Promise<string> {
  const createdTarget = await server.request('POST', '/targets/', { url: `${target().url}${path}` });
  expect(createdTarget.status).toBe(201);
  const schedule = await server.request('POST', '/schedules/', {
    target_id: createdTarget.body.id,
    schedule_type: 'INTERVAL',
    schedule_config: { interval_seconds: 1, start_time: 'now' },
    ...extra,
  });
  expect(schedule.status).toBe(201);
  return schedule.body.id as string;
}

describe('GET /metrics in the Prometheus format', () => {
  it('exposes run, schedule, database and process metrics', async () => {
    target().on('/metrics-fail', (_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('failing on purpose');
    });
    const server = await startServer();
    const okId = await createIntervalSchedule(server, '/metrics-ok');
    const failId = await createIntervalSchedule(server, '/metrics-fail', {
      retry_policy: { max_retries: 1, initial_delay_ms: 50, max_delay_ms: 50, multiplier: 1, jitter: 'none', retry_non_idempotent_timeouts: false },
    });

    await waitFor(async () => (await server.runsOf(okId)).filter((run) => run.status === 'SUCCESS').length >= 2, 10_000, 'two successful runs');
    await waitFor(async () => (await server.runsOf(failId)).some((run) => run.attempt === 2 && run.status === 'FAILURE'), 10_000, 'a failed retry');
    const first = await scrapeFamilies(server);

    const expectedTypes: Record<string, string> = {
      api_scheduler_runs_total: 'counter',
      api_scheduler_run_duration_seconds: 'histogram',
      api_scheduler_fire_lateness_seconds: 'histogram',
      api_scheduler_retries_total: 'counter',
      api_scheduler_catch_up_fires_total: 'counter',
      api_scheduler_missed_fires_total: 'counter',
      api_scheduler_requests_in_flight: 'gauge',
      api_scheduler_requests_queued: 'gauge',
      api_scheduler_schedules: 'gauge',
      api_scheduler_database_up: 'gauge',
      api_scheduler_database_query_duration_seconds: 'histogram',
      api_scheduler_database_query_errors_total: 'counter',
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expectedTypes)) {
      expect(family(first, name).type, name).toBe(type);
      expect(family(first, name).help, name).not.toBe('');
    }

    const runLabelSets = family(first, 'api_scheduler_runs_total').samples.map((sample) => Object.keys(sample.labels).sort());
    for (const labelSet of runLabelSets) expect(labelSet).toEqual(['error_type', 'schedule_id', 'status']);
    const okRuns = sampleValue(first, 'api_scheduler_runs_total', { schedule_id: okId, status: 'SUCCESS', error_type: '' });
    expect(okRuns).toBeGreaterThanOrEqual(2);
    expect(sampleValue(first, 'api_scheduler_runs_total', { schedule_id: failId, status: 'FAILURE', error_type: 'HTTP_5XX' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(first, 'api_scheduler_retries_total', { schedule_id: failId })).toBeGreaterThanOrEqual(1);

    const durationBuckets = family(first, 'api_scheduler_run_duration_seconds').samples.filter((sample) => sample.name.endsWith('_bucket'));
    expect(durationBuckets.every((sample) => 'le' in sample.labels && 'status' in sample.labels)).toBe(true);
    expect(sampleValue(first, 'api_scheduler_run_duration_seconds', { status: 'SUCCESS', le: '+Inf' }, 'api_scheduler_run_duration_seconds_bucket')).toBeGreaterThanOrEqual(okRuns);
    expect(sampleValue(first, 'api_scheduler_fire_lateness_seconds', {}, 'api_scheduler_fire_lateness_seconds_count')).toBeGreaterThanOrEqual(3);

    expect(sampleValue(first, 'api_scheduler_schedules', { status: 'ACTIVE' })).toBe(2);
    expect(sampleValue(first, 'api_scheduler_schedules', { status: 'PAUSED' })).toBe(0);
    expect(sampleValue(first, 'api_scheduler_database_up')).toBe(1);
    expect(sampleValue(first, 'api_scheduler_database_query_duration_seconds', { operation: 'claimDueSchedules' }, 'api_scheduler_database_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(first, 'api_scheduler_database_query_duration_seconds', { operation: 'ping' }, 'api_scheduler_database_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(first, 'api_scheduler_requests_in_flight')).toBeGreaterThanOrEqual(0);

    await waitFor(async () => (await server.runsOf(okId)).filter((run) => run.status === 'SUCCESS').length > okRuns, 10_000, 'one more successful run');
    const second = await scrapeFamilies(server);
    expect(sampleValue(second, 'api_scheduler_runs_total', { schedule_id: okId, status: 'SUCCESS', error_type: '' })).toBeGreaterThan(okRuns);
  });

  it('keeps JSON as the default', async () => {
    const server = await startServer();

    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/plain, */*']) {
      const response = await fetch(`${server.url}/metrics`, { headers: accept === undefined ? {} : { accept } });
      expect(response.status, String(accept)).toBe(200);
      expect(response.headers.get('content-type'), String(accept)).toContain('application/json');
      const body = (await response.json()) as { database: { online: boolean } };
      expect(body.database.online, String(accept)).toBe(true);
    }
  });

  it('serves OpenMetrics to the default Prometheus Accept header', async () => {
    const server = await startServer();

    const openMetrics = await scrape(server, PROMETHEUS_DEFAULT_ACCEPT);
    expect(openMetrics.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(openMetrics.text.endsWith('# EOF\n')).toBe(true);
    expect(openMetrics.text).toContain('# TYPE api_scheduler_runs counter');

    // A text-format scrape after it keeps the counters' _total names.
    const text = parsePrometheusText((await scrape(server)).text);
    expect(family(text, 'api_scheduler_runs_total').type).toBe('counter');
    expect(family(text, 'process_cpu_user_seconds_total').type).toBe('counter');
  });

  it('passes a strict OpenMetrics parser', async () => {
    target().on('/openmetrics-fail', (_request, response) => {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('failing on purpose');
    });
    const server = await startServer();
    const okId = await createIntervalSchedule(server, '/openmetrics-ok');
    const failId = await createIntervalSchedule(server, '/openmetrics-fail', {
      retry_policy: { max_retries: 1, initial_delay_ms: 50, max_delay_ms: 50, multiplier: 1, jitter: 'none', retry_non_idempotent_timeouts: false },
    });
    await waitFor(async () => (await server.runsOf(okId)).some((run) => run.status === 'SUCCESS'), 10_000, 'a successful run');
    await waitFor(async () => (await server.runsOf(failId)).some((run) => run.attempt === 2 && run.status === 'FAILURE'), 10_000, 'a failed retry');

    const { contentType, text } = await scrape(server, 'application/openmetrics-text; version=1.0.0');
    expect(contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const families = parseOpenMetrics(text);

    const runs = families.get('api_scheduler_runs')!;
    expect(runs.type).toBe('counter');
    expect(runs.help).toContain('error_type ("" when none)');
    expect(runs.samples.every((sample) => sample.name === 'api_scheduler_runs_total')).toBe(true);
    expect(runs.samples.find((sample) => sample.labels.schedule_id === failId && sample.labels.error_type === 'HTTP_5XX')?.value).toBeGreaterThanOrEqual(2);
    expect(families.get('api_scheduler_retries')!.type).toBe('counter');
    expect(families.has('api_scheduler_runs_total')).toBe(false);

    const duration = families.get('api_scheduler_run_duration_seconds')!;
    expect(duration.type).toBe('histogram');
    expect(duration.unit).toBe('seconds');
    expect(duration.samples.filter((sample) => sample.name.endsWith('_bucket')).map((sample) => sample.labels.le)).toContain('1.0');
    expect(families.get('api_scheduler_database_query_duration_seconds')!.type).toBe('histogram');
    expect(families.get('process_cpu_seconds')!.type).toBe('counter');
    expect(families.get('api_scheduler_database_up')!.samples[0]!.value).toBe(1);

    // The text format lists the same families, with counters under their _total names.
    const textFamilies = parsePrometheusText((await scrape(server)).text);
    const expectedTextNames = [...families.values()].map((family) => (family.type === 'counter' ? `${family.name}_total` : family.name));
    expect([...textFamilies.keys()].sort()).toEqual(expectedTextNames.sort());
  });

  it('exposes no run metrics without an engine', async () => {
    const server = await startServer({ SCHEDULER_ROLE: 'api' });

    const families = await scrapeFamilies(server);
    expect(families.has('api_scheduler_runs_total')).toBe(false);
    expect(families.has('api_scheduler_requests_in_flight')).toBe(false);
    expect(sampleValue(families, 'api_scheduler_schedules', { status: 'ACTIVE' })).toBe(0);
    expect(family(families, 'process_cpu_user_seconds_total').type).toBe('counter');
  });

  it('serves the text format on a worker', async () => {
    const server = await startServer({ SCHEDULER_ROLE: 'worker' });

    const families = await scrapeFamilies(server);
    expect(family(families, 'api_scheduler_runs_total').type).toBe('counter');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  });

  it('requires a key once one exists', async () => {
    const server = await startServer();
    const key = await server.request('POST', '/keys/', { name: 'metrics', scope: 'read' });
    expect(key.status).toBe(201);

    const anonymous = await fetch(`${server.url}/metrics`, { headers: { accept: PROMETHEUS_TEXT_ACCEPT } });
    expect(anonymous.status).toBe(401);
    const authorized = await fetch(`${server.url}/metrics`, { headers: { accept: PROMETHEUS_TEXT_ACCEPT, authorization: `Bearer ${key.body.key}` } });
    expect(authorized.status).toBe(200);
  });
});
