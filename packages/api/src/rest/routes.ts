import type { ProcedurePath } from '../router.js';

export type RestMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One REST endpoint and the procedure that implements it. */
export interface RestRoute {
  method: RestMethod;
  /** Path template as documented, with {name} for a path parameter. */
  path: string;
  procedure: ProcedurePath;
  /** True when a JSON object body supplies the input's fields, next to any path parameters. */
  body?: boolean;
  /** Input fields read from the query string. */
  query?: readonly string[];
  status: 200 | 201 | 202 | 204;
  /** Collection path of the resource that a 201 or 202 response returns, for its Location header. Defaults to route.path; null sends none. */
  location?: string | null;
  /** True for the endpoints that need no credentials; every other one needs an API key or a session. */
  public?: boolean;
  /** True when the procedure returns a page: the response is its items, the next cursor goes into X-Next-Cursor. */
  list?: boolean;
  /** When the request can conflict with the stored state, the reason, for the 409 in OpenAPI. */
  conflict?: string;
  /** When the request needs the scheduler engine, the reason for the 503 in OpenAPI. */
  unavailable?: string;
  summary: string;
  /** Longer OpenAPI description: what the summary leaves out. */
  description?: string;
  tag: string;
}

const page = ['limit', 'cursor'] as const;

export const restRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/targets/', procedure: 'targets.create', body: true, status: 201, summary: 'Create a target', tag: 'targets' },
  { method: 'GET', path: '/targets/', procedure: 'targets.list', query: page, status: 200, list: true, summary: 'List targets, oldest first', tag: 'targets' },
  { method: 'GET', path: '/targets/{id}', procedure: 'targets.get', status: 200, summary: 'Get a target', tag: 'targets' },
  { method: 'PATCH', path: '/targets/{id}', procedure: 'targets.update', body: true, status: 200, summary: 'Update a target', tag: 'targets' },
  {
    method: 'DELETE',
    path: '/targets/{id}',
    procedure: 'targets.delete',
    status: 204,
    conflict: 'Schedules still use the target; the message names them',
    summary: 'Delete a target',
    tag: 'targets',
  },
  {
    method: 'POST',
    path: '/targets/{id}/test',
    procedure: 'targets.test',
    status: 200,
    summary: 'Send the target\'s request once and return the response',
    description:
      'Sends the request as a fire would (secrets decrypted, signature added, the address guard applied) and returns the status, latency, masked response headers and body excerpt. No run is recorded. A failed request is a 200 with status FAILURE and its error_type.',
    tag: 'targets',
  },

  { method: 'POST', path: '/schedules/', procedure: 'schedules.create', body: true, status: 201, summary: 'Create a schedule', tag: 'schedules' },
  {
    method: 'GET',
    path: '/schedules/',
    procedure: 'schedules.list',
    query: [...page, 'status', 'target_id'],
    status: 200,
    list: true,
    summary: 'List schedules, oldest first',
    tag: 'schedules',
  },
  { method: 'GET', path: '/schedules/{id}', procedure: 'schedules.get', status: 200, summary: 'Get a schedule', tag: 'schedules' },
  { method: 'PATCH', path: '/schedules/{id}', procedure: 'schedules.update', body: true, status: 200, summary: 'Update a schedule', tag: 'schedules' },
  { method: 'DELETE', path: '/schedules/{id}', procedure: 'schedules.delete', status: 204, summary: 'Delete a schedule and its runs', tag: 'schedules' },
  {
    method: 'POST',
    path: '/schedules/{id}/pause',
    procedure: 'schedules.pause',
    status: 200,
    conflict: 'The schedule is COMPLETED',
    summary: 'Pause a schedule; pausing a paused schedule changes nothing',
    tag: 'schedules',
  },
  {
    method: 'POST',
    path: '/schedules/{id}/resume',
    procedure: 'schedules.resume',
    status: 200,
    conflict: 'The schedule is COMPLETED',
    summary: 'Resume a schedule from now on; the paused period never fires',
    tag: 'schedules',
  },
  {
    method: 'POST',
    path: '/schedules/{id}/trigger',
    procedure: 'schedules.trigger',
    status: 202,
    location: '/runs/',
    unavailable: 'This process runs without the scheduler engine (SCHEDULER_ROLE=api)',
    summary: 'Run a schedule now, outside its plan',
    description:
      'Starts one run of the schedule at once and returns it while its request is in flight (status RUNNING, manual true); read its outcome at the Location. The run is extra: it does not move next_run_at and does not count toward run_count or max_runs. PAUSED and COMPLETED schedules can be triggered too.',
    tag: 'schedules',
  },
  {
    method: 'GET',
    path: '/schedules/{id}/next',
    procedure: 'schedules.preview',
    query: ['count'],
    status: 200,
    summary: 'Preview the next planned fires',
    description:
      'Lists the next `count` planned instants, in UTC and in the schedule\'s time zone. An ACTIVE schedule starts at next_run_at, a PAUSED one at the first slot that resume would plan now, and a COMPLETED one has none. WINDOW max_runs and the end of the window limit the list. Retries are not listed. An overdue schedule lists its missed slots first, and its misfire policy decides how they fire.',
    tag: 'schedules',
  },

  {
    method: 'GET',
    path: '/schedules/{id}/alerts',
    procedure: 'schedules.alerts',
    query: ['limit'],
    status: 200,
    summary: 'List the alert notifications of a schedule, newest first',
    description:
      'Each change of the alert state (schedule.failing, schedule.recovered, schedule.silent) makes one notification. delivery is PENDING while it is being sent or waits for another attempt, DELIVERED once the webhook answered 2xx, FAILED after the last attempt or when the alert was removed first.',
    tag: 'schedules',
  },

  {
    method: 'GET',
    path: '/runs/',
    procedure: 'runs.list',
    query: ['schedule_id', 'target_id', 'status', 'since', 'until', ...page],
    status: 200,
    list: true,
    summary: 'List runs, newest first',
    tag: 'runs',
  },
  { method: 'GET', path: '/runs/{id}', procedure: 'runs.get', status: 200, summary: 'Get a run', tag: 'runs' },

  { method: 'GET', path: '/metrics', procedure: 'metrics.summary', status: 200, summary: 'Metrics of the process, database and runs', tag: 'system' },

  { method: 'GET', path: '/keys/', procedure: 'keys.list', status: 200, summary: 'List API keys, revoked ones included, oldest first (admin)', tag: 'keys' },
  {
    method: 'POST',
    path: '/keys/',
    procedure: 'keys.create',
    body: true,
    status: 201,
    // No GET /keys/{id}: the list has every key.
    location: null,
    summary: 'Create an API key (admin)',
    description: 'Returns the key itself in the `key` field of this response only: the server stores just its hash. Send it as `Authorization: Bearer KEY`.',
    tag: 'keys',
  },
  {
    method: 'DELETE',
    path: '/keys/{id}',
    procedure: 'keys.revoke',
    status: 200,
    summary: 'Revoke an API key (admin)',
    description: 'The key stops working at once and its sessions end; its row stays in the list with revoked_at set. Revoking it again changes nothing.',
    tag: 'keys',
  },

  {
    method: 'POST',
    path: '/auth/sign-in',
    procedure: 'auth.signIn',
    body: true,
    status: 200,
    public: true,
    summary: 'Exchange an API key for a session cookie',
    description: 'Sets an httpOnly, SameSite=Strict session cookie that authenticates the next requests in place of the Authorization header. Sessions live in the memory of the process.',
    tag: 'auth',
  },
  { method: 'POST', path: '/auth/sign-out', procedure: 'auth.signOut', status: 204, public: true, summary: 'End the session and clear its cookie', tag: 'auth' },
  {
    method: 'GET',
    path: '/auth/session',
    procedure: 'auth.session',
    status: 200,
    public: true,
    summary: 'Tell whether authentication is on, and who the caller is',
    tag: 'auth',
  },
];

/** Names of the path parameters of a template: "/schedules/{id}/pause" has ["id"]. */
export function pathParameters(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}
