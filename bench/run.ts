/**
 * The benchmark suite: `npm run bench` runs every benchmark, `npm run bench -- --only import` one of them
 * (repeat --only, or separate names with commas), `--list` names them, `--large` adds the slow big cases
 * (the 10-million-row leaderboard; also BENCH_LARGE=1). Prints a table and writes bench/results.json.
 * Timings belong here, not in tests: a test asserts behaviour, a benchmark reports speed.
 *
 * Add a benchmark: write a `Bench` (bench/types.ts) in its own file and list it in BENCHES.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importDealsBench } from './import.js';
import { leaderboardBench } from './leaderboard.js';
import { benchServerUrl, redactUrl } from './postgres.js';
import type { Bench, BenchRow } from './types.js';

const BENCHES: Bench[] = [importDealsBench, leaderboardBench];

const RESULTS_FILE = path.join(import.meta.dirname, 'results.json');

function fmt(n: number | undefined, digits: number): string {
  if (n === undefined) return '';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(rows: BenchRow[]): void {
  const header = ['bench', 'case', 'rows', 'seconds', 'rows/s', 'x baseline', 'note'];
  const body = rows.map((r) => [r.bench, r.case, fmt(r.rows, 0), fmt(r.seconds, r.seconds < 0.1 ? 5 : 3), fmt(r.rowsPerSecond, 0), r.ratio === undefined ? '' : `${fmt(r.ratio, 2)}x`, r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  const render = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(render(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of body) console.log(render(line));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { only: { type: 'string', multiple: true }, list: { type: 'boolean' }, large: { type: 'boolean' } },
    strict: true,
  });
  if (values.list) {
    for (const b of BENCHES) console.log(`${b.name.padEnd(12)} ${b.description}`);
    return 0;
  }
  const wanted = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.map((u) => `"${u}"`).join(', ')}; there are: ${BENCHES.map((b) => b.name).join(', ')}`);
    return 1;
  }
  if (values.large) process.env.BENCH_LARGE = '1';
  const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;

  const startedAt = new Date();
  const results: BenchRow[] = [];
  for (const bench of selected) {
    console.error(`running ${bench.name}: ${bench.description} ...`);
    results.push(...(await bench.run()));
  }
  console.log();
  printTable(results);

  const report = {
    startedAt: startedAt.toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    postgres: redactUrl(benchServerUrl()),
    results,
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(process.cwd(), RESULTS_FILE)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
