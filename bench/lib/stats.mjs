/** Summarises samples (milliseconds) as count, p50, p95, p99 and max, rounded to 0.1 ms. */
export function summarize(samples) {
  if (samples.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  const at = (quantile) => round(sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[sorted.length - 1]) };
}

export const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
