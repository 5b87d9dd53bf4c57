import { z } from 'zod';

import { numberField } from './number-field.js';
import { targetUrlSchema } from './target.js';

export const ALERT_FORMATS = ['json', 'slack'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/**
 * The state of a schedule's alert: OK, FAILING after the configured
 * number of failed fires in a row, SILENT while a planned fire is overdue.
 */
export const ALERT_STATES = ['OK', 'FAILING', 'SILENT'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The notifications an alert sends, one per change of its state. */
export const ALERT_EVENTS = ['schedule.failing', 'schedule.recovered', 'schedule.silent'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export const alertConfigSchema = z.strictObject(
  {
    webhook_url: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'webhook_url is required: the http:// or https:// URL that notifications are POSTed to'
            : 'webhook_url must be a string: the http:// or https:// URL that notifications are POSTed to',
      })
      .pipe(targetUrlSchema),
    format: z.enum(ALERT_FORMATS, { error: `format must be one of ${ALERT_FORMATS.join(', ')}` }).default('json'),
    after_consecutive_failures: numberField('after_consecutive_failures', { min: 1, max: 1_000 }).default(3),
    silence_after_seconds: numberField('silence_after_seconds', { min: 1, max: 31_622_400, unit: 'seconds', maxNote: '366 days' })
      .nullable()
      .default(null),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'alert must be an object or null' : undefined) },
);
export type AlertConfig = z.output<typeof alertConfigSchema>;

/** A schedule's alert state as stored beside its alert config. */
export interface AlertStatus {
  state: AlertState;
  /** Failed fires in a row, counted while the schedule has an alert. */
  failures: number;
}

/** The outcome of a fire that counts toward an alert. Skipped and interrupted fires do not count. */
export type FireOutcome = 'SUCCESS' | 'FAILURE';

export interface AlertTransition {
  status: AlertStatus;
  /** The notification to send, or null when the state did not change. */
  event: AlertEvent | null;
}

/**
 * Applies a fire's outcome to an alert's state. A success clears the count
 * and ends FAILING or SILENT with schedule.recovered. A failure that brings
 * the count to `afterFailures` turns the state FAILING with
 * schedule.failing; any other failure ends SILENT (the schedule fires again)
 * with schedule.recovered. Every other outcome changes only the count, so
 * an event comes only with a change of state.
 */
export function applyFireOutcome(current: AlertStatus, outcome: FireOutcome, afterFailures: number): AlertTransition {
  if (outcome === 'SUCCESS') {
    const status: AlertStatus = { state: 'OK', failures: 0 };
    return { status, event: current.state === 'OK' ? null : 'schedule.recovered' };
  }

  const failures = current.failures + 1;
  if (current.state !== 'FAILING' && failures >= afterFailures) {
    return { status: { state: 'FAILING', failures }, event: 'schedule.failing' };
  }
  if (current.state === 'SILENT') {
    return { status: { state: 'OK', failures }, event: 'schedule.recovered' };
  }
  return { status: { state: current.state, failures }, event: null };
}

/**
 * Tells whether a schedule with this alert has gone silent: its next planned
 * fire is at least silence_after_seconds overdue. A schedule without a
 * planned fire (paused, completed) is never silent.
 */
export function isSilent(alert: AlertConfig | null, state: AlertState, nextRunAt: Date | null, now: number): boolean {
  if (alert === null || alert.silence_after_seconds === null || state === 'SILENT' || nextRunAt === null) return false;
  return now - nextRunAt.getTime() >= alert.silence_after_seconds * 1_000;
}

export const ALERT_DELIVERIES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type AlertDelivery = (typeof ALERT_DELIVERIES)[number];

/** A notification of a change of a schedule's alert state, and how its delivery went. */
export interface AlertNotification {
  id: string;
  schedule_id: string;
  event: AlertEvent;
  previous_state: AlertState;
  /** The failed fires in a row that the event reports: the count reached, or, for a recovery, the count it ended. */
  failures: number;
  /** The run whose outcome changed the state; null for schedule.silent. */
  run_id: string | null;
  /** The planned fire that was overdue, for schedule.silent; else null. */
  overdue_run_at: Date | null;
  created_at: Date;
  delivery: AlertDelivery;
  /** Delivery attempts started so far, a send cut short by a crash included. */
  attempts: number;
  next_attempt_at: Date;
  /** Set while a process is sending it; another process leaves it alone until then. */
  lease_until: Date | null;
  delivered_at: Date | null;
  last_error: string | null;
}

/** The alert fields of a schedule that has never had an alert. */
export const NO_ALERT = { alert: null, alert_state: 'OK', alert_failures: 0, alert_changed_at: null } as const satisfies {
  alert: AlertConfig | null;
  alert_state: AlertState;
  alert_failures: number;
  alert_changed_at: Date | null;
};
