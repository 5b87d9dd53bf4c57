/** The forms that GET /metrics returns. */
export type MetricsFormat = 'json' | 'prometheus' | 'openmetrics';

/** Maps a media range of an Accept header to the form it selects, or null for a range that selects none. */
function formatOfMediaRange(range: string): MetricsFormat | null {
  switch (range) {
    case 'application/openmetrics-text':
      return 'openmetrics';
    case 'text/plain':
    case 'text/*':
      return 'prometheus';
    case 'application/json':
    case 'application/*':
    case '*/*':
      return 'json';
    default:
      return null;
  }
}

/**
 * Picks the form of a /metrics response from the request's Accept header:
 * the media range with the highest q value wins, and among equal q values
 * the one listed first. JSON is the default, for a missing header and for
 * one that names none of the three forms. Prometheus by default lists
 * OpenMetrics before text/plain with a lower q, so it gets OpenMetrics.
 */
export function metricsFormatOf(accept: string | undefined): MetricsFormat {
  if (accept === undefined) return 'json';

  let best: { format: MetricsFormat; q: number } | null = null;
  for (const entry of accept.split(',')) {
    const [rawRange = '', ...parameters] = entry.split(';');
    const format = formatOfMediaRange(rawRange.trim().toLowerCase());
    if (format === null) continue;

    let q = 1;
    for (const parameter of parameters) {
      const [name = '', value = ''] = parameter.split('=');
      if (name.trim().toLowerCase() === 'q') q = Number(value.trim());
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (best === null || q > best.q) best = { format, q };
  }
  return best?.format ?? 'json';
}
