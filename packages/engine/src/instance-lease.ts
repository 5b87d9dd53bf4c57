import type { Logger } from 'pino';

import type { Clock } from '@api-scheduler/core';
import type { Store } from '@api-scheduler/db';

export interface InstanceLeaseOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  /** How long a heartbeat keeps this instance alive in the eyes of the others, in ms. */
  leaseMs: number;
  /** Time between heartbeats, in ms; default a third of the lease, so two may fail before it lapses. */
  heartbeatIntervalMs?: number;
}

export const INTERRUPTED_BY_LAPSED_LEASE = 'The instance that sent this request stopped renewing its lease before the request finished';

/**
 * Keeps this instance's lease alive and takes over after instances that
 * died: on every heartbeat it also marks the RUNNING runs of instances whose
 * lease lapsed as INTERRUPTED. Schedules need no handing over, because every
 * instance claims from the same table.
 */
export class InstanceLease {
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<void> = Promise.resolve();
  private lastRenewedAt: number | null = null;
  private readonly heartbeatIntervalMs: number;

  constructor(private readonly options: InstanceLeaseOptions) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(options.leaseMs / 3));
  }

  /** Records the first heartbeat (a failure throws), reaps once, then renews on a timer. */
  async start(): Promise<void> {
    await this.renew();
    await this.reap();
    this.schedule();
  }

  /** Stops renewing and deletes this instance's row. Its RUNNING runs must be finished first. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.tick;
    try {
      await this.options.store.removeInstance(this.options.instanceId);
    } catch (error) {
      // The row lapses on its own once the lease runs out.
      this.options.logger.warn({ err: error, instance_id: this.options.instanceId }, 'removing the instance row at stop failed');
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick = this.beat().finally(() => {
        if (this.timer !== null) this.schedule();
      });
    }, this.heartbeatIntervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.renew();
    } catch (error) {
      const { instanceId, leaseMs, clock } = this.options;
      const lapsed = this.lastRenewedAt !== null && clock.now() - this.lastRenewedAt > leaseMs;
      this.options.logger[lapsed ? 'error' : 'warn'](
        { err: error, instance_id: instanceId, last_renewed_at: this.lastRenewedAt === null ? null : new Date(this.lastRenewedAt).toISOString() },
        lapsed
          ? 'renewing the instance lease failed and the lease has lapsed, so other instances may mark this instance\'s runs INTERRUPTED'
          : 'renewing the instance lease failed, so it is retried at the next heartbeat',
      );
      return;
    }
    try {
      await this.reap();
    } catch (error) {
      this.options.logger.warn({ err: error, instance_id: this.options.instanceId }, 'interrupting the runs of lapsed instances failed, so it is retried at the next heartbeat');
    }
  }

  private async renew(): Promise<void> {
    const now = this.options.clock.now();
    await this.options.store.heartbeat({ instanceId: this.options.instanceId, now: new Date(now), leaseMs: this.options.leaseMs });
    this.lastRenewedAt = now;
  }

  private async reap(): Promise<void> {
    const result = await this.options.store.reapExpiredInstances({ now: new Date(this.options.clock.now()), message: INTERRUPTED_BY_LAPSED_LEASE });
    if (result.instanceIds.length > 0) {
      this.options.logger.warn(
        { instance_id: this.options.instanceId, lapsed_instances: result.instanceIds, runs: result.runs },
        'recorded the runs of instances whose lease lapsed as INTERRUPTED',
      );
    }
  }
}
