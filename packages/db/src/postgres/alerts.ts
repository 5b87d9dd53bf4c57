import type { AlertNotification } from '@api-scheduler/core';
import { and, desc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';

import { MIN_SILENCE_MS, alertOutcomeChange, deliveryColumns, silentNotifications } from '../alert-plan.js';
import type { AlertRow } from '../alert-plan.js';
import { checkLeaseMs } from '../input-checks.js';
import type { AlertDeliveryResult, AlertOutcomeInput, ClaimAlertNotificationsInput, SilenceSweepInput } from '../store.js';
import type { PostgresDatabase, PostgresExecutor } from './open-database.js';
import { isActive } from './schedules.js';
import { alertNotifications, schedules } from './schema.js';

const alertColumns = {
  id: schedules.id,
  alert: schedules.alert,
  alert_state: schedules.alert_state,
  alert_failures: schedules.alert_failures,
  next_run_at: schedules.next_run_at,
};

/** Locks the schedule row (FOR UPDATE), so outcomes recorded by several processes apply one after another. */
export async function recordAlertOutcome(db: PostgresDatabase, input: AlertOutcomeInput): Promise<AlertNotification | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select(alertColumns).from(schedules).where(eq(schedules.id, input.scheduleId)).for('update');
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
  });
}

/**
 * Skips rows another transaction holds (SKIP LOCKED): a schedule being
 * claimed is firing, and a concurrent sweep marks the rows it locked.
 */
export async function markSilentSchedules(db: PostgresDatabase, input: SilenceSweepInput): Promise<AlertNotification[]> {
  return db.transaction(async (tx) => {
    const rows: AlertRow[] = await tx
      .select(alertColumns)
      .from(schedules)
      .where(and(isActive, lte(schedules.next_run_at, new Date(input.now.getTime() - MIN_SILENCE_MS)), isNotNull(schedules.alert)))
      .for('update', { skipLocked: true });
    const notifications = silentNotifications(rows, input.now, input.newId);
    if (notifications.length === 0) return [];

    await tx
      .update(schedules)
      .set({ alert_state: 'SILENT', alert_changed_at: input.now })
      .where(inArray(schedules.id, notifications.map((notification) => notification.schedule_id)));
    await tx.insert(alertNotifications).values(notifications);
    return notifications;
  });
}

export async function claimAlertNotifications(db: PostgresDatabase, input: ClaimAlertNotificationsInput): Promise<AlertNotification[]> {
  checkLeaseMs(input.leaseMs);
  const leaseUntil = new Date(input.now.getTime() + input.leaseMs);
  return db.transaction(async (tx) => {
    const due = await tx.execute<{ id: string }>(sql`
      SELECT n.id FROM ${alertNotifications} n
      WHERE n.delivery = 'PENDING' AND n.next_attempt_at <= ${input.now} AND (n.lease_until IS NULL OR n.lease_until < ${input.now})
        AND NOT EXISTS (
          SELECT 1 FROM ${alertNotifications} e
          WHERE e.schedule_id = n.schedule_id AND e.delivery = 'PENDING' AND e.id < n.id)
      ORDER BY n.id
      LIMIT ${input.limit}
      FOR UPDATE SKIP LOCKED`);
    if (due.rows.length === 0) return [];
    const claimed = await tx
      .update(alertNotifications)
      .set({ lease_until: leaseUntil, attempts: sql`${alertNotifications.attempts} + 1` })
      .where(inArray(alertNotifications.id, due.rows.map((row) => row.id)))
      .returning();
    return claimed.sort((a, b) => (a.id < b.id ? -1 : 1));
  });
}

export async function finishAlertNotification(db: PostgresExecutor, input: AlertDeliveryResult): Promise<void> {
  await db
    .update(alertNotifications)
    .set(deliveryColumns(input))
    .where(eq(alertNotifications.id, input.id));
}

export async function listAlertNotifications(db: PostgresExecutor, scheduleId: string, limit: number): Promise<AlertNotification[]> {
  return db
    .select()
    .from(alertNotifications)
    .where(eq(alertNotifications.schedule_id, scheduleId))
    .orderBy(desc(alertNotifications.id))
    .limit(limit);
}
