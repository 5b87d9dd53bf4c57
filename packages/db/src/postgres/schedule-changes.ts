import pg from 'pg';
import type { ClientConfig } from 'pg';

import type { StoreLogger } from '../logger.js';

/** The NOTIFY channel that createSchedule and updateSchedule send on, with the schedule id as payload. */
export const SCHEDULE_CHANNEL = 'api_scheduler_schedules';

const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 30_000;

type Listener = () => void;

/**
 * Delivers schedule change notifications to the listeners of one store over
 * one dedicated connection that LISTENs on SCHEDULE_CHANNEL. A pooled
 * connection cannot do this job, because LISTEN belongs to the session and
 * the pool hands sessions to other queries.
 *
 * When the connection drops, it reconnects with exponential backoff (250 ms
 * doubling up to 30 s) and then wakes every listener once, because changes
 * made while it was away sent notifications that no one received.
 */
export class ScheduleChangeListener {
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  /** Settles when the first connection is listening; null while there are no listeners. */
  private started: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  /** Counts stops, so a connection opened before a stop does not keep running after it. */
  private generation = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Adds a listener, connecting first if none was listening. Rejects, without
   * adding the listener, when the first connection fails.
   */
  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    if (this.started === null) {
      const started = this.connect(this.generation);
      this.started = started;
      started.catch(() => {
        if (this.started === started) this.started = null;
      });
    }
    await this.started;

    this.listeners.add(listener);
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.stop();
    };
  }

  /** Closes the connection and cancels any reconnect. Listeners added later connect again. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.listeners.clear();
    this.started = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryDelayMs = FIRST_RETRY_DELAY_MS;

    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(generation: number): Promise<void> {
    const client = new pg.Client(this.config);
    // Both events can follow one failure; the first one schedules the reconnect.
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || generation !== this.generation) return;
      lost = true;
      this.client = null;
      this.logger.warn({ err: error, channel: SCHEDULE_CHANNEL }, 'The schedule change listener lost its PostgreSQL connection and will reconnect');
      this.scheduleReconnect(generation);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === SCHEDULE_CHANNEL) this.wakeListeners();
    });

    try {
      await client.connect();
      await client.query(`LISTEN ${SCHEDULE_CHANNEL}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => undefined);
      throw error;
    }

    if (generation !== this.generation) {
      // stop() ran while this connection was opening.
      lost = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(generation: number): void {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect(generation).then(
        () => {
          if (generation !== this.generation) return;
          this.retryDelayMs = FIRST_RETRY_DELAY_MS;
          this.logger.info({ channel: SCHEDULE_CHANNEL }, 'The schedule change listener reconnected');
          this.wakeListeners();
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          this.logger.warn({ err: error, channel: SCHEDULE_CHANNEL, retry_in_ms: this.retryDelayMs }, 'The schedule change listener could not reconnect');
          this.scheduleReconnect(generation);
        },
      );
    }, delay);
    // A pending reconnect alone does not keep the process alive.
    this.retryTimer.unref();
  }

  private wakeListeners(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error, channel: SCHEDULE_CHANNEL }, 'A schedule change listener threw');
      }
    }
  }
}
