import { Semaphore } from './semaphore.js';

/** Releases the slots that `ConcurrencyLimiter.acquire` took. Calling it again does nothing. */
export type ReleaseSlot = () => void;

/**
 * Caps requests in flight globally and per key (an origin). A request takes
 * its key's slot first and a global slot second, so requests queued behind a
 * saturated origin hold no global slot that another origin could use.
 */
export class ConcurrencyLimiter {
  readonly #global: Semaphore;
  readonly #perKey = new Map<string, Semaphore>();
  #active = 0;
  #closeReason: unknown = null;

  constructor(
    maxConcurrency: number,
    private readonly maxPerKey: number,
  ) {
    this.#global = new Semaphore(maxConcurrency);
  }

  /** Requests holding both slots. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    let count = this.#global.waiting;
    for (const semaphore of this.#perKey.values()) {
      count += semaphore.waiting;
    }
    return count;
  }

  /** Waits for a slot under `key` and a global slot. Rejects with the signal's reason if it aborts first. */
  async acquire(key: string, signal?: AbortSignal): Promise<ReleaseSlot> {
    if (this.#closeReason !== null) {
      throw this.#closeReason;
    }

    let keySemaphore = this.#perKey.get(key);
    if (keySemaphore === undefined) {
      keySemaphore = new Semaphore(this.maxPerKey);
      this.#perKey.set(key, keySemaphore);
    }

    try {
      await keySemaphore.acquire(signal);
    } catch (error) {
      this.#dropIfIdle(key, keySemaphore);
      throw error;
    }

    try {
      await this.#global.acquire(signal);
    } catch (error) {
      keySemaphore.release();
      this.#dropIfIdle(key, keySemaphore);
      throw error;
    }

    this.#active += 1;
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      this.#active -= 1;
      this.#global.release();
      keySemaphore.release();
      this.#dropIfIdle(key, keySemaphore);
    };
  }

  /** Rejects every waiting request with `reason`, and every later `acquire` too. */
  close(reason: unknown): void {
    this.#closeReason = reason;
    this.#global.rejectWaiters(reason);
    for (const semaphore of this.#perKey.values()) {
      semaphore.rejectWaiters(reason);
    }
  }

  #dropIfIdle(key: string, semaphore: Semaphore): void {
    if (semaphore.idle && this.#perKey.get(key) === semaphore) {
      this.#perKey.delete(key);
    }
  }
}
