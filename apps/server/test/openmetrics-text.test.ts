import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { canonicalNumber, renderOpenMetrics } from '../src/metrics/openmetrics-text.js';
import { OpenMetricsError, isCanonicalNumber, parseOpenMetrics } from './support/openmetrics-text.js';

const VALID = `# TYPE acme_requests counter
# HELP acme_requests Requests by path, with \\"quotes\\", a backslash \\\\ and a line\\nfeed.
acme_requests_total{path="/a\\"b\\\\c\\nd",method="GET"} 3
acme_requests_created{path="/a\\"b\\\\c\\nd",method="GET"} 1605281325.0
# TYPE acme_latency_seconds histogram
# UNIT acme_latency_seconds seconds
# HELP acme_latency_seconds Latency.
acme_latency_seconds_bucket{le="0.001"} 0
acme_latency_seconds_bucket{le="1.0"} 2
acme_latency_seconds_bucket{le="1e+06"} 3
acme_latency_seconds_bucket{le="+Inf"} 3
acme_latency_seconds_count 3
acme_latency_seconds_sum 1.5
# TYPE acme_up gauge
acme_up 1
# EOF
`;

describe('parseOpenMetrics', () => {
  it('parses a valid exposition', () => {
    const families = parseOpenMetrics(VALID);

    expect([...families.keys()]).toEqual(['acme_requests', 'acme_latency_seconds', 'acme_up']);
    const requests = families.get('acme_requests')!;
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('Requests by path, with "quotes", a backslash \\ and a line\nfeed.');
    expect(requests.samples[0]!.labels).toEqual({ path: '/a"b\\c\nd', method: 'GET' });
    expect(families.get('acme_latency_seconds')!.unit).toBe('seconds');
    expect(families.get('acme_latency_seconds')!.samples).toHaveLength(6);
  });

  // Each case changes the valid exposition in one way that the format forbids.
  it.each([
    ['no # EOF', VALID.replace('# EOF\n', ''), 'must end with "# EOF"'],
    ['a line after # EOF', `${VALID}acme_up 1\n`, 'must end with "# EOF"'],
    ['an empty line', VALID.replace('# TYPE acme_up', '\n# TYPE acme_up'), 'empty lines'],
    ['a carriage return', VALID.replace('acme_up 1\n', 'acme_up 1\r\n'), '\\r'],
    ['another comment', VALID.replace('# TYPE acme_up gauge', '# a comment\n# TYPE acme_up gauge'), 'only comment lines allowed'],
    ['an unescaped quote in HELP', VALID.replace('# HELP acme_latency_seconds Latency.', '# HELP acme_latency_seconds "Latency".'), 'unescaped double quote'],
    ['an unknown escape in a label', VALID.replace('method="GET"', 'method="G\\ET"'), 'invalid escape'],
    ['a counter sample without _total', VALID.replace('acme_requests_total{', 'acme_requests{'), 'acme_requests'],
    ['a counter family named _total', VALID.replaceAll('acme_requests', 'acme_requests_total').replace('acme_requests_total_created', 'acme_requests_total_created'), 'without _total'],
    ['a duplicate series', VALID.replace('acme_up 1\n', 'acme_up 1\nacme_up 2\n'), 'duplicate sample'],
    ['interleaved families', VALID.replace('# TYPE acme_up gauge\nacme_up 1\n', 'acme_requests_total{path="x"} 1\n# TYPE acme_up gauge\nacme_up 1\n'), 'appears a second time'],
    ['metadata after samples', VALID.replace('acme_up 1\n', 'acme_up 1\n# HELP acme_up Up.\n'), 'comes after its samples'],
    ['a second TYPE', VALID.replace('# TYPE acme_up gauge', '# TYPE acme_up gauge\n# TYPE acme_up gauge'), 'second # TYPE'],
    ['a unit that is not the suffix', VALID.replace('# UNIT acme_latency_seconds seconds', '# UNIT acme_latency_seconds bytes'), 'must end with _bytes'],
    ['buckets out of order', VALID.replace('le="0.001"} 0', 'le="2.0"} 0'), 'out of order'],
    ['no +Inf bucket', VALID.replace('acme_latency_seconds_bucket{le="+Inf"} 3\n', ''), 'le="+Inf"'],
    ['_count unlike +Inf', VALID.replace('acme_latency_seconds_count 3', 'acme_latency_seconds_count 4'), 'but its +Inf bucket is 3'],
    ['decreasing buckets', VALID.replace('le="1.0"} 2', 'le="1.0"} 4'), 'decreases'],
    ['a non-canonical le', VALID.replace('le="1.0"', 'le="1"'), 'not a canonical number'],
    ['_sum without _count', VALID.replace('acme_latency_seconds_count 3\n', ''), 'exactly when'],
    ['a bucket with a decimal count', VALID.replace('le="1.0"} 2', 'le="1.0"} 2.0'), 'integer'],
    ['a negative counter', VALID.replace('method="GET"} 3', 'method="GET"} -3'), 'non-negative'],
    ['a space in the labels', VALID.replace(',method="GET"', ', method="GET"'), 'invalid label name'],
    ['a reserved label name', VALID.replace('acme_up 1', 'acme_up{__name__="x"} 1'), 'reserved'],
    ['a repeated label', VALID.replace('acme_up 1', 'acme_up{a="1",a="2"} 1'), 'appears twice'],
    ['an invalid value', VALID.replace('acme_up 1', 'acme_up one'), 'invalid value'],
    ['a clash of sample names', VALID.replace('# TYPE acme_up gauge\nacme_up 1', '# TYPE acme_requests_created gauge\nacme_requests_created 1'), 'can both have samples named acme_requests_created'],
    ['a gauge that clashes with a counter', VALID.replace('# TYPE acme_up gauge\nacme_up 1', '# TYPE acme_requests_total gauge\nacme_requests_total 1'), 'can both have samples named acme_requests_total'],
  ])('rejects %s', (_case, text, message) => {
    expect(() => parseOpenMetrics(text)).toThrow(OpenMetricsError);
    expect(() => parseOpenMetrics(text)).toThrow(message);
  });
});

describe('isCanonicalNumber', () => {
  // The examples of canonical numbers in the OpenMetrics 1.0 specification, and their non-canonical forms.
  it.each(['0.0', '0.001', '0.002', '0.01', '0.1', '0.9', '0.95', '0.99', '0.999', '1.0', '1.7', '10.0', '1e-10', '1e-09', '1e-05', '0.0001', '100000.0', '1e+06', '1e+10', '+Inf'])(
    'accepts %s',
    (text) => {
      expect(isCanonicalNumber(text)).toBe(true);
    },
  );

  it.each(['1', '10', '0.10', '1e6', '1e+6', '1000000.0', '0.00001', '1.0e+06', '01.0', 'Inf', '+inf'])('rejects %s', (text) => {
    expect(isCanonicalNumber(text)).toBe(false);
  });
});

describe('canonicalNumber', () => {
  it.each([
    [0, '0.0'],
    [0.001, '0.001'],
    [0.0005, '0.0005'],
    [0.95, '0.95'],
    [1, '1.0'],
    [2.5, '2.5'],
    [10, '10.0'],
    [60, '60.0'],
    [1e-10, '1e-10'],
    [1e-5, '1e-05'],
    [0.00011, '0.00011'],
    [100000, '100000.0'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1.1e23, '1.1e+23'],
    [Infinity, '+Inf'],
  ])('renders %d as %s', (value, expected) => {
    expect(canonicalNumber(value)).toBe(expected);
    expect(isCanonicalNumber(expected)).toBe(true);
  });
});

describe('renderOpenMetrics', () => {
  it('renders a registry that the strict parser accepts', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'test_events_total', help: 'Events with "quotes" and a \\ backslash.', labelNames: ['kind'], registers: [registry] });
    const histogram = new Histogram({ name: 'test_wait_seconds', help: 'Wait.', labelNames: ['queue'], buckets: [0.0005, 1, 10, 60], registers: [registry] });
    new Gauge({ name: 'test_queue_bytes', help: 'Queue size.', registers: [registry] }).set(42);
    new Gauge({ name: 'test_empty', help: 'A gauge without samples.', labelNames: ['kind'], registers: [registry] });
    counter.inc({ kind: 'a "quoted"\nvalue\\' }, 2);
    histogram.observe({ queue: 'q' }, 0.5);
    histogram.observe({ queue: 'q' }, 120);

    const text = renderOpenMetrics(await registry.getMetricsAsJSON());
    const families = parseOpenMetrics(text);

    expect(families.get('test_events')!.type).toBe('counter');
    expect(families.get('test_events')!.help).toBe('Events with "quotes" and a \\ backslash.');
    expect(families.get('test_events')!.samples[0]!.labels.kind).toBe('a "quoted"\nvalue\\');
    expect(families.get('test_events')!.samples[0]!.name).toBe('test_events_total');
    expect(families.get('test_wait_seconds')!.unit).toBe('seconds');
    expect(families.get('test_wait_seconds')!.samples.map((sample) => sample.labels.le ?? sample.name)).toEqual(['0.0005', '1.0', '10.0', '60.0', '+Inf', 'test_wait_seconds_sum', 'test_wait_seconds_count']);
    expect(families.get('test_queue_bytes')!.unit).toBe('bytes');
    expect(families.get('test_empty')!.samples).toEqual([]);
    // The registry keeps its names, so a later text-format scrape still shows test_events_total.
    expect(await registry.metrics()).toContain('# TYPE test_events_total counter');
  });
});
