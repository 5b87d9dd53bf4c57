interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
}

/** Counting semaphore whose waiters get permits in FIFO order. */
export class Semaphore {
  #available: number;
  // A Set keeps insertion order and removes an aborted waiter in O(1).
  readonly #waiters = new Set<Waiter>();

  constructor(readonly capacity: number) {
    this.#available = capacity;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  /** True when no permit is taken and no waiter is queued. */
  get idle(): boolean {
    return this.#available === this.capacity && this.#waiters.size === 0;
  }

  /** Takes a permit, waiting for one if none is free. Rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    if (this.#available > 0 && this.#waiters.size === 0) {
      this.#available -= 1;
      return Promise.resolve();
    }

    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Returns a permit, handing it straight to the first waiter if there is one. */
  release(): void {
    const next = this.#waiters.values().next();
    if (next.done) {
      this.#available = Math.min(this.capacity, this.#available + 1);
      return;
    }

    this.#waiters.delete(next.value);
    next.value.resolve();
  }

  /** Rejects every waiter with `reason`. Permits already taken stay taken. */
  rejectWaiters(reason: unknown): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) {
      waiter.reject(reason);
    }
  }
}
