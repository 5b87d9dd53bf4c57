const DELAY_SECONDS_PATTERN = /^\d+$/;

// The three HTTP-date forms of RFC 9110, section 5.6.7. Date.parse alone
// would also accept strings such as "1.5" (as 5 January 2001).
const IMF_FIXDATE_PATTERN = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE_PATTERN = /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE_PATTERN = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Parses a Retry-After header value (RFC 9110, section 10.2.3) into a delay in
 * ms from `now` (Unix ms). The value is either whole seconds or an HTTP date,
 * and a date in the past gives 0. Returns null for a missing or invalid value.
 */
export function parseRetryAfter(value: string | string[] | null | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) {
    return null;
  }

  const trimmed = raw.trim();
  if (DELAY_SECONDS_PATTERN.test(trimmed)) {
    const delayMs = Number(trimmed) * 1000;
    return Number.isSafeInteger(delayMs) ? delayMs : null;
  }

  const at = parseHttpDate(trimmed);
  if (at === null) {
    return null;
  }
  return Math.max(0, at - now);
}

function parseHttpDate(text: string): number | null {
  let at = Number.NaN;
  if (IMF_FIXDATE_PATTERN.test(text) || RFC850_DATE_PATTERN.test(text)) {
    at = Date.parse(text);
  } else if (ASCTIME_DATE_PATTERN.test(text)) {
    // asctime dates carry no zone but are UTC, and Date.parse reads a date without a zone as local time.
    at = Date.parse(`${text} GMT`);
  }
  return Number.isNaN(at) ? null : at;
}
