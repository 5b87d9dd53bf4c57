/** Size limits on what clients may store, so one request cannot bloat the database. */
export const LIMITS = {
  nameLength: 200,
  urlLength: 2_048,
  headerCount: 64,
  headerNameLength: 256,
  headerValueLength: 8_192,
  bodyTemplateBytes: 256 * 1024,
  minTimeoutMs: 100,
  maxTimeoutMs: 300_000,
  defaultTimeoutMs: 10_000,
  minIntervalSeconds: 1,
  // 366 days: a longer cadence belongs in a CRON or ONCE schedule.
  maxIntervalSeconds: 31_622_400,
  maxRuns: 1_000_000_000,
  cronExpressionLength: 200,
  pageSizeDefault: 50,
  pageSizeMax: 1_000,
} as const;
