/**
 * The targets and schedules commands, which call the REST API of a running
 * server and print its JSON response on standard output.
 */

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8000';
export const API_KEY_VARIABLE = 'SCHEDULER_API_KEY';

// Exit codes of the remote commands, beside 0 for success.
export const EXIT_SERVER_FAILURE = 1;
export const EXIT_INVALID_REQUEST = 2;
export const EXIT_DENIED_OR_NOT_FOUND = 3;

// The page size that list requests ask for: the API's maximum.
const LIST_PAGE_SIZE = 1000;

/** A mistake in the arguments of a targets or schedules command: exit code 2. */
export class RemoteUsageError extends Error {
  constructor(message: string) {
    super(`${message}. Run api-scheduler --help for the usage.`);
    this.name = 'RemoteUsageError';
  }
}

export interface RemoteOptions {
  url: string | undefined;
  key: string | undefined;
}

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  list?: boolean;
}

/** Turns the arguments of a targets or schedules command into the request it sends; throws RemoteUsageError. */
export function planRemoteRequest(resource: 'targets' | 'schedules', args: string[], data: string | undefined): Request {
  const [action, id, ...extra] = args;
  const actions = resource === 'targets' ? ['list', 'create'] : ['list', 'create', 'pause', 'resume', 'trigger'];
  if (action === undefined || !actions.includes(action)) {
    throw new RemoteUsageError(`${resource} needs one of ${actions.join(', ')}${action === undefined ? '' : ` (got "${action}")`}`);
  }

  const needsId = action === 'pause' || action === 'resume' || action === 'trigger';
  if (needsId && id === undefined) throw new RemoteUsageError(`${resource} ${action} needs the ID of the schedule`);
  const unexpected = needsId ? extra[0] : id;
  if (unexpected !== undefined) throw new RemoteUsageError(`Unexpected argument "${unexpected}" for ${resource} ${action}`);
  if (action !== 'create' && data !== undefined) throw new RemoteUsageError(`--data is only for ${resource} create`);

  if (action === 'list') return { method: 'GET', path: `/${resource}/`, list: true };
  if (action === 'create') {
    if (data === undefined) throw new RemoteUsageError(`${resource} create needs --data JSON, the ${resource === 'targets' ? 'target' : 'schedule'} as POST /${resource}/ takes it`);
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch (error) {
      throw new RemoteUsageError(`--data is not valid JSON (${(error as Error).message})`);
    }
    return { method: 'POST', path: `/${resource}/`, body };
  }
  return { method: 'POST', path: `/schedules/${encodeURIComponent(id!)}/${action}` };
}

/** Maps an HTTP error status to the exit code: 3 for 401, 403 and 404, 2 for an invalid request, 1 otherwise. */
export function exitCodeOfStatus(status: number): number {
  if (status === 401 || status === 403 || status === 404) return EXIT_DENIED_OR_NOT_FOUND;
  if (status === 400 || status === 422) return EXIT_INVALID_REQUEST;
  return EXIT_SERVER_FAILURE;
}

function checkServerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RemoteUsageError(`--url must be an absolute http:// or https:// URL (got "${url}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RemoteUsageError(`--url must be an absolute http:// or https:// URL (got "${url}")`);
  }
  return parsed;
}

/**
 * Sends the request of a targets or schedules command to the server at
 * `options.url`, following X-Next-Cursor for a list, and returns what to
 * print and the exit code. Never prints the key.
 */
export async function runRemoteCommand(request: Request, options: RemoteOptions, env: NodeJS.ProcessEnv): Promise<RemoteResult> {
  const base = checkServerUrl(options.url ?? DEFAULT_SERVER_URL);
  const key = options.key ?? env[API_KEY_VARIABLE];
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== undefined && key !== '') headers['authorization'] = `Bearer ${key}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';

  const items: unknown[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query = request.list ? `?limit=${LIST_PAGE_SIZE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}` : '';
    const url = new URL(`${request.path}${query}`, base);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      return { code: EXIT_SERVER_FAILURE, stdout: '', stderr: `Cannot reach the server at ${base.origin} (${cause}): start it, or pass its address with --url.\n` };
    }

    const text = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 ? ` Pass an API key with --key or ${API_KEY_VARIABLE}.` : '';
      return { code: exitCodeOfStatus(response.status), stdout: '', stderr: `${request.method} ${url.pathname} failed with HTTP ${response.status}: ${text}${hint}\n` };
    }
    if (!request.list) return { code: 0, stdout: text === '' ? '' : `${JSON.stringify(JSON.parse(text), null, 2)}\n`, stderr: '' };

    items.push(...(JSON.parse(text) as unknown[]));
    cursor = response.headers.get('x-next-cursor');
    if (cursor === null) return { code: 0, stdout: `${JSON.stringify(items, null, 2)}\n`, stderr: '' };
  }
}
