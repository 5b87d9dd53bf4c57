import type { MetricObjectWithValues, MetricValue } from 'prom-client';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

// Units that a metric name ends with in this process (prom-client's default metrics and ours).
const UNIT_SUFFIXES = ['seconds', 'bytes'];

/**
 * Escapes a HELP text or label value for OpenMetrics 1.0: backslash, double
 * quote and line feed. The Prometheus text format escapes no double quote
 * in HELP, so prom-client's own output is not valid OpenMetrics there.
 */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Renders a float as OpenMetrics requires for "le" and "quantile" label
 * values, which it calls canonical numbers. That is Go's %g with the
 * shortest digits, with ".0" appended when there is neither a decimal point
 * nor an exponent: 0.001, 1.0, 100000.0, 1e+06 and 1e-05.
 */
export function canonicalNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';

  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  // Go's %g with the shortest representation switches to an exponent below 1e-4 and from 1e+06 on.
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(labels)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => {
      const text = (name === 'le' || name === 'quantile') && typeof value === 'number' ? canonicalNumber(value) : String(value);
      return `${name}="${escapeText(text)}"`;
    });
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * Renders prom-client's metrics (as Registry.getMetricsAsJSON returns them)
 * in the OpenMetrics 1.0.0 text format: TYPE, UNIT and HELP per family, a
 * counter's family named without "_total" and its samples with it, escaped
 * HELP texts, canonical "le" values, and the closing "# EOF".
 *
 * prom-client 15 renders OpenMetrics itself, but with unescaped double
 * quotes in HELP and "le" values such as "1" where the format requires
 * "1.0", and it renames every counter of the registry while it does.
 */
export function renderOpenMetrics(metrics: MetricObjectWithValues<MetricValue<string>>[]): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    const type = String(metric.type);
    const family = type === 'counter' ? metric.name.replace(/_total$/, '') : metric.name;
    lines.push(`# TYPE ${family} ${type}`);
    const unit = UNIT_SUFFIXES.find((candidate) => family.endsWith(`_${candidate}`));
    if (unit !== undefined) lines.push(`# UNIT ${family} ${unit}`);
    lines.push(`# HELP ${family} ${escapeText(metric.help)}`);

    for (const sample of metric.values) {
      const name = type === 'counter' ? `${family}_total` : ((sample as { metricName?: string }).metricName ?? metric.name);
      lines.push(`${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}
