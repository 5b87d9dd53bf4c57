/** Failures counted from one address within one window. */
interface FailureWindow {
  startedAt: number;
  failures: number;
}

// Past this many tracked addresses, each new failure first drops the windows that have ended.
const PRUNE_THRESHOLD = 10_000;

/**
 * Counts failed authentication attempts per client address in fixed windows,
 * in memory: after `limit` failures within `windowMs`, the address is
 * blocked until its window ends. Each process counts on its own.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, FailureWindow>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a failure. Returns true when this failure used up the address's allowance, so it is blocked from now on. */
  recordFailure(address: string, now: number): boolean {
    if (this.windows.size >= PRUNE_THRESHOLD) this.pruneEnded(now);

    let window = this.windows.get(address);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, failures: 0 };
      this.windows.set(address, window);
    }
    window.failures += 1;
    return window.failures === this.limit;
  }

  /** Returns the whole seconds until the address may try again, or null when it is not blocked. */
  retryAfterSeconds(address: string, now: number): number | null {
    const window = this.windows.get(address);
    if (window === undefined || window.failures < this.limit) return null;

    const remainingMs = window.startedAt + this.windowMs - now;
    if (remainingMs <= 0) {
      this.windows.delete(address);
      return null;
    }
    return Math.ceil(remainingMs / 1000);
  }

  private pruneEnded(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
    }
  }
}
