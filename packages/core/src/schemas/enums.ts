export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

// GET, HEAD and OPTIONS requests go out without a body.
const METHODS_WITH_BODY: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Tells whether a request with this method sends the target's body_template. */
export function methodSendsBody(method: HttpMethod): boolean {
  return METHODS_WITH_BODY.has(method);
}

export const SCHEDULE_TYPES = ['INTERVAL', 'WINDOW', 'CRON', 'ONCE'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export const SCHEDULE_STATUSES = ['ACTIVE', 'PAUSED', 'COMPLETED'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const RUN_STATUSES = ['RUNNING', 'SUCCESS', 'FAILURE', 'SKIPPED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ERROR_TYPES = [
  'TIMEOUT',
  'DNS_ERROR',
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'TLS_ERROR',
  'TOO_MANY_REDIRECTS',
  'BLOCKED_ADDRESS',
  'HTTP_4XX',
  'HTTP_5XX',
  'INTERRUPTED',
  'NETWORK_ERROR',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const OVERLAP_POLICIES = ['skip', 'allow', 'queue_one'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const MISFIRE_POLICIES = ['fire_once', 'fire_all', 'skip'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const JITTER_MODES = ['full', 'none'] as const;
export type JitterMode = (typeof JITTER_MODES)[number];
