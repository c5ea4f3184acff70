/**
 * The Prometheus text format (0.0.4), parsed as a scraper reads it: metric families with their TYPE and HELP, and
 * samples with their labels (escapes undone) and values. Tests assert on what an operator's queries would see.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
  /** The value of the one sample of `name` with exactly these labels among its own (others ignored), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Prometheus reads these case-insensitively (Go's ParseFloat); prom-client writes NaN as 'Nan'. */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

/** Parse one sample line: name, optional {labels}, value, optional timestamp. Throws on anything malformed. */
function parseSample(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`not a sample line: ${line}`);
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i += 1;
    while (line[i] !== '}') {
      const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
      if (!label || line.slice(i + label.length, i + label.length + 2) !== '="') throw new Error(`bad label at ${i} in: ${line}`);
      i += label.length + 2;
      let raw = '';
      while (line[i] !== '"') {
        if (i >= line.length) throw new Error(`unterminated label value in: ${line}`);
        if (line[i] === '\\') {
          raw += line.slice(i, i + 2);
          i += 2;
        } else {
          raw += line[i];
          i += 1;
        }
      }
      if (label in labels) throw new Error(`label ${label} twice in: ${line}`);
      labels[label] = unescape(raw);
      i += 1;
      if (line[i] === ',') i += 1;
      else if (line[i] !== '}') throw new Error(`expected , or } at ${i} in: ${line}`);
    }
    i += 1;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (line[i] !== ' ' || rest.length < 1 || rest.length > 2) throw new Error(`bad value part in: ${line}`);
  return { name, labels, value: parseValue(rest[0]!) };
}

export function parsePrometheusText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'TYPE' ? types : help).set(meta[2]!, meta[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    samples.push(parseSample(line));
  }
  const includes = (sample: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
  const find = (name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && includes(s, labels));
  return {
    samples,
    types,
    help,
    find,
    value(name, labels = {}) {
      const exact = samples.filter((s) => s.name === name && includes(s, labels) && Object.keys(s.labels).length === Object.keys(labels).length);
      if (exact.length > 1) throw new Error(`${exact.length} samples of ${name} with labels ${JSON.stringify(labels)}`);
      return exact[0]?.value;
    },
  };
}
