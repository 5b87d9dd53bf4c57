/** One sample line of the Prometheus text format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its # TYPE, its # HELP and its samples (for a histogram, the _bucket, _sum and _count lines). */
export interface MetricFamily {
  type: string;
  help: string;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function unescapeLabelValue(value: string): string {
  return value.replace(/\\(.)/g, (_, character: string) => (character === 'n' ? '\n' : character));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * Parses the Prometheus text exposition format 0.0.4 into families keyed by
 * name. Throws on a line that is neither a comment nor a valid sample, and
 * on a sample of a family without a # TYPE line, so a malformed exposition
 * fails the test that reads it.
 */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (family === undefined) {
      family = { type: '', help: '', samples: [] };
      families.set(name, family);
    }
    return family;
  };

  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment !== null) {
      const [, keyword, name, rest] = comment;
      if (keyword === 'TYPE') familyOf(name!).type = rest!;
      else familyOf(name!).help = rest!;
      continue;
    }
    if (line.startsWith('#')) continue;

    const sample = SAMPLE_LINE.exec(line);
    if (sample === null) throw new Error(`Invalid sample line: ${JSON.stringify(line)}`);
    const [, name, labelText = '', valueText] = sample;
    const labels: Record<string, string> = {};
    for (const pair of labelText.matchAll(LABEL_PAIR)) labels[pair[1]!] = unescapeLabelValue(pair[2]!);

    const suffix = HISTOGRAM_SUFFIXES.find((candidate) => name!.endsWith(candidate));
    const base = suffix !== undefined && families.get(name!.slice(0, -suffix.length))?.type === 'histogram' ? name!.slice(0, -suffix.length) : name!;
    const family = families.get(base);
    if (family === undefined || family.type === '') throw new Error(`Sample ${name} has no # TYPE line before it`);
    family.samples.push({ name: name!, labels, value: parseValue(valueText!) });
  }
  return families;
}
