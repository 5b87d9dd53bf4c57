import type { ValidationIssue } from '@api-scheduler/core';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';

import type { RequestInfo } from '../auth/request-info.js';
import type { ApiContext } from '../context.js';
import { INTERNAL_ERROR_MESSAGE, describeErrorForLog, validationIssuesOf } from '../errors.js';
import { buildOpenApiDocument } from '../openapi.js';
import { createCaller } from '../router.js';
import { serveDocs } from './docs.js';
import { matchRoute, normalizePath } from './match-route.js';
import { errorResponse, jsonResponse, methodNotAllowed, validationResponse } from './responses.js';
import type { RestResponse } from './responses.js';
import type { RestRoute } from './routes.js';

export type { RestResponse };

/** An HTTP request as any server framework can supply it, with its body already read. */
export interface RestRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The client's IP address, which failed authentication attempts are counted against. Default "unknown". */
  remoteAddress?: string;
  /** True when the client connected over TLS. Default false. */
  encrypted?: boolean;
}

/** The largest request body the REST API accepts: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

type Location = 'body' | 'query' | 'path';
type InputResult = { ok: true; input: unknown } | { ok: false; response: RestResponse };

function headerValue(headers: RestRequest['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

// FastAPI's rule: a body without Content-Type is read as JSON too.
function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function parseBody(request: RestRequest): { ok: true; value: Record<string, unknown> } | { ok: false; response: RestResponse } {
  if (!isJsonContentType(headerValue(request.headers, 'content-type'))) {
    return { ok: false, response: errorResponse(415, 'Unsupported Media Type: send the body as JSON with Content-Type: application/json') };
  }
  if (request.body.length === 0) {
    return { ok: false, response: validationResponse([{ loc: ['body'], msg: 'Field required', type: 'missing' }]) };
  }

  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(request.body));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'the body is not valid UTF-8';
    return { ok: false, response: validationResponse([{ loc: ['body'], msg: `Invalid JSON: ${reason}`, type: 'json_invalid' }]) };
  }

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, response: validationResponse([{ loc: ['body'], msg: `The body must be a JSON object, not ${jsonTypeOf(value)}`, type: 'invalid_type' }]) };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Builds a procedure's input from the body, the query string and the path parameters. */
function buildInput(route: RestRoute, parameters: Record<string, string>, request: RestRequest): InputResult {
  const names = Object.keys(parameters);
  if (!route.body && !route.query && names.length === 0) return { ok: true, input: undefined };

  let input: Record<string, unknown> = {};
  if (route.body) {
    const body = parseBody(request);
    if (!body.ok) return body;
    // A spread, not Object.assign: a "__proto__" key stays a plain key that validation rejects.
    input = { ...body.value };
  }

  for (const name of route.query ?? []) {
    const values = request.url.searchParams.getAll(name);
    // A repeated parameter takes its last value, as FastAPI does.
    if (values.length > 0) input[name] = values[values.length - 1];
  }

  const issues: ValidationIssue[] = [];
  for (const name of names) {
    if (Object.hasOwn(input, name)) {
      issues.push({ loc: ['body', name], msg: `Unrecognized key "${name}": the ${name} comes from the path`, type: 'unrecognized_keys' });
    }
    input[name] = parameters[name];
  }
  if (issues.length > 0) return { ok: false, response: validationResponse(issues) };

  return { ok: true, input };
}

/** Tells where a field of the input came from, as FastAPI names it in loc. */
function sourceOf(field: string | number | undefined, route: RestRoute, parameters: Record<string, string>): Location {
  if (typeof field === 'string' && Object.hasOwn(parameters, field)) return 'path';
  if (typeof field === 'string' && route.query?.includes(field)) return 'query';
  if (route.body) return 'body';
  return route.query ? 'query' : 'path';
}

function locate(issue: ValidationIssue, route: RestRoute, parameters: Record<string, string>): ValidationIssue {
  return { ...issue, loc: [sourceOf(issue.loc[0], route, parameters), ...issue.loc] };
}

function procedureError(ctx: ApiContext, error: unknown, route: RestRoute, parameters: Record<string, string>): RestResponse {
  if (!(error instanceof TRPCError)) {
    // The caller wraps every failure in a TRPCError, so this is a bug in the adapter.
    ctx.logger.error({ err: describeErrorForLog(error), procedure: route.procedure }, 'REST call failed');
    return errorResponse(500, INTERNAL_ERROR_MESSAGE);
  }

  const status = getHTTPStatusCodeFromError(error);
  if (status === 422 || status === 400) {
    const issues = validationIssuesOf(error.cause) ?? [{ loc: [], msg: error.message, type: 'value_error' }];
    return validationResponse(issues.map((issue) => locate(issue, route, parameters)));
  }
  // The message of a 503 names the process to use instead. Other server-side failures stay generic.
  const hidden = status >= 500 && error.code !== 'SERVICE_UNAVAILABLE';
  return errorResponse(status, hidden ? INTERNAL_ERROR_MESSAGE : error.message);
}

type Procedure = (input: unknown) => Promise<unknown>;

function procedureOf(ctx: ApiContext, path: string): Procedure {
  let node: unknown = createCaller(ctx);
  for (const key of path.split('.')) node = (node as Record<string, unknown>)[key];
  return node as Procedure;
}

function successResponse(route: RestRoute, result: unknown): RestResponse {
  if (route.status === 204) return { status: 204, headers: {}, body: '' };

  if (route.list) {
    const page = result as { items: unknown[]; next_cursor: string | null };
    const headers: Record<string, string> = page.next_cursor === null ? {} : { 'X-Next-Cursor': page.next_cursor };
    return jsonResponse(200, page.items, headers);
  }

  const id = (result as { id?: unknown }).id;
  if ((route.status === 201 || route.status === 202) && typeof id === 'string' && route.location !== null) {
    return jsonResponse(route.status, result, { Location: `${route.location ?? route.path}${encodeURIComponent(id)}` });
  }
  return jsonResponse(route.status, result);
}

function requestInfoOf(request: RestRequest): RequestInfo {
  return { headers: request.headers, remoteAddress: request.remoteAddress ?? 'unknown', encrypted: request.encrypted ?? false, responseHeaders: {} };
}

/**
 * Calls the route's procedure, which authenticates the request itself. The
 * credentials are checked before the body is parsed, so a caller without
 * access gets 401 or 403, not a validation error.
 */
async function runRoute(ctx: ApiContext, route: RestRoute, parameters: Record<string, string>, request: RestRequest): Promise<RestResponse> {
  const info = requestInfoOf(request);
  const requestContext: ApiContext = { ...ctx, request: info };

  let response: RestResponse;
  const input = buildInput(route, parameters, request);
  if (!input.ok) {
    // Reported only to a caller that could call the procedure with a valid input.
    const denied = await authorizationError(requestContext, route, parameters);
    response = denied ?? input.response;
  } else {
    try {
      const result = await procedureOf(requestContext, route.procedure)(input.input);
      response = successResponse(route, result);
    } catch (error) {
      response = procedureError(requestContext, error, route, parameters);
    }
  }
  return { ...response, headers: { ...response.headers, ...info.responseHeaders } };
}

// No input schema accepts a symbol, so a call with it never gets past the input check.
const ACCESS_CHECK_INPUT = Symbol('access check');

/**
 * Returns the 401, 403 or 429 that the route's procedure would return to
 * this caller, or null when the caller has access. It calls the procedure
 * with an input that fails validation: the access check runs before the
 * input check, and the procedure body never runs.
 */
async function authorizationError(ctx: ApiContext, route: RestRoute, parameters: Record<string, string>): Promise<RestResponse | null> {
  if (route.public) return null;
  try {
    await procedureOf(ctx, route.procedure)(ACCESS_CHECK_INPUT);
    return null;
  } catch (error) {
    const code = error instanceof TRPCError ? error.code : null;
    if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN' || code === 'TOO_MANY_REQUESTS') return procedureError(ctx, error, route, parameters);
    return null;
  }
}

/**
 * Returns the 401, 403 or 429 that a GET of `pathname` would return to this
 * caller, or null when the caller has access (or no route matches). The
 * server uses it for responses that it builds itself, such as the
 * Prometheus form of /metrics, so they are guarded as the REST route is.
 */
export async function restAccessError(ctx: ApiContext, pathname: string, request: Omit<RestRequest, 'method' | 'url' | 'body'>): Promise<RestResponse | null> {
  const match = matchRoute(normalizePath(pathname));
  const route = match?.routes.find((candidate) => candidate.method === 'GET');
  if (!match || !route) return null;

  const info: RequestInfo = { headers: request.headers, remoteAddress: request.remoteAddress ?? 'unknown', encrypted: request.encrypted ?? false, responseHeaders: {} };
  const denied = await authorizationError({ ...ctx, request: info }, route, match.parameters);
  return denied === null ? null : { ...denied, headers: { ...denied.headers, ...info.responseHeaders } };
}

/**
 * Serves a REST request through the same procedures as tRPC, plus
 * /openapi.json and /docs. Returns null when no REST path matches, so the
 * server can respond 404 or try other handlers.
 */
export async function handleRestRequest(ctx: ApiContext, request: RestRequest): Promise<RestResponse | null> {
  const method = request.method.toUpperCase();
  const path = normalizePath(request.url.pathname);
  const head = method === 'HEAD';

  let response: RestResponse;
  if (request.body.length > MAX_BODY_BYTES) {
    response = errorResponse(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  } else if (path === '/openapi.json') {
    response = method === 'GET' || head ? jsonResponse(200, buildOpenApiDocument()) : methodNotAllowed(['GET']);
  } else if (path === '/docs' || path.startsWith('/docs/')) {
    response = await serveDocs(method, path);
  } else {
    const match = matchRoute(path);
    if (!match) return null;

    const route = match.routes.find((candidate) => candidate.method === (head ? 'GET' : method));
    response = route ? await runRoute(ctx, route, match.parameters, request) : methodNotAllowed(match.routes.map((candidate) => candidate.method));
  }

  return head ? { ...response, body: '' } : response;
}
