import type { AlertNotification } from '@api-scheduler/core';
import { and, desc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';

import { MIN_SILENCE_MS, alertOutcomeChange, deliveryColumns, silentNotifications } from '../alert-plan.js';
import type { AlertRow } from '../alert-plan.js';
import { checkLeaseMs } from '../input-checks.js';
import type { AlertDeliveryResult, AlertOutcomeInput, ClaimAlertNotificationsInput, SilenceSweepInput } from '../store.js';
import type { LibsqlDatabase, LibsqlExecutor } from './open-database.js';
import { isActive } from './schedules.js';
import { alertNotifications, schedules } from './schema.js';

const alertColumns = {
  id: schedules.id,
  alert: schedules.alert,
  alert_state: schedules.alert_state,
  alert_failures: schedules.alert_failures,
  next_run_at: schedules.next_run_at,
};

// Write transactions begin IMMEDIATE, so two processes on one file take
// turns and each reads the state the other one committed.

export async function recordAlertOutcome(db: LibsqlDatabase, input: AlertOutcomeInput): Promise<AlertNotification | null> {
  return db.transaction(
    async (tx) => {
      const [row] = await tx.select(alertColumns).from(schedules).where(eq(schedules.id, input.scheduleId));
      if (row === undefined) return null;
      const change = alertOutcomeChange(row, input.outcome, input.runId, input.now, input.notificationId);
      if (change === null) return null;

      await tx
        .update(schedules)
        .set({
          alert_state: change.alert_state,
          alert_failures: change.alert_failures,
          ...(change.alert_changed_at === null ? {} : { alert_changed_at: change.alert_changed_at }),
        })
        .where(eq(schedules.id, input.scheduleId));
      if (change.notification !== null) await tx.insert(alertNotifications).values(change.notification);
      return change.notification;
    },
    { behavior: 'immediate' },
  );
}

export async function markSilentSchedules(db: LibsqlDatabase, input: SilenceSweepInput): Promise<AlertNotification[]> {
  return db.transaction(
    async (tx) => {
      // Only overdue ACTIVE schedules can be silent: a range search of schedules_due_idx.
      const rows: AlertRow[] = await tx
        .select(alertColumns)
        .from(schedules)
        .where(and(isActive, lte(schedules.next_run_at, new Date(input.now.getTime() - MIN_SILENCE_MS)), isNotNull(schedules.alert)));
      const notifications = silentNotifications(rows, input.now, input.newId);
      if (notifications.length === 0) return [];

      await tx
        .update(schedules)
        .set({ alert_state: 'SILENT', alert_changed_at: input.now })
        .where(inArray(schedules.id, notifications.map((notification) => notification.schedule_id)));
      await tx.insert(alertNotifications).values(notifications);
      return notifications;
    },
    { behavior: 'immediate' },
  );
}

export async function claimAlertNotifications(db: LibsqlDatabase, input: ClaimAlertNotificationsInput): Promise<AlertNotification[]> {
  checkLeaseMs(input.leaseMs);
  const now = input.now.getTime();
  const leaseUntil = now + input.leaseMs;
  return db.transaction(
    async (tx) => {
      const due = await tx.all<{ id: string }>(sql`
        SELECT n.id FROM ${alertNotifications} n
        WHERE n.delivery = 'PENDING' AND n.next_attempt_at <= ${now} AND (n.lease_until IS NULL OR n.lease_until < ${now})
          AND NOT EXISTS (
            SELECT 1 FROM ${alertNotifications} e
            WHERE e.schedule_id = n.schedule_id AND e.delivery = 'PENDING' AND e.id < n.id)
        ORDER BY n.id
        LIMIT ${input.limit}`);
      if (due.length === 0) return [];
      return tx
        .update(alertNotifications)
        .set({ lease_until: new Date(leaseUntil), attempts: sql`${alertNotifications.attempts} + 1` })
        .where(inArray(alertNotifications.id, due.map((row) => row.id)))
        .returning()
        .then((rows) => rows.sort((a, b) => (a.id < b.id ? -1 : 1)));
    },
    { behavior: 'immediate' },
  );
}

export async function finishAlertNotification(db: LibsqlExecutor, input: AlertDeliveryResult): Promise<void> {
  await db
    .update(alertNotifications)
    .set(deliveryColumns(input))
    .where(eq(alertNotifications.id, input.id));
}

export async function listAlertNotifications(db: LibsqlExecutor, scheduleId: string, limit: number): Promise<AlertNotification[]> {
  return db
    .select()
    .from(alertNotifications)
    .where(eq(alertNotifications.schedule_id, scheduleId))
    .orderBy(desc(alertNotifications.id))
    .limit(limit);
}

