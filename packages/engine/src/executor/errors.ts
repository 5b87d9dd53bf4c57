/** Abort reason when an attempt ran past its `timeoutMs`. */
export class RequestTimeoutError extends Error {
  readonly code = 'ERR_EXECUTOR_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`Request timed out after ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** Abort reason when the caller's signal aborted the attempt, or the executor closed. */
export class RequestInterruptedError extends Error {
  readonly code = 'ERR_EXECUTOR_INTERRUPTED';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RequestInterruptedError';
  }
}

/** Thrown by a target check when a URL or address may not be requested. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_BLOCKED_ADDRESS';

  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}
