import { trpc } from '../api/client';
import { describeError } from '../api/errors';
import type { RunEvent } from '../api/types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

/** Receives each run event, or null after the stream reconnected: events of the gap are not replayed, so reload lists then. */
type Listener = (event: RunEvent | null) => void;

// Backoff between attempts to open the stream after a failure: 1 s, 2 s, 4 s … up to 60 s.
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const UNAVAILABLE_AFTER_FAILURES = 3;

/**
 * The one runs.onRun subscription of the page, shared by every view that
 * shows runs. The header shows its `status`: whether events arrive.
 */
class LiveRuns {
  status = $state<LiveStatus>('connecting');
  lastError = $state<string | null>(null);
  #listeners = new Set<Listener>();
  #stop: (() => void) | null = null;
  #failures = 0;
  #connectedBefore = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.#stop !== null) return;
    this.#clearRetry();
    if (this.status !== 'unavailable') this.status = this.#failures > 0 ? 'reconnecting' : 'connecting';
    const subscription = trpc.runs.onRun.subscribe(
      {},
      {
        onStarted: () => {
          this.status = 'live';
          this.lastError = null;
          this.#failures = 0;
          if (this.#connectedBefore) this.#notify(null);
          this.#connectedBefore = true;
        },
        onData: (event) => {
          this.status = 'live';
          this.#notify(event);
        },
        onConnectionStateChange: ({ state, error }) => {
          if (state === 'pending') {
            this.status = 'live';
            this.#failures = 0;
            return;
          }
          if (state === 'connecting' && error) this.#connectFailed(error);
        },
        // Called when the server ends the stream with an error that tRPC does not retry, such as a missing scope.
        onError: (error) => {
          this.#stop = null;
          this.#connectFailed(error);
        },
      },
    );
    this.#stop = () => subscription.unsubscribe();
  }

  /**
   * Stops the link's own reconnecting and tries again later. EventSource
   * gives up on an HTTP error status (401, 404, 503) and tRPC's link then
   * opens a new one at once, which would send hundreds of requests a
   * second while the server keeps refusing.
   */
  #connectFailed(error: unknown): void {
    this.lastError = describeError(error);
    this.#failures += 1;
    this.#stop?.();
    this.#stop = null;
    this.status = this.#failures >= UNAVAILABLE_AFTER_FAILURES ? 'unavailable' : 'reconnecting';
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.#failures - 1));
    this.#clearRetry();
    this.#retryTimer = setTimeout(() => this.start(), delay);
  }

  #notify(event: RunEvent | null): void {
    for (const listener of this.#listeners) listener(event);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  stop(): void {
    this.#clearRetry();
    this.#stop?.();
    this.#stop = null;
    this.#failures = 0;
    this.status = 'connecting';
  }

  /** Calls `listener` with each run event, and with null after a reconnect; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const liveRuns = new LiveRuns();

/**
 * Returns a function that calls `action` at most once per `intervalMs`,
 * trailing: events that arrive in a burst cause one call at the end of the
 * interval. Pages use it to reload figures after run events.
 */
export function throttle(action: () => void, intervalMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      action();
    }, intervalMs);
  };
}
