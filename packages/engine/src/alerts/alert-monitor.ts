import type { Logger } from 'pino';

import { DEFAULT_RETRY_POLICY, newId } from '@api-scheduler/core';
import type { AlertNotification, Clock, RetryPolicy, Run } from '@api-scheduler/core';
import type { ClaimedFire, Store } from '@api-scheduler/db';

import type { HttpExecutor } from '../executor/index.js';
import { backoffDelayMs } from '../retry-policy.js';
import type { RunObserver } from '../run-observer.js';
import { alertBody, alertPayload } from './alert-payload.js';

export interface AlertMonitorOptions {
  store: Store;
  /** Sends the webhooks through the same address guard as targets. */
  executor: Pick<HttpExecutor, 'execute'>;
  clock: Clock;
  logger: Logger;
  /** Time between silence checks, and between looks for notifications due again, in ms; default 5,000. */
  checkIntervalMs?: number;
  /** Budget of one webhook request, in ms; default 10,000. */
  webhookTimeoutMs?: number;
  /** Delivery attempts before a notification is given up as FAILED; default 10. */
  maxAttempts?: number;
}

const CLAIM_LIMIT = 20;
// Deliveries back off as fires do: 1 s, doubling, at most 5 minutes apart, without jitter.
const DELIVERY_BACKOFF: RetryPolicy = { ...DEFAULT_RETRY_POLICY, initial_delay_ms: 1_000, multiplier: 2, max_delay_ms: 300_000, jitter: 'none' };

/**
 * Keeps each schedule's alert state and sends its notifications. Fire
 * outcomes arrive as a run observer; a timer checks for silent schedules and
 * for deliveries due again. The state change and its notification are
 * written in one transaction and sent from that outbox, so a notification is
 * made once whichever process records the change, and survives a restart. A
 * process that dies mid-send leaves its notification to be sent again once
 * its lease lapses: receivers can drop the repeat by its Idempotency-Key.
 */
export class AlertMonitor implements RunObserver {
  private readonly logger: Logger;
  private readonly checkIntervalMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly maxAttempts: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  private delivering: Promise<void> | null = null;
  private deliverAgain = false;
  private running = false;

  constructor(private readonly options: AlertMonitorOptions) {
    this.logger = options.logger.child({ component: 'alerts' });
    this.checkIntervalMs = options.checkIntervalMs ?? 5_000;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  /**
   * Checks for silent schedules once, then every checkIntervalMs. Resolves
   * once the first check is written; its webhooks go out in the background,
   * so a slow receiver does not hold up the start.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.markSilent();
    void this.deliver();
    this.schedule();
  }

  /** Stops the timer and waits for outcomes being written and webhooks being sent. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending.size > 0 || this.delivering !== null) {
      await Promise.allSettled([...this.pending, this.delivering]);
    }
  }

  onFireFinished(fire: ClaimedFire, run: Run): void {
    // Most schedules have no alert, and their fires cost no database call here.
    if (fire.schedule.alert === null) return;
    if (run.status !== 'SUCCESS' && run.status !== 'FAILURE') return;
    if (run.error_type === 'INTERRUPTED') return;

    const now = this.options.clock.now();
    this.track(
      this.options.store
        .recordAlertOutcome({ scheduleId: run.schedule_id, runId: run.id, outcome: run.status, now: new Date(now), notificationId: newId(now) })
        .then((notification) => {
          if (notification !== null) this.made([notification]);
        })
        .catch((error: unknown) => this.logger.error({ err: error, schedule_id: run.schedule_id, run_id: run.id }, 'could not record a fire outcome for its alert')),
    );
  }

  /** Marks overdue schedules SILENT and sends what is due. Resolves when the deliveries it started are done. */
  async check(): Promise<void> {
    await this.markSilent();
    await this.deliver();
  }

  private async markSilent(): Promise<void> {
    const now = this.options.clock.now();
    try {
      const notifications = await this.options.store.markSilentSchedules({ now: new Date(now), newId: () => newId(now) });
      this.made(notifications);
    } catch (error) {
      this.logger.error({ err: error }, 'could not check schedules for silence');
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.track(this.check().finally(() => this.schedule()));
    }, this.checkIntervalMs);
    this.timer.unref();
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private made(notifications: AlertNotification[]): void {
    if (notifications.length === 0) return;
    for (const notification of notifications) {
      this.logger.info(
        { schedule_id: notification.schedule_id, notification_id: notification.id, event: notification.event, failures: notification.failures },
        'alert state changed',
      );
    }
    void this.deliver();
  }

  /** Sends every notification due now; a call while sending makes one more round after it. */
  deliver(): Promise<void> {
    if (this.delivering !== null) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      do {
        this.deliverAgain = false;
        await this.deliverDue();
      } while (this.deliverAgain);
    })().finally(() => {
      this.delivering = null;
    });
    return this.delivering;
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      let claimed: AlertNotification[];
      try {
        claimed = await this.options.store.claimAlertNotifications({
          now: new Date(this.options.clock.now()),
          // Longer than a send can take, so no other process sends it meanwhile.
          leaseMs: 6 * this.webhookTimeoutMs,
          limit: CLAIM_LIMIT,
        });
      } catch (error) {
        this.logger.error({ err: error }, 'could not read the alert notifications due');
        return;
      }
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((notification) => this.send(notification)));
      if (claimed.length < CLAIM_LIMIT) return;
    }
  }

  private async send(notification: AlertNotification): Promise<void> {
    const { store, clock } = this.options;
    const ids = { schedule_id: notification.schedule_id, notification_id: notification.id, event: notification.event, attempt: notification.attempts };
    try {
      const schedule = await store.getSchedule(notification.schedule_id);
      // Deleting a schedule deletes its notifications, so only a removed alert is left to handle.
      if (schedule === null || schedule.alert === null) {
        await store.finishAlertNotification({ id: notification.id, now: new Date(clock.now()), delivered: false, error: 'The schedule has no alert any more', retryAt: null });
        return;
      }
      const run = notification.run_id === null ? null : await store.getRun(notification.run_id);
      const body = alertBody(schedule.alert.format, alertPayload(notification, schedule, run));
      const result = await this.options.executor.execute({
        method: 'POST',
        url: schedule.alert.webhook_url,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'api-scheduler-alerts',
          'Idempotency-Key': notification.id,
          'X-Scheduler-Event': notification.event,
        },
        body,
        timeoutMs: this.webhookTimeoutMs,
      });

      const now = clock.now();
      if (result.status === 'SUCCESS') {
        await store.finishAlertNotification({ id: notification.id, now: new Date(now), delivered: true, error: null, retryAt: null });
        this.logger.info({ ...ids, status_code: result.statusCode }, 'alert notification delivered');
        return;
      }

      // The webhook URL stays out of the message and the log: a Slack URL is a credential.
      const error = result.statusCode === null ? `${result.errorType}: ${result.errorMessage}` : `The webhook answered HTTP ${result.statusCode}`;
      // The claim has counted this attempt.
      const attempts = notification.attempts;
      // The address guard blocks the same address on every attempt, so trying again cannot help.
      const lastAttempt = attempts >= this.maxAttempts || result.errorType === 'BLOCKED_ADDRESS';
      const retryAt = lastAttempt ? null : new Date(now + backoffDelayMs(DELIVERY_BACKOFF, attempts));
      await store.finishAlertNotification({ id: notification.id, now: new Date(now), delivered: false, error, retryAt });
      if (retryAt === null) this.logger.error({ ...ids, error }, 'gave up on an alert notification');
      else this.logger.warn({ ...ids, error, retry_at: retryAt.toISOString() }, 'could not deliver an alert notification; it will be sent again');
    } catch (error) {
      this.logger.error({ ...ids, err: error }, 'could not send an alert notification');
    }
  }
}
