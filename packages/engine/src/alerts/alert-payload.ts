import type { AlertEvent, AlertNotification, AlertState, Run, Schedule } from '@api-scheduler/core';

const STATE_AFTER: Record<AlertEvent, AlertState> = {
  'schedule.failing': 'FAILING',
  'schedule.silent': 'SILENT',
  'schedule.recovered': 'OK',
};

/** The JSON body of a notification in the json format. */
export interface AlertPayload {
  id: string;
  event: AlertNotification['event'];
  created_at: string;
  /** One line for people, the same text a Slack message shows. */
  text: string;
  schedule: {
    id: string;
    name: string;
    /** The state the event leads to; the schedule may have moved on by the time it is delivered. */
    alert_state: AlertState;
    previous_state: AlertNotification['previous_state'];
    consecutive_failures: number;
    next_run_at: string | null;
  };
  /** The run that changed the state; null for schedule.silent. */
  run: {
    id: string;
    status: Run['status'];
    attempt: number;
    scheduled_for: string;
    status_code: number | null;
    latency_ms: number | null;
    error_type: Run['error_type'];
    error_message: string | null;
  } | null;
  /** The planned fire that is overdue, for schedule.silent; else null. */
  overdue_run_at: string | null;
}

/** Describes how a run ended in a few words: "HTTP 503" or "TIMEOUT: …". */
function runOutcome(run: Run): string {
  if (run.status === 'SUCCESS') return `HTTP ${run.status_code}`;
  if (run.status_code !== null) return `HTTP ${run.status_code} (${run.error_type})`;
  return `${run.error_type ?? run.status}${run.error_message === null ? '' : `: ${run.error_message}`}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Describes what happened in one line, for people and for Slack. */
export function alertText(notification: AlertNotification, schedule: Schedule, run: Run | null): string {
  const name = `Schedule "${schedule.name}"`;
  const last = run === null ? '' : ` Last run: ${runOutcome(run)}.`;
  switch (notification.event) {
    case 'schedule.failing':
      return `${name} is failing: ${plural(notification.failures, 'failed fire')} in a row.${last}`;
    case 'schedule.silent': {
      const overdue = notification.overdue_run_at?.toISOString() ?? 'unknown';
      const seconds = schedule.alert?.silence_after_seconds ?? 0;
      return `${name} is silent: its fire planned for ${overdue} has not happened within ${plural(seconds, 'second')}.`;
    }
    case 'schedule.recovered':
      if (notification.previous_state === 'SILENT') return `${name} fires again after being silent.${last}`;
      return `${name} recovered after ${plural(notification.failures, 'failed fire')} in a row.${last}`;
  }
}

export function alertPayload(notification: AlertNotification, schedule: Schedule, run: Run | null): AlertPayload {
  return {
    id: notification.id,
    event: notification.event,
    created_at: notification.created_at.toISOString(),
    text: alertText(notification, schedule, run),
    schedule: {
      id: schedule.id,
      name: schedule.name,
      alert_state: STATE_AFTER[notification.event],
      previous_state: notification.previous_state,
      consecutive_failures: notification.failures,
      next_run_at: schedule.next_run_at?.toISOString() ?? null,
    },
    run:
      run === null
        ? null
        : {
            id: run.id,
            status: run.status,
            attempt: run.attempt,
            scheduled_for: run.scheduled_for.toISOString(),
            status_code: run.status_code,
            latency_ms: run.latency_ms,
            error_type: run.error_type,
            error_message: run.error_message,
          },
    overdue_run_at: notification.overdue_run_at?.toISOString() ?? null,
  };
}

/**
 * Escapes the three characters that Slack reads as markup in message text,
 * so a schedule name such as "<!channel>" shows as typed instead of
 * notifying a whole channel or making a link.
 */
export function escapeSlackText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Serializes the request body of a notification: the payload, or a Slack incoming-webhook message. */
export function alertBody(format: 'json' | 'slack', payload: AlertPayload): string {
  if (format === 'slack') return JSON.stringify({ text: `API Scheduler: ${escapeSlackText(payload.text)}` });
  return JSON.stringify(payload);
}
