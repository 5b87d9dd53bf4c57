import { PerformanceObserver } from 'node:perf_hooks';

import { round } from './stats.mjs';

/**
 * Starts recording this process's garbage collection pauses. `stop()` ends
 * the recording and returns their count, total and max duration in ms, so a
 * benchmark can tell a lateness spike caused by GC from one caused by I/O.
 */
export function trackGcPauses() {
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count += 1;
      totalMs += entry.duration;
      maxMs = Math.max(maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  return {
    stop() {
      observer.disconnect();
      return { count, total_ms: round(totalMs), max_ms: round(maxMs) };
    },
  };
}
