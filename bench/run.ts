/**
 * The benchmark suite. Timings belong here, not in tests: a test asserts behaviour, a benchmark reports speed.
 * Each bench measures against its own baseline in the same run, prints a table (one per bench) and writes every
 * row to bench/results.json, with its target and whether it passed where it has one.
 *
 *   npm run bench                          every benchmark, full size
 *   npm run bench -- --quick               a reduced run of everything (shorter phases, 1 repeat, smaller data,
 *                                          no large cases): under three minutes on a 2-core machine
 *   npm run bench -- --only ack-load       some of them (repeat --only, or separate names with commas)
 *   npm run bench -- --list                their names and what they measure
 *   npm run bench -- --large               adds the slow big cases (the 10-million-row leaderboard; also BENCH_LARGE=1)
 *   npm run bench -- --strict              exit 1 when a target is missed (default: report it and exit 0)
 *
 * The benchmarks:
 *   import       CSV import of deals vs raw multi-row INSERTs (BENCH_IMPORT_ROWS: 100,000; 20,000 with --quick)
 *   leaderboard  one week's board vs raw SQL on 1M activities (10M with --large, 0.25M with --quick)
 *   ack-load     signed /log-call commands to the bot vs a bare Bolt app: open loop at 50/100/200 per second
 *                (BENCH_ACK_SECONDS each: 10; 3 with --quick) and closed loop at 20 in flight
 *                (BENCH_ACK_SATURATION_SECONDS: 10; 4 with --quick): latency, throughput, errors, rows, RSS
 *   shutdown     SIGTERM in the middle of a saturation run: every 200 has its row and confirmation, nothing else
 *                has a row, the exit is clean
 *   footprint    spawn-to-ready time and idle RSS (and peak) on PostgreSQL, PGlite new and reopened, vs bare Bolt
 *                (BENCH_FOOTPRINT_REPEATS: 3; 1 with --quick; the median is reported)
 *   fanout       the Monday fan-out: 1,000 installed workspaces × 20 reps, a weekly board each due at the same minute,
 *                posted through the rate-limited fake Slack by 1 and by 3 bot processes sharing PostgreSQL: wall time,
 *                peak RSS, statements and Slack calls per board (BENCH_FANOUT_WORKSPACES; 200 with --quick)
 *
 * The process benches (ack-load, shutdown, footprint) start the bot exactly as `npm start` does: package.json's
 * scripts.start, read at run time and spawned with this node (see bench/processes.ts), in HTTP mode, against a fake
 * Slack Web API in this process. PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; each bench creates its own database and drops it after.
 * Children, databases and temp directories are cleaned up when a bench fails and on Ctrl-C too.
 *
 * Add a benchmark: write a `Bench` (bench/types.ts) in its own file and list it in BENCHES.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ackLoadBench } from './ack-load.js';
import { footprintBench } from './footprint.js';
import { importDealsBench } from './import.js';
import { leaderboardBench } from './leaderboard.js';
import { fanoutBench } from './monday-fanout.js';
import { benchServerUrl, redactUrl } from './postgres.js';
import { runAllCleanups } from './cleanup.js';
import { shutdownBench } from './shutdown.js';
import type { Bench, BenchRow } from './types.js';

const BENCHES: Bench[] = [importDealsBench, leaderboardBench, ackLoadBench, shutdownBench, footprintBench, fanoutBench];

const RESULTS_FILE = path.join(import.meta.dirname, 'results.json');

function fmt(n: number | undefined, digits: number): string {
  if (n === undefined || Number.isNaN(n)) return '';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function figure(v: number | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return fmt(v, Number.isInteger(v) ? 0 : Math.abs(v) < 10 ? 2 : 1);
}

/** One table per bench: the classic columns it uses, its figures in first-seen order, then target, result, note. */
function printTable(rows: BenchRow[]): void {
  const benches = [...new Set(rows.map((r) => r.bench))];
  for (const bench of benches) {
    const group = rows.filter((r) => r.bench === bench);
    type Column = { header: string; numeric: boolean; cell: (r: BenchRow) => string };
    const columns: Column[] = [{ header: 'case', numeric: false, cell: (r) => r.case }];
    const classic: [keyof BenchRow, Column][] = [
      ['rows', { header: 'rows', numeric: true, cell: (r) => fmt(r.rows, 0) }],
      ['seconds', { header: 'seconds', numeric: true, cell: (r) => (r.seconds === undefined ? '' : fmt(r.seconds, r.seconds < 0.1 ? 5 : 3)) }],
      ['rowsPerSecond', { header: 'rows/s', numeric: true, cell: (r) => fmt(r.rowsPerSecond, 0) }],
    ];
    for (const [key, column] of classic) if (group.some((r) => r[key] !== undefined)) columns.push(column);
    const figureNames = [...new Set(group.flatMap((r) => Object.keys(r.figures ?? {})))];
    for (const name of figureNames) columns.push({ header: name, numeric: true, cell: (r) => figure(r.figures?.[name]) });
    if (group.some((r) => r.ratio !== undefined)) columns.push({ header: 'x baseline', numeric: true, cell: (r) => (r.ratio === undefined ? '' : `${fmt(r.ratio, 2)}x`) });
    if (group.some((r) => r.target !== undefined)) {
      columns.push({ header: 'target', numeric: false, cell: (r) => r.target ?? '' });
      columns.push({ header: 'result', numeric: false, cell: (r) => (r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS') });
    }
    columns.push({ header: 'note', numeric: false, cell: (r) => r.note ?? '' });

    const body = group.map((r) => columns.map((c) => c.cell(r)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...body.map((line) => line[i]!.length)));
    // The note is last and unbounded: it is not padded.
    const render = (cells: string[]) => cells.map((c, i) => (columns[i]!.numeric ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    console.log(`\n${bench}`);
    console.log(render(columns.map((c) => c.header)));
    console.log(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.min(w, 40) : w)).join('  '));
    for (const line of body) console.log(render(line));
  }
  const judged = rows.filter((r) => r.pass !== undefined);
  const missed = judged.filter((r) => r.pass === false);
  console.log(`\nTargets: ${judged.length - missed.length} of ${judged.length} met${missed.length ? `; missed: ${missed.map((r) => `${r.bench} "${r.case}"`).join(', ')}` : ''}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      only: { type: 'string', multiple: true },
      list: { type: 'boolean' },
      large: { type: 'boolean' },
      quick: { type: 'boolean' },
      strict: { type: 'boolean' },
    },
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
  const quick = values.quick ?? false;
  const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;

  const startedAt = new Date();
  const results: BenchRow[] = [];
  const durations: Record<string, number> = {};
  // A shared machine's load changes what a bench measures: it goes into results.json with the bench's time.
  const loadAverages: Record<string, { before: number; after: number }> = {};
  for (const bench of selected) {
    console.error(`running ${bench.name}${quick ? ' (quick)' : ''}: ${bench.description} ...`);
    const t0 = Date.now();
    const loadBefore = os.loadavg()[0]!;
    try {
      results.push(...(await bench.run({ quick })));
    } finally {
      await runAllCleanups(); // whatever the bench left registered, even when it failed
      durations[bench.name] = (Date.now() - t0) / 1000;
      loadAverages[bench.name] = { before: loadBefore, after: os.loadavg()[0]! };
      console.error(`  ${bench.name}: ${durations[bench.name]!.toFixed(1)} s (1-minute load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after)`);
    }
  }
  const totalSeconds = (Date.now() - startedAt.getTime()) / 1000;
  printTable(results);

  const report = {
    startedAt: startedAt.toISOString(),
    quick,
    totalSeconds,
    benchSeconds: durations,
    loadAverage1m: loadAverages,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    postgres: redactUrl(benchServerUrl()),
    results,
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(process.cwd(), RESULTS_FILE)} (${totalSeconds.toFixed(0)} s in all)`);
  return values.strict && results.some((r) => r.pass === false) ? 1 : 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: cleaning up (children, databases, temp dirs) ...`);
    void runAllCleanups().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    await runAllCleanups();
    process.exit(1);
  },
);
