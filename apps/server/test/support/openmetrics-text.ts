/**
 * A strict parser of the OpenMetrics 1.0 text format, for checking what
 * GET /metrics returns. It follows the ABNF and the MUST rules of the
 * specification (prometheus/docs, docs/specs/om/open_metrics_spec.md). It
 * also rejects two things that the specification permits but discourages:
 * backslash escapes other than \\, \" and \n, and a counter whose family
 * name ends in "_total".
 */

export interface OpenMetricsSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The value as written, for checks of its notation. */
  valueText: string;
  timestamp: number | null;
}

export interface OpenMetricsFamily {
  name: string;
  type: string;
  help: string | null;
  unit: string | null;
  samples: OpenMetricsSample[];
}

export class OpenMetricsError extends Error {
  constructor(lineNumber: number | null, reason: string, line?: string) {
    super(lineNumber === null ? reason : `line ${lineNumber}: ${reason}${line === undefined ? '' : `: ${JSON.stringify(line)}`}`);
    this.name = 'OpenMetricsError';
  }
}

const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown'];

/** Suffixes that the sample names of each type add to the family name. */
const SAMPLE_SUFFIXES: Record<string, string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  stateset: [''],
  info: ['_info'],
  summary: ['', '_count', '_sum', '_created'],
  unknown: [''],
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const REAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DESCRIPTOR = /^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/;

/** Parses an OpenMetrics number: a real number, [+-]Inf or Infinity, or NaN, case-insensitive. Returns null for anything else. */
export function parseNumber(text: string): number | null {
  if (REAL_NUMBER.test(text)) return Number(text);
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return null;
}

/**
 * Tells whether a number is written as OpenMetrics requires for "le" and
 * "quantile" label values: Go's %g notation with ".0" added to a value
 * without a decimal point or exponent (0.001, 1.0, 100000.0, 1e+06, 1e-05).
 * Fixed notation is for absolute values from 1e-4 up to 1e6, and neither
 * form has extra zeros. Whether the digits are the shortest that
 * round-trip is not checked.
 */
export function isCanonicalNumber(text: string): boolean {
  if (text === '+Inf' || text === '-Inf' || text === 'NaN') return true;
  const value = Number(text);
  if (!Number.isFinite(value)) return false;

  const fixed = /^-?(0|[1-9]\d*)\.(\d+)$/.exec(text);
  if (fixed !== null) {
    const fraction = fixed[2]!;
    const zerosRight = Number.isInteger(value) ? fraction === '0' : !fraction.endsWith('0');
    const inRange = value === 0 || (Math.abs(value) >= 1e-4 && Math.abs(value) < 1e6);
    return zerosRight && inRange;
  }

  const exponential = /^-?[1-9](?:\.\d*[1-9])?e([+-])(\d{2}|[1-9]\d{2,})$/.exec(text);
  if (exponential === null) return false;
  const exponent = Number(`${exponential[1]}${exponential[2]}`);
  return exponent < -4 || exponent >= 6;
}

/** Reads an escaped string up to the closing double quote; returns the text and the index after the quote. */
function readQuoted(line: string, start: number, lineNumber: number): { text: string; end: number } {
  let text = '';
  for (let index = start; index < line.length; index += 1) {
    const character = line[index]!;
    if (character === '"') return { text, end: index + 1 };
    if (character !== '\\') {
      text += character;
      continue;
    }
    const escaped = line[index + 1];
    if (escaped === 'n') text += '\n';
    else if (escaped === '"' || escaped === '\\') text += escaped;
    else throw new OpenMetricsError(lineNumber, `invalid escape "\\${escaped ?? ''}" (only \\\\, \\" and \\n)`, line);
    index += 1;
  }
  throw new OpenMetricsError(lineNumber, 'unterminated label value', line);
}

/** Unescapes a HELP text, rejecting a bare double quote and escapes other than \\, \" and \n. */
function unescapeHelp(text: string, lineNumber: number, line: string): string {
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (character === '"') throw new OpenMetricsError(lineNumber, 'unescaped double quote in HELP', line);
    if (character !== '\\') {
      result += character;
      continue;
    }
    const escaped = text[index + 1];
    if (escaped === 'n') result += '\n';
    else if (escaped === '"' || escaped === '\\') result += escaped;
    else throw new OpenMetricsError(lineNumber, `invalid escape "\\${escaped ?? ''}" in HELP`, line);
    index += 1;
  }
  return result;
}

/** Reads `{name="value",…}` from `start`; returns the labels and the index after the closing brace. */
function readLabels(line: string, start: number, lineNumber: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let index = start + 1;
  if (line[index] === '}') return { labels, end: index + 1 };

  for (;;) {
    const name = LABEL_NAME.exec(line.slice(index))?.[0];
    if (name === undefined) throw new OpenMetricsError(lineNumber, 'invalid label name', line);
    if (name.startsWith('_')) throw new OpenMetricsError(lineNumber, `label name ${name} starts with an underscore, which is reserved`, line);
    if (name in labels) throw new OpenMetricsError(lineNumber, `label ${name} appears twice`, line);
    index += name.length;
    if (line.slice(index, index + 2) !== '="') throw new OpenMetricsError(lineNumber, `label ${name} needs ="value"`, line);

    const value = readQuoted(line, index + 2, lineNumber);
    labels[name] = value.text;
    index = value.end;
    if (line[index] === '}') return { labels, end: index + 1 };
    if (line[index] !== ',') throw new OpenMetricsError(lineNumber, 'labels must be separated by a comma, with no space', line);
    index += 1;
  }
}

function parseSample(line: string, lineNumber: number): OpenMetricsSample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) throw new OpenMetricsError(lineNumber, 'invalid metric name', line);
  let index = name.length;

  let labels: Record<string, string> = {};
  if (line[index] === '{') ({ labels, end: index } = readLabels(line, index, lineNumber));
  if (line[index] !== ' ') throw new OpenMetricsError(lineNumber, 'a single space must separate the sample name or labels from the value', line);

  // Value, optional timestamp, optional exemplar " # {labels} value [timestamp]".
  const rest = line.slice(index + 1);
  const exemplarAt = rest.indexOf(' # ');
  const fields = (exemplarAt === -1 ? rest : rest.slice(0, exemplarAt)).split(' ');
  if (fields.length > 2 || fields.some((field) => field === '')) throw new OpenMetricsError(lineNumber, 'expected a value and at most a timestamp', line);

  const value = parseNumber(fields[0]!);
  if (value === null) throw new OpenMetricsError(lineNumber, `invalid value "${fields[0]}"`, line);
  let timestamp: number | null = null;
  if (fields[1] !== undefined) {
    if (!REAL_NUMBER.test(fields[1])) throw new OpenMetricsError(lineNumber, `invalid timestamp "${fields[1]}"`, line);
    timestamp = Number(fields[1]);
  }
  if (exemplarAt !== -1) {
    const exemplar = rest.slice(exemplarAt + 3);
    if (!exemplar.startsWith('{')) throw new OpenMetricsError(lineNumber, 'an exemplar starts with its labels', line);
    const { end } = readLabels(exemplar, 0, lineNumber);
    const exemplarFields = exemplar.slice(end + 1).split(' ');
    if (exemplar[end] !== ' ' || exemplarFields.length > 2 || parseNumber(exemplarFields[0] ?? '') === null) {
      throw new OpenMetricsError(lineNumber, 'invalid exemplar', line);
    }
  }
  return { name, labels, value, valueText: fields[0]!, timestamp };
}

/** Serializes a label set independently of the order of its labels. */
function labelSetKey(labels: Record<string, string>, excluded: string | null = null): string {
  const entries = Object.entries(labels).filter(([name]) => name !== excluded);
  // Label names are ASCII, so code-unit order is enough and the same on every locale.
  entries.sort(([left], [right]) => {
    if (left === right) return 0;
    return left < right ? -1 : 1;
  });
  return JSON.stringify(entries);
}

/** Serializes the label set that identifies a Metric within its family: the sample's labels without le (buckets) or quantile (summaries). */
function metricKey(family: OpenMetricsFamily, sample: OpenMetricsSample): string {
  let excluded: string | null = null;
  if (family.type === 'histogram' || family.type === 'gaugehistogram') excluded = 'le';
  if (family.type === 'summary') excluded = 'quantile';
  return labelSetKey(sample.labels, excluded);
}

function checkSampleOfType(family: OpenMetricsFamily, sample: OpenMetricsSample, lineNumber: number): void {
  const suffix = sample.name.slice(family.name.length);
  const where = `${sample.name} (${family.type} ${family.name})`;
  const isBucketed = family.type === 'histogram' || family.type === 'gaugehistogram';

  if (isBucketed && suffix === '_bucket' && !('le' in sample.labels)) throw new OpenMetricsError(lineNumber, `${where} has no le label`);
  if (isBucketed && suffix !== '_bucket' && 'le' in sample.labels) throw new OpenMetricsError(lineNumber, `${where} must not have an le label`);
  if (suffix === '_bucket' && !isCanonicalNumber(sample.labels.le!)) throw new OpenMetricsError(lineNumber, `${where} has le="${sample.labels.le}", which is not a canonical number such as 1.0 or 1e-05`);
  if (family.type === 'counter' && suffix === '_total' && (Number.isNaN(sample.value) || sample.value < 0)) {
    throw new OpenMetricsError(lineNumber, `${where} must be a non-negative number, not ${sample.valueText}`);
  }
  if (family.type === 'info' && sample.value !== 1) throw new OpenMetricsError(lineNumber, `${where} must have the value 1`);
  if (['_bucket', '_count', '_gcount'].includes(suffix) && isBucketed && !/^\d+$/.test(sample.valueText)) {
    throw new OpenMetricsError(lineNumber, `${where} must be a non-negative integer without a decimal point, not ${sample.valueText}`);
  }
}

/** Checks each histogram Metric: sorted unique buckets ending in +Inf, cumulative counts, and _count equal to the +Inf bucket. */
function checkHistogram(family: OpenMetricsFamily): void {
  const metrics = new Map<string, OpenMetricsSample[]>();
  for (const sample of family.samples) {
    const key = metricKey(family, sample);
    metrics.set(key, [...(metrics.get(key) ?? []), sample]);
  }

  const countSuffix = family.type === 'histogram' ? '_count' : '_gcount';
  const sumSuffix = family.type === 'histogram' ? '_sum' : '_gsum';
  for (const [key, samples] of metrics) {
    const where = `${family.name}${key === '[]' ? '' : ` ${key}`}`;
    const buckets = samples.filter((sample) => sample.name === `${family.name}_bucket`);
    if (buckets.length === 0) throw new OpenMetricsError(null, `${where} has no buckets`);

    const bounds = buckets.map((bucket) => parseNumber(bucket.labels.le!)!);
    for (let index = 1; index < bounds.length; index += 1) {
      if (!(bounds[index]! > bounds[index - 1]!)) throw new OpenMetricsError(null, `${where} has buckets out of order at le="${buckets[index]!.labels.le}"`);
      if (buckets[index]!.value < buckets[index - 1]!.value) throw new OpenMetricsError(null, `${where} has a bucket count that decreases at le="${buckets[index]!.labels.le}"`);
    }
    if (bounds.at(-1) !== Infinity) throw new OpenMetricsError(null, `${where} does not end with the le="+Inf" bucket`);

    const count = samples.filter((sample) => sample.name === `${family.name}${countSuffix}`);
    const sum = samples.filter((sample) => sample.name === `${family.name}${sumSuffix}`);
    if (count.length > 1 || sum.length > 1) throw new OpenMetricsError(null, `${where} has more than one ${countSuffix} or ${sumSuffix}`);
    if (count.length !== sum.length) throw new OpenMetricsError(null, `${where} must have ${countSuffix} exactly when it has ${sumSuffix}`);
    if (count.length === 1 && count[0]!.value !== buckets.at(-1)!.value) {
      throw new OpenMetricsError(null, `${where} has ${countSuffix} ${count[0]!.valueText} but its +Inf bucket is ${buckets.at(-1)!.valueText}`);
    }
  }
}

/** Rejects two families whose sample names could collide, such as a counter foo (foo_total) and a gauge foo_total. */
function checkNameClashes(families: Map<string, OpenMetricsFamily>): void {
  const owners = new Map<string, string>();
  for (const family of families.values()) {
    for (const suffix of SAMPLE_SUFFIXES[family.type]!) {
      const sampleName = `${family.name}${suffix}`;
      const owner = owners.get(sampleName);
      if (owner !== undefined) throw new OpenMetricsError(null, `families ${owner} and ${family.name} can both have samples named ${sampleName}`);
      owners.set(sampleName, family.name);
    }
  }
}

/**
 * Parses an OpenMetrics 1.0 text exposition into its families, keyed by
 * family name, and throws OpenMetricsError at the first violation.
 */
export function parseOpenMetrics(text: string): Map<string, OpenMetricsFamily> {
  if (text.startsWith('\uFEFF')) throw new OpenMetricsError(1, 'a byte order mark is not allowed');
  if (text.includes('\r')) throw new OpenMetricsError(null, 'line endings must be \\n without \\r');
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  if (lines.at(-1) !== '# EOF') throw new OpenMetricsError(lines.length, 'the exposition must end with "# EOF"', lines.at(-1));

  const families = new Map<string, OpenMetricsFamily>();
  let current: OpenMetricsFamily | null = null;
  let lastMetricKey: string | null = null;
  const finishedMetricKeys = new Set<string>();
  const seriesSeen = new Set<string>();

  const startFamily = (name: string, type: string, lineNumber: number, line: string): OpenMetricsFamily => {
    if (families.has(name)) throw new OpenMetricsError(lineNumber, `family ${name} appears a second time (families must not be interleaved or repeated)`, line);
    const family: OpenMetricsFamily = { name, type, help: null, unit: null, samples: [] };
    families.set(name, family);
    lastMetricKey = null;
    finishedMetricKeys.clear();
    return family;
  };

  for (const [index, line] of lines.slice(0, -1).entries()) {
    const lineNumber = index + 1;
    if (line === '') throw new OpenMetricsError(lineNumber, 'empty lines are not allowed');

    if (line.startsWith('#')) {
      const descriptor = DESCRIPTOR.exec(line);
      if (descriptor === null) throw new OpenMetricsError(lineNumber, 'the only comment lines allowed are # TYPE, # HELP, # UNIT and the final # EOF', line);
      const [, keyword, name, value] = descriptor as unknown as [string, 'TYPE' | 'HELP' | 'UNIT', string, string | undefined];
      if (value === undefined) throw new OpenMetricsError(lineNumber, `# ${keyword} needs a space after the metric name`, line);

      if (current === null || current.name !== name) current = startFamily(name, 'unknown', lineNumber, line);
      else if (current.samples.length > 0) throw new OpenMetricsError(lineNumber, `# ${keyword} of ${name} comes after its samples`, line);

      if (keyword === 'TYPE') {
        if (current.type !== 'unknown' || !METRIC_TYPES.includes(value)) {
          throw new OpenMetricsError(lineNumber, current.type !== 'unknown' ? `second # TYPE for ${name}` : `unknown metric type "${value}"`, line);
        }
        current.type = value;
      } else if (keyword === 'HELP') {
        if (current.help !== null) throw new OpenMetricsError(lineNumber, `second # HELP for ${name}`, line);
        current.help = unescapeHelp(value, lineNumber, line);
      } else {
        if (current.unit !== null) throw new OpenMetricsError(lineNumber, `second # UNIT for ${name}`, line);
        if (!/^[a-zA-Z0-9_:]*$/.test(value)) throw new OpenMetricsError(lineNumber, `invalid unit "${value}"`, line);
        if (value !== '' && !name.endsWith(`_${value}`)) throw new OpenMetricsError(lineNumber, `family ${name} must end with _${value} to have the unit ${value}`, line);
        current.unit = value;
      }
      continue;
    }

    const sample = parseSample(line, lineNumber);
    const belongs = current !== null && SAMPLE_SUFFIXES[current.type]!.some((suffix) => sample.name === `${current!.name}${suffix}`);
    if (!belongs) {
      const earlier = [...families.values()].find((family) => SAMPLE_SUFFIXES[family.type]!.some((suffix) => sample.name === `${family.name}${suffix}`));
      if (earlier !== undefined) throw new OpenMetricsError(lineNumber, `family ${earlier.name} appears a second time (families must not be interleaved or repeated)`, line);
      current = startFamily(sample.name, 'unknown', lineNumber, line);
    }
    const family = current!;

    checkSampleOfType(family, sample, lineNumber);
    const key = metricKey(family, sample);
    if (key !== lastMetricKey) {
      if (finishedMetricKeys.has(key)) throw new OpenMetricsError(lineNumber, `the samples of one Metric of ${family.name} are interleaved with another's`, line);
      if (lastMetricKey !== null) finishedMetricKeys.add(lastMetricKey);
      lastMetricKey = key;
    }
    const series = `${sample.name}${labelSetKey(sample.labels)}@${sample.timestamp}`;
    if (seriesSeen.has(series)) throw new OpenMetricsError(lineNumber, `duplicate sample ${sample.name} with the same labels`, line);
    seriesSeen.add(series);
    family.samples.push(sample);
  }

  for (const family of families.values()) {
    if (family.type === 'counter' && family.name.endsWith('_total')) {
      throw new OpenMetricsError(null, `counter family ${family.name} must be named without _total, which only its samples carry`);
    }
    if ((family.type === 'info' || family.type === 'stateset') && family.unit !== null && family.unit !== '') {
      throw new OpenMetricsError(null, `${family.type} family ${family.name} must have no unit`);
    }
    if (family.type === 'histogram' || family.type === 'gaugehistogram') checkHistogram(family);
  }
  checkNameClashes(families);
  return families;
}
