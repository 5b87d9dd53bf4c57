import { applyFireOutcome, isSilent } from '@api-scheduler/core';
import type { AlertConfig, AlertEvent, AlertNotification, AlertState, FireOutcome } from '@api-scheduler/core';

// The steps of alert bookkeeping that do not touch the database, shared by
// the libSQL and PostgreSQL stores.

/**
 * The shortest silence_after_seconds, in ms. A schedule overdue by less
 * cannot be silent, so the silence check skips the schedules that are due
 * just now. NOTE: a catch-up backlog is still read row by row at each check.
 */
export const MIN_SILENCE_MS = 1_000;

/** The alert columns of a schedule row, as the alert statements read them. */
export interface AlertRow {
  id: string;
  alert: AlertConfig | null;
  alert_state: AlertState;
  alert_failures: number;
  next_run_at: Date | null;
}

/** The new alert columns of a schedule and the notification of the change, if the state changed. */
export interface AlertChange {
  alert_state: AlertState;
  alert_failures: number;
  alert_changed_at: Date | null;
  notification: AlertNotification | null;
}

/** Applies a fire's outcome to a schedule's alert; null when the schedule has no alert. */
export function alertOutcomeChange(row: AlertRow, outcome: FireOutcome, runId: string, now: Date, notificationId: string): AlertChange | null {
  if (row.alert === null) return null;
  const transition = applyFireOutcome({ state: row.alert_state, failures: row.alert_failures }, outcome, row.alert.after_consecutive_failures);
  return {
    alert_state: transition.status.state,
    alert_failures: transition.status.failures,
    alert_changed_at: transition.event === null ? null : now,
    notification:
      transition.event === null
        ? null
        : newNotification({
            id: notificationId,
            scheduleId: row.id,
            event: transition.event,
            previous: row.alert_state,
            // A recovery reports the failures it ended, not the count it reset.
            failures: outcome === 'SUCCESS' ? row.alert_failures : transition.status.failures,
            runId,
            overdueRunAt: null,
            now,
          }),
  };
}

/** Builds a schedule.silent notification for each row that is silent at `now`. */
export function silentNotifications(rows: AlertRow[], now: Date, newId: () => string): AlertNotification[] {
  return rows
    .filter((row) => isSilent(row.alert, row.alert_state, row.next_run_at, now.getTime()))
    .map((row) =>
      newNotification({ id: newId(), scheduleId: row.id, event: 'schedule.silent', previous: row.alert_state, failures: row.alert_failures, runId: null, overdueRunAt: row.next_run_at, now }),
    );
}

interface NotificationFacts {
  id: string;
  scheduleId: string;
  event: AlertEvent;
  previous: AlertState;
  failures: number;
  runId: string | null;
  overdueRunAt: Date | null;
  now: Date;
}

function newNotification(facts: NotificationFacts): AlertNotification {
  return {
    id: facts.id,
    schedule_id: facts.scheduleId,
    event: facts.event,
    previous_state: facts.previous,
    failures: facts.failures,
    run_id: facts.runId,
    overdue_run_at: facts.overdueRunAt,
    created_at: facts.now,
    delivery: 'PENDING',
    attempts: 0,
    next_attempt_at: facts.now,
    lease_until: null,
    delivered_at: null,
    last_error: null,
  };
}

/** Returns the columns that a delivery attempt sets. */
export function deliveryColumns(result: { now: Date; delivered: boolean; error: string | null; retryAt: Date | null }) {
  if (result.delivered) return { delivery: 'DELIVERED' as const, delivered_at: result.now, lease_until: null, last_error: null };
  if (result.retryAt === null) return { delivery: 'FAILED' as const, lease_until: null, last_error: result.error };
  return { delivery: 'PENDING' as const, next_attempt_at: result.retryAt, lease_until: null, last_error: result.error };
}
