// Checks that each planned slot of INTERVAL schedules reached the load
// target exactly once, from the Idempotency-Keys (SCHEDULE_ID:PLANNED_UNIX_MS)
// that the target counted.

/**
 * Returns the Idempotency-Keys (SCHEDULE_ID:PLANNED_UNIX_MS) of every slot of
 * `schedules` planned from each schedule's first slot up to and including
 * `untilMs`.
 */
export function plannedSlotKeys(schedules, intervalSeconds, untilMs) {
  const intervalMs = intervalSeconds * 1_000;
  const keys = [];
  for (const { id, firstPlannedMs } of schedules) {
    for (let planned = firstPlannedMs; planned <= untilMs; planned += intervalMs) keys.push(`${id}:${planned}`);
  }
  return keys;
}

/**
 * Compares the Idempotency-Key counts the load target received with the
 * slots that had to fire (`requiredKeys`). Keys in `optionalKeys` (slots
 * planned so close to the stop that they may or may not have fired) may be
 * missing. Returns the counts and up to five examples of each problem:
 * keys received more than once, required keys never received, and keys
 * received that are not in either list.
 */
export function compareSlotKeys(receivedCounts, requiredKeys, optionalKeys = []) {
  const required = new Set(requiredKeys);
  const optional = new Set(optionalKeys);
  const duplicates = [];
  const unexpected = [];
  for (const [key, count] of Object.entries(receivedCounts)) {
    if (count > 1) duplicates.push(`${key} ×${count}`);
    if (!required.has(key) && !optional.has(key)) unexpected.push(key);
  }
  const missing = requiredKeys.filter((key) => receivedCounts[key] === undefined);
  return {
    received_keys: Object.keys(receivedCounts).length,
    required_keys: required.size,
    duplicate_keys: duplicates.length,
    missing_keys: missing.length,
    unexpected_keys: unexpected.length,
    examples: { duplicates: duplicates.slice(0, 5), missing: missing.slice(0, 5), unexpected: unexpected.slice(0, 5) },
  };
}

/** Throws when `comparison` (from compareSlotKeys) shows a duplicate, missing or unexpected key. */
export function assertEverySlotOnce(comparison, label) {
  const { duplicate_keys: duplicates, missing_keys: missing, unexpected_keys: unexpected } = comparison;
  if (duplicates === 0 && missing === 0 && unexpected === 0) return;
  throw new Error(
    `${label}: ${duplicates} duplicate, ${missing} missing and ${unexpected} unexpected Idempotency-Keys at the load target ` +
      `(${comparison.received_keys} received, ${comparison.required_keys} required). Examples: ${JSON.stringify(comparison.examples)}`,
  );
}
