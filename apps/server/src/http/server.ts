import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { resolve } from 'node:path';

import { MAX_BODY_BYTES, appRouter, describeErrorForLog, handleRestRequest, isReportedError, restAccessError } from '@api-scheduler/api';
import type { ApiContext, RequestInfo } from '@api-scheduler/api';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Logger } from 'pino';

import { metricsFormatOf } from '../metrics/exposition-format.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { readBody } from './read-body.js';
import { setSecurityHeaders } from './security-headers.js';
import { redirect, sendBody, sendJson } from './send.js';
import { serveStaticFile } from './static-files.js';

export interface HttpServerOptions {
  context: ApiContext;
  /** Folder of the built web UI (apps/web's output), served under /ui/. With null the server serves no UI. */
  uiDir: string | null;
  logger: Logger;
  /** Serve only /healthz, /readyz and the Prometheus form of /metrics, as a worker process does. */
  healthOnly?: boolean;
  /** The Prometheus metrics that GET /metrics returns to a client that accepts text/plain or OpenMetrics. */
  metrics?: ServiceMetrics;
  /** Tells whether this process's engine fires schedules; absent in a process without an engine. */
  engineRunning?: () => boolean;
}

/**
 * Maximum length of the request target (path and query), in characters.
 * Longer ones get 414. The UI and the REST API send short URLs, because
 * every large input travels in a request body.
 */
export const MAX_URL_LENGTH = 8 * 1024;
/**
 * Maximum size of the request line and headers together, in bytes. Node's
 * HTTP parser responds 431 past it. 16 KiB is Node's own default, set here
 * explicitly.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

const UI_PREFIX = '/ui/';
const TRPC_PREFIX = '/trpc/';

/** Reads the procedure path of a tRPC request from its URL: "targets.list", or "targets.list,runs.list" for a batch. */
function procedurePathOf(rawUrl: string | undefined): string {
  const path = (rawUrl ?? '').split('?')[0]!;
  const encoded = path.startsWith(TRPC_PREFIX) ? path.slice(TRPC_PREFIX.length) : path;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function requestInfoOf(request: IncomingMessage): RequestInfo {
  return {
    headers: request.headers,
    remoteAddress: request.socket.remoteAddress ?? 'unknown',
    encrypted: 'encrypted' in request.socket && request.socket.encrypted === true,
    responseHeaders: {},
  };
}

function hasDotDotSegment(rawPath: string): boolean {
  return rawPath.split('/').some((segment) => segment === '..' || segment.toLowerCase().replaceAll('%2e', '.') === '..');
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function realUiDir(uiDir: string): string {
  try {
    return realpathSync(resolve(uiDir));
  } catch (error) {
    throw new Error(`The web UI folder ${resolve(uiDir)} cannot be read: build apps/web first, or start without the UI`, { cause: error });
  }
}

/**
 * Creates the HTTP server of the API: tRPC under /trpc, health checks, the
 * web UI under /ui/, and the REST API with its OpenAPI document everywhere
 * else. Call listen() on the result.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const { context, logger } = options;
  const uiRoot = options.uiDir === null ? null : realUiDir(options.uiDir);

  // Readiness failures are logged when the state changes, not on every probe.
  let databaseReady = true;
  async function sendReadiness(response: ServerResponse): Promise<void> {
    try {
      const latency = await context.store.ping();
      if (!databaseReady) logger.info('Database responds again: ready');
      databaseReady = true;
      const engine = options.engineRunning === undefined ? undefined : { running: options.engineRunning() };
      if (engine?.running === false) {
        // Before the engine has started and once a stop has begun: a load balancer should send no new work here.
        sendJson(response, 503, { status: 'unavailable', detail: 'The engine of this process is not running', database: { latency_ms: latency }, engine });
        return;
      }
      sendJson(response, 200, { status: 'ready', database: { latency_ms: latency }, ...(engine === undefined ? {} : { engine }) });
    } catch (error) {
      if (databaseReady) logger.warn({ err: error }, 'Database ping failed: not ready');
      databaseReady = false;
      sendJson(response, 503, { status: 'unavailable', detail: 'The database does not respond' });
    }
  }

  /** Sends the Prometheus exposition to a caller with read access to /metrics, as the JSON form requires. */
  async function sendPrometheusMetrics(request: IncomingMessage, response: ServerResponse, metrics: ServiceMetrics, format: 'prometheus' | 'openmetrics'): Promise<void> {
    const denied = await restAccessError(context, '/metrics', {
      headers: request.headers,
      remoteAddress: request.socket.remoteAddress ?? 'unknown',
      encrypted: requestInfoOf(request).encrypted,
    });
    if (denied !== null) {
      sendBody(response, denied.status, denied.headers, denied.body);
      return;
    }

    const { contentType, body } = await metrics.render(format);
    sendBody(response, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }, request.method === 'HEAD' ? '' : body);
  }

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: TRPC_PREFIX,
    // Each request gets its own context, with the credentials it carries.
    createContext: ({ req }): ApiContext => ({ ...context, request: requestInfoOf(req) }),
    maxBodySize: MAX_BODY_BYTES,
    // Headers that procedures set: Set-Cookie, WWW-Authenticate, Retry-After.
    responseMeta: ({ ctx }) => ({ headers: ctx?.request?.responseHeaders ?? {} }),
    onError({ error, path, type, req }) {
      // The API's error middleware has logged the failures of procedures
      // already, and the other codes (404, 409, 422, 503…) are expected
      // outcomes. What is left failed outside the procedure, such as
      // superjson rejecting its output.
      if (error.code !== 'INTERNAL_SERVER_ERROR' || isReportedError(error)) return;
      // tRPC passes no path for a failure outside the procedure call, so it is read from the URL.
      const procedure = path ?? procedurePathOf(req.url);
      logger.error({ err: describeErrorForLog(error.cause ?? error), path: procedure, type }, 'tRPC request failed');
    },
  });

  async function route(request: IncomingMessage, response: ServerResponse, rawUrl: string, rawPath: string): Promise<void> {
    const url = new URL(`http://localhost${rawUrl}`);
    const path = url.pathname;
    const method = request.method ?? 'GET';

    const metrics = options.metrics;
    if (path === '/metrics' && (method === 'GET' || method === 'HEAD') && metrics !== undefined) {
      const format = metricsFormatOf(request.headers.accept);
      if (format !== 'json') {
        await sendPrometheusMetrics(request, response, metrics, format);
        return;
      }
    }

    if (options.healthOnly === true && path !== '/healthz' && path !== '/readyz') {
      sendJson(response, 404, {
        detail: 'This process runs with SCHEDULER_ROLE=worker and serves only /healthz, /readyz and /metrics with "Accept: text/plain"',
      });
      return;
    }

    if (isUnder(path, '/trpc')) {
      trpcHandler(request, response);
      return;
    }

    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      await sendReadiness(response);
      return;
    }
    if (path === '/') {
      redirect(response, uiRoot === null ? '/docs' : UI_PREFIX);
      return;
    }

    if (isUnder(path, '/ui')) {
      if (uiRoot === null) {
        sendJson(response, 404, { detail: 'The web UI is not served: this server was started without its files' });
      } else if (path === '/ui') {
        redirect(response, `${UI_PREFIX}${url.search}`);
      } else {
        await serveStaticFile(request, response, uiRoot, rawPath, UI_PREFIX);
      }
      return;
    }

    // A body announced as too large is refused before it is read, and the
    // connection closes so that the client stops sending it.
    const announced = Number(request.headers['content-length'] ?? 0);
    if (announced > MAX_BODY_BYTES) {
      sendJson(response, 413, { detail: `Request body is larger than ${MAX_BODY_BYTES} bytes` }, { Connection: 'close' });
      return;
    }

    const body = await readBody(request, MAX_BODY_BYTES);
    if (!body.ok && body.reason === 'aborted') {
      logger.debug({ method, path }, 'Client aborted the request while sending its body');
      response.destroy();
      return;
    }
    if (!body.ok) {
      sendJson(response, 413, { detail: `Request body is larger than ${MAX_BODY_BYTES} bytes` });
      return;
    }

    const result = await handleRestRequest(context, {
      method,
      url,
      headers: request.headers,
      body: body.body,
      remoteAddress: request.socket.remoteAddress ?? 'unknown',
      encrypted: requestInfoOf(request).encrypted,
    });
    if (result === null) {
      sendJson(response, 404, { detail: 'Not Found' });
      return;
    }
    sendBody(response, result.status, result.headers, result.body);
  }

  return createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    const started = performance.now();
    setSecurityHeaders(response);
    const rawUrl = request.url ?? '/';
    const rawPath = rawUrl.split('?')[0]!;
    // Only the path is logged: query strings can carry tRPC inputs, and with them header values.
    response.on('finish', () => {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      logger.debug({ method: request.method, path: rawPath, status: response.statusCode, ms }, 'HTTP request');
    });

    if (rawUrl.length > MAX_URL_LENGTH) {
      sendJson(response, 414, { detail: `URL is longer than ${MAX_URL_LENGTH} characters` });
      return;
    }
    if (!rawUrl.startsWith('/')) {
      sendJson(response, 400, { detail: 'The request target must be a path starting with "/"' });
      return;
    }
    // URL parsing would resolve "..", so "/ui/../x" would quietly become "/x": reject it instead.
    if (hasDotDotSegment(rawPath)) {
      sendJson(response, 400, { detail: 'Invalid path: ".." segments are not allowed' });
      return;
    }

    route(request, response, rawUrl, rawPath).catch((error: unknown) => {
      logger.error({ err: error, method: request.method, path: rawPath }, 'HTTP request failed');
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { detail: 'Internal server error' });
    });
  });
}
