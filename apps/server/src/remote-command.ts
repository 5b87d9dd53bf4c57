/**
 * The targets and schedules commands, which call the REST API of a running
 * server and print its JSON response on standard output.
 */
import { EXIT_DENIED_OR_NOT_FOUND, EXIT_FAILURE, EXIT_USAGE } from './cli-usage.js';
import { API_KEY_VARIABLE } from './env.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8000';

/** How long one request may wait for the response, body included, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 30_000;

// The page size that list requests ask for: the API's maximum.
const LIST_PAGE_SIZE = 1000;
// Characters of an unexpected response body quoted in the error message.
const BODY_EXCERPT_LENGTH = 120;

/** A mistake in the arguments of a targets or schedules command: exit code 2. */
export class RemoteUsageError extends Error {
  constructor(message: string, command: string) {
    super(`${message}. Run api-scheduler ${command} --help for the usage.`);
    this.name = 'RemoteUsageError';
  }
}

export interface RemoteOptions {
  url: string | undefined;
  /** The API key from --key or SCHEDULER_API_KEY. */
  key: string | undefined;
  /** The fetch function; tests replace it to simulate failures that need a network, such as a DNS error. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RemoteRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  list?: boolean;
}

/**
 * Turns a targets or schedules command (such as "schedules pause") with its
 * ID and --data into the request it sends, or throws RemoteUsageError.
 * The command line parser has already checked the action and the number of
 * arguments.
 */
export function planRemoteRequest(command: string, id: string | undefined, data: string | undefined): RemoteRequest {
  const [resource, action] = command.split(' ') as ['targets' | 'schedules', string];

  if (action === 'list') return { method: 'GET', path: `/${resource}/`, list: true };
  if (action === 'create') {
    const noun = resource === 'targets' ? 'target' : 'schedule';
    if (data === undefined) throw new RemoteUsageError(`${command} needs --data JSON, the ${noun} as POST /${resource}/ takes it`, command);
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch (error) {
      throw new RemoteUsageError(`--data is not valid JSON (${(error as Error).message})`, command);
    }
    return { method: 'POST', path: `/${resource}/`, body };
  }
  if (id === undefined) throw new RemoteUsageError(`${command} needs the ID of the schedule`, command);
  return { method: 'POST', path: `/schedules/${encodeURIComponent(id)}/${action}` };
}

/** Maps an HTTP error status of the API to the exit code: 3 for 401, 403 and 404, 2 for an invalid request, 1 otherwise. */
export function exitCodeOfStatus(status: number): number {
  if (status === 401 || status === 403 || status === 404) return EXIT_DENIED_OR_NOT_FOUND;
  if (status === 400 || status === 422) return EXIT_USAGE;
  return EXIT_FAILURE;
}

function checkServerUrl(url: string, command: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RemoteUsageError(`--url must be an absolute http:// or https:// URL (got "${url}")`, command);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RemoteUsageError(`--url must be an absolute http:// or https:// URL (got "${url}")`, command);
  }
  return parsed;
}

/** Joins the lines of a message from elsewhere, so that every failure prints as one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function quoteExcerpt(body: string): string {
  const text = oneLine(body);
  return JSON.stringify(text.length > BODY_EXCERPT_LENGTH ? `${text.slice(0, BODY_EXCERPT_LENGTH)}…` : text);
}

function failure(message: string, code = EXIT_FAILURE): RemoteResult {
  return { code, stdout: '', stderr: `${message}\n` };
}

/** Explains why no response arrived: refused, host not found, timed out, or another network error. */
export function describeConnectionFailure(error: unknown, base: URL, timeoutMs: number): string {
  const origin = base.origin;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `No response from the server at ${origin} within ${timeoutMs / 1000} s: check that it is running and that --url is its address.`;
  }

  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const detail = oneLine(cause instanceof Error ? cause.message : String(cause));
  if (code === 'ECONNREFUSED') {
    return `Cannot reach the server at ${origin}: the connection was refused (${detail}). Start the server, or pass its address with --url.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return `Cannot reach the server at ${origin}: the host name ${base.hostname} was not found (${detail}). Check the host name in --url.`;
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return `The server at ${origin} closed the connection before it sent a response (${detail}): check that --url is the address of API Scheduler.`;
  }
  return `Cannot reach the server at ${origin} (${detail}): start the server, or pass its address with --url.`;
}

/** Parses a JSON body, or returns undefined for an empty or invalid one. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Describes a response that did not come from the API: its body is not JSON, or not the JSON the request expects. */
function unexpectedResponse(request: RemoteRequest, url: URL, response: Response, text: string, expected: string): string {
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || 'untyped';
  const body = text.trim() === '' ? 'an empty body' : `${contentType} content that is not ${expected}, starting ${quoteExcerpt(text)}`;
  return `${request.method} ${url.pathname} on ${url.origin} returned HTTP ${response.status} with ${body}: check that --url is the address of API Scheduler and not of a proxy or another service.`;
}

/**
 * Sends the request of a targets or schedules command to the server at
 * `options.url`, following X-Next-Cursor for a list, and returns what to
 * print and the exit code. Every failure is one line on standard error.
 * Never prints the key.
 */
export async function runRemoteCommand(command: string, request: RemoteRequest, options: RemoteOptions): Promise<RemoteResult> {
  const base = checkServerUrl(options.url ?? DEFAULT_SERVER_URL, command);
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.key !== undefined && options.key !== '') headers['authorization'] = `Bearer ${options.key}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';

  const items: unknown[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query = request.list ? `?limit=${LIST_PAGE_SIZE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}` : '';
    const url = new URL(`${request.path}${query}`, base);

    let response: Response;
    let text: string;
    try {
      response = await send(url, {
        method: request.method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      text = await response.text();
    } catch (error) {
      return failure(describeConnectionFailure(error, base, timeoutMs));
    }

    const body = parseJson(text);
    if (body === undefined) return failure(unexpectedResponse(request, url, response, text, 'JSON'));

    if (!response.ok) {
      const hint = response.status === 401 ? ` Pass an API key with --key or ${API_KEY_VARIABLE}.` : '';
      return failure(`${request.method} ${url.pathname} failed with HTTP ${response.status}: ${JSON.stringify(body)}${hint}`, exitCodeOfStatus(response.status));
    }
    if (!request.list) return { code: 0, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };

    if (!Array.isArray(body)) return failure(unexpectedResponse(request, url, response, text, 'a JSON array'));
    items.push(...(body as unknown[]));
    cursor = response.headers.get('x-next-cursor');
    if (cursor === null) return { code: 0, stdout: `${JSON.stringify(items, null, 2)}\n`, stderr: '' };
  }
}
