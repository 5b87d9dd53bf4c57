import type { ListRunsInput, RunStatus } from './api/types';

/** Run filters as the URL contains them: empty text means no filter. `since` and `until` are datetime-local text in the browser's zone. */
export interface RunFilters {
  schedule_id: string;
  status: RunStatus | '';
  since: string;
  until: string;
}

const STATUSES: RunStatus[] = ['RUNNING', 'SUCCESS', 'FAILURE', 'SKIPPED'];

export function runFiltersFromSearch(search: URLSearchParams): RunFilters {
  const status = search.get('status') ?? '';
  return {
    schedule_id: search.get('schedule_id') ?? '',
    status: (STATUSES as string[]).includes(status) ? (status as RunStatus) : '',
    since: search.get('since') ?? '',
    until: search.get('until') ?? '',
  };
}

/** Writes the filters that are set into a query string, such as "?status=FAILURE". */
export function runFiltersToSearch(filters: RunFilters): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== '') search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Reads datetime-local text ("2026-05-01T09:00") as a time in the browser's zone, or undefined when empty or invalid. */
function localTime(text: string): Date | undefined {
  if (text === '') return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Maps the filters to the input of runs.list. */
export function runFiltersToInput(filters: RunFilters, limit: number, cursor?: string): ListRunsInput {
  return {
    ...(filters.schedule_id === '' ? {} : { schedule_id: filters.schedule_id }),
    ...(filters.status === '' ? {} : { status: filters.status }),
    ...(localTime(filters.since) === undefined ? {} : { since: localTime(filters.since) }),
    ...(localTime(filters.until) === undefined ? {} : { until: localTime(filters.until) }),
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** Formats an instant as datetime-local text in the browser's zone, for a preset such as "last hour". */
export function toLocalInput(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
