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
  status: 200 | 201 | 204;
  /** True when the procedure returns a page: the response is its items, the next cursor goes into X-Next-Cursor. */
  list?: boolean;
  /** When the request can conflict with the stored state, the reason, for the 409 in OpenAPI. */
  conflict?: string;
  summary: string;
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
];

/** Names of the path parameters of a template: "/schedules/{id}/pause" has ["id"]. */
export function pathParameters(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}
