// A load target for the benchmarks, run as its own process so it does not
// share an event loop with the scheduler under test. It answers every
// request with 200 and a short body, and records for each request how late
// it arrived: receive time minus the planned instant, read from the
// Idempotency-Key (SCHEDULE_ID:PLANNED_UNIX_MS, sent by API Scheduler) or
// from an X-Planned-At header (Unix ms, sent by the peers).
//
// Control endpoints: GET /__stats returns {requests, lateness_ms: [...]} and
// POST /__reset clears them. Started as `node target-server.mjs`, it prints
// "listening PORT" once ready.
//
// Started with --record-keys, it also counts each Idempotency-Key it
// receives, so a benchmark can find duplicate and missing fires. GET
// /__keys returns {KEY: count, ...} and POST /__keys/reset clears the
// counts; /__reset leaves them alone, because a lateness window is shorter
// than the run whose slots are checked.
import { createServer } from 'node:http';

const recordKeys = process.argv.includes('--record-keys');
let requests = 0;
let lateness = [];
let keyCounts = new Map();

function plannedAt(headers) {
  const explicit = headers['x-planned-at'];
  if (explicit !== undefined) return Number(explicit);
  const key = headers['idempotency-key'];
  if (key === undefined) return null;
  return Number(String(key).slice(String(key).lastIndexOf(':') + 1));
}

const server = createServer((request, response) => {
  const now = performance.timeOrigin + performance.now();
  if (request.url === '/__stats') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ requests, lateness_ms: lateness }));
    return;
  }
  if (request.url === '/__reset') {
    requests = 0;
    lateness = [];
    response.end('reset');
    return;
  }

  if (recordKeys && request.url.startsWith('/__keys')) {
    if (request.method === 'POST') keyCounts = new Map();
    response.setHeader('content-type', 'application/json');
    response.end(request.method === 'POST' ? '{}' : JSON.stringify(Object.fromEntries(keyCounts)));
    return;
  }

  requests += 1;
  if (recordKeys) {
    const key = request.headers['idempotency-key'];
    if (key !== undefined) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  }
  const planned = plannedAt(request.headers);
  if (planned !== null && Number.isFinite(planned)) lateness.push(now - planned);
  request.resume();
  request.on('end', () => response.end('ok'));
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
