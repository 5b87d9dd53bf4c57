import { setTimeout as sleep } from 'node:timers/promises';

import { round, summarize } from './stats.mjs';
import { expectedFires } from './workloads.mjs';

/** Resolves at Unix time `instantMs` (at once if it has passed). */
export async function sleepUntil(instantMs) {
  const remaining = instantMs - Date.now();
  if (remaining > 0) await sleep(remaining);
}

/**
 * Measures lateness on the load target over one window: clears the target's
 * samples at `startAt` (Unix ms), waits `measureMs`, then reads them.
 * Returns the lateness summary and how many requests arrived against how
 * many `workload` should have sent in that time. A request planned before the
 * window that arrives inside it is counted, and one planned inside it that
 * arrives after it is not, so a scheduler that falls behind shows both a
 * growing lateness and fewer requests than expected.
 */
export async function measureLatenessWindow(target, workload, { startAt, measureMs }) {
  await sleepUntil(startAt);
  await target.reset();
  const resetAt = Date.now();
  await sleep(measureMs);
  const stats = await target.stats();
  const windowMs = Date.now() - resetAt;

  const expected = expectedFires(workload, windowMs);
  return {
    lateness_ms: summarize(stats.lateness_ms),
    requests: stats.requests,
    expected_requests: expected,
    received_share: round(stats.requests / expected, 3),
    window_ms: windowMs,
    window_late_start_ms: resetAt - startAt,
  };
}
