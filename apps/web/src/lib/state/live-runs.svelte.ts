import { pendingProcedures } from '../api/client';
import { describeError } from '../api/errors';
import type { RunEvent } from '../api/types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

type Listener = (event: RunEvent) => void;

/**
 * The one runs.onRun subscription of the page, shared by every view that
 * shows runs. The tRPC link reconnects on its own after a dropped stream;
 * `status` tells the header what to show meanwhile.
 */
class LiveRuns {
  status = $state<LiveStatus>('connecting');
  lastError = $state<string | null>(null);
  #listeners = new Set<Listener>();
  #stop: (() => void) | null = null;

  start(): void {
    if (this.#stop !== null) return;
    this.status = 'connecting';
    this.#stop = pendingProcedures.onRun(
      {},
      {
        onStarted: () => {
          this.status = 'live';
          this.lastError = null;
        },
        onData: (event) => {
          this.status = 'live';
          for (const listener of this.#listeners) listener(event);
        },
        onConnectionStateChange: (state, error) => {
          if (state === 'connecting' && this.status === 'live') this.status = 'reconnecting';
          if (state === 'pending') this.status = 'live';
          if (error) this.lastError = describeError(error);
        },
        // Called when the server rejects the subscription itself, such as a missing procedure or scope: the link does not retry it.
        onError: (error) => {
          this.status = 'unavailable';
          this.lastError = describeError(error);
          this.#stop = null;
        },
      },
    );
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  /** Calls `listener` with each run event; returns the function that removes it. */
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
