import type { PruneRunsInput } from './store.js';

// Argument checks that every store makes the same way, before any query.

/** Throws RangeError unless the lease is a positive whole number of milliseconds. */
export function checkLeaseMs(leaseMs: number): void {
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`leaseMs must be a positive integer number of milliseconds, got ${leaseMs}`);
  }
}

/** Throws RangeError for a negative or fractional limit or keepPerSchedule, or an invalid olderThan. */
export function checkPruneInput(input: PruneRunsInput): void {
  if (!Number.isSafeInteger(input.limit) || input.limit < 0) {
    throw new RangeError(`pruneRuns limit must be a whole number of 0 or more (got ${input.limit})`);
  }
  if (input.keepPerSchedule !== null && (!Number.isSafeInteger(input.keepPerSchedule) || input.keepPerSchedule < 0)) {
    throw new RangeError(`pruneRuns keepPerSchedule must be null or a whole number of 0 or more (got ${input.keepPerSchedule})`);
  }
  if (input.olderThan !== null && Number.isNaN(input.olderThan.getTime())) {
    throw new RangeError('pruneRuns olderThan must be null or a valid Date');
  }
}
