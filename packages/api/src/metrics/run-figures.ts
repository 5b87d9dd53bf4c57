import type { RunMinuteCounts } from '@api-scheduler/db';

export const MINUTE_MS = 60_000;

/**
 * Returns the nearest-rank percentile `p` (0..1) of `values`: the value at
 * rank ceil(p·n) in ascending order, the definition the stores use. Null
 * when there is no value.
 */
export function nearestRankPercentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Returns SUCCESS runs divided by finished (SUCCESS + FAILURE) runs, or null when none has finished. */
export function successRate(success: number, failure: number): number | null {
  const finished = success + failure;
  return finished === 0 ? null : success / finished;
}

/**
 * Lists `count` whole minutes ending with the one that contains `now`, oldest
 * first, with the counts of `perMinute` and zeros for minutes it lacks.
 */
export function fillMinutes(perMinute: readonly RunMinuteCounts[], now: number, count: number): RunMinuteCounts[] {
  const byMinute = new Map(perMinute.map((counts) => [counts.minute.getTime(), counts]));
  const last = Math.floor(now / MINUTE_MS) * MINUTE_MS;

  const minutes: RunMinuteCounts[] = [];
  for (let index = count - 1; index >= 0; index -= 1) {
    const minute = last - index * MINUTE_MS;
    const counts = byMinute.get(minute);
    minutes.push({ minute: new Date(minute), success: counts?.success ?? 0, failure: counts?.failure ?? 0, skipped: counts?.skipped ?? 0 });
  }
  return minutes;
}
