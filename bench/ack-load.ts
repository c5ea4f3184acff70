/**
 * Command acknowledgement under load (issue 10): signed `/log-call` commands with varied text from five users, sent to
 * the bot in HTTP mode on PostgreSQL, started exactly as `npm start` starts it (package.json's scripts.start, read at
 * run time), and to a bare Bolt app (bench/bare-bolt.mjs: the same HTTPReceiver, a handler that only calls ack()) as
 * the same-run baseline. Both are child processes; the load generator (bench/load.ts) and the fake Slack Web API run
 * in this process.
 *
 * Phases, after a short warm-up of each app: open loop at 50, 100 and 200 requests a second (latency from each
 * request's scheduled start), then closed loop with 20 in flight (saturation). The phases are interleaved, each run
 * against both apps one after the other, alternating which goes first (bare, bot; bot, bare; ...), so drift on this
 * shared machine hits both alike.
 *
 * A bot request counts as confirmed when the answer is a 200 carrying the stored entry's confirmation; its row is
 * found by idempotency key `cmd:<trigger_id>` once the bot has stopped. Targets: p99 <= 50 ms at 200/s (aim 30);
 * saturated confirmed throughput >= 40% of bare Bolt's ack throughput (aim 50%); zero errors; acknowledged = stored
 * = confirmed; RSS at the end of the saturation run <= 250 MB.
 */
import { freshPostgres } from './postgres.js';
import { closedLoop, commandSource, describeErrors, errorCount, latencies, LoadClient, openLoop, tally, type Command, type Outcome, type Target } from './load.js';
import {
  freePort,
  memoryOf,
  prepareStart,
  randomSecret,
  sleep,
  spawnBareBolt,
  spawnBot,
  startBenchSlack,
  startCommand,
  waitReady,
  type Child,
  type Memory,
} from './processes.js';
import { reconcile } from './reconcile.js';
import type { Bench, BenchOptions, BenchRow } from './types.js';

const RATES = [50, 100, 200];
const CONCURRENCY = 20;
const WARMUP_CONCURRENCY = 10;
const P99_TARGET_MS = 50;
const P99_AIM_MS = 30;
const THROUGHPUT_TARGET = 0.4;
const THROUGHPUT_AIM = 0.5;
const RSS_TARGET_MB = 250;

interface App {
  label: string;
  child: Child;
  target: Target;
  next: () => Command;
  outcomes: Outcome[];
}

interface PhaseResult {
  outcomes: Outcome[];
  seconds: number;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function phaseFigures(p: PhaseResult): Record<string, number> {
  const ok = p.outcomes.filter((o) => o.kind === 'ok');
  const l = latencies(p.outcomes);
  const t = tally(p.outcomes);
  return {
    sent: p.outcomes.length,
    ok: ok.length,
    'ok/s': round(ok.length / p.seconds),
    'p50 ms': round(l.p50),
    'p90 ms': round(l.p90),
    'p99 ms': round(l.p99),
    'max ms': round(l.max),
    errors: errorCount(t),
  };
}

/** Seconds from the first request's scheduled start to the last answer: the window the achieved rate is over. */
function windowSeconds(outcomes: Outcome[]): number {
  const first = Math.min(...outcomes.map((o) => o.scheduledAt));
  const last = Math.max(...outcomes.map((o) => o.endAt));
  return (last - first) / 1000;
}

export const ackLoadBench: Bench = {
  name: 'ack-load',
  description: 'signed /log-call commands to the bot (npm start, HTTP mode, PostgreSQL) open-loop at 50/100/200 per second and closed-loop at 20 in flight, against a bare Bolt app',
  async run({ quick }: BenchOptions): Promise<BenchRow[]> {
    const phaseSeconds = Number(process.env.BENCH_ACK_SECONDS ?? (quick ? 3 : 10));
    const saturationSeconds = Number(process.env.BENCH_ACK_SATURATION_SECONDS ?? (quick ? 3 : 10));
    const warmupSeconds = quick ? 3 : 5;
    const pauseMs = quick ? 300 : 1000;
    const prepared = await prepareStart();
    const start = startCommand();

    const slack = await startBenchSlack();
    const fresh = await freshPostgres('ackload');
    const children: Child[] = [];
    try {
      const signingSecret = randomSecret();
      const responseUrl = () => slack.fake.responseUrl();
      const [botPort, barePort] = [await freePort(), await freePort()];
      const bot = spawnBot({ signingSecret, slackApiUrl: slack.fake.apiUrl, port: botPort, databaseUrl: fresh.url });
      const bare = spawnBareBolt({ signingSecret, slackApiUrl: slack.fake.apiUrl, port: barePort });
      children.push(bot, bare);
      await Promise.all([waitReady(bot), waitReady(bare)]);
      const botApp: App = { label: 'bot', child: bot, target: { baseUrl: bot.baseUrl, signingSecret, expectConfirmation: true, responseUrl }, next: commandSource(1), outcomes: [] };
      const bareApp: App = { label: 'bare Bolt', child: bare, target: { baseUrl: bare.baseUrl, signingSecret, expectConfirmation: false, responseUrl }, next: commandSource(2), outcomes: [] };

      // Each phase gets a new keep-alive agent: no socket is left idle long enough for the server to close it under us.
      const open = async (app: App, rate: number): Promise<PhaseResult> => {
        const client = new LoadClient(app.target);
        try {
          const outcomes = await openLoop(client, app.next, rate, phaseSeconds);
          app.outcomes.push(...outcomes);
          return { outcomes, seconds: windowSeconds(outcomes) };
        } finally {
          client.close();
        }
      };
      const closed = async (app: App, concurrency: number, seconds: number): Promise<PhaseResult> => {
        const client = new LoadClient(app.target);
        try {
          const r = await closedLoop(client, app.next, concurrency, seconds);
          app.outcomes.push(...r.outcomes);
          return r;
        } finally {
          client.close();
        }
      };

      // The bot is measurably slower for its first few hundred requests (JIT, caches, pool): warm both up first.
      console.error(`  ack-load: warming up both apps (${warmupSeconds} s each, ${WARMUP_CONCURRENCY} in flight) ...`);
      for (const app of [bareApp, botApp]) await closed(app, WARMUP_CONCURRENCY, warmupSeconds);
      const botMemoryWarm = memoryOf(bot.pid);

      const results = new Map<string, { bare: PhaseResult; bot: PhaseResult }>();
      let botMemory: Memory | undefined;
      const phases = [...RATES.map((r) => ({ name: `open ${r}/s`, run: (app: App) => open(app, r) })), { name: `closed ${CONCURRENCY}`, run: (app: App) => closed(app, CONCURRENCY, saturationSeconds) }];
      for (const [i, phase] of phases.entries()) {
        const order = i % 2 === 0 ? [bareApp, botApp] : [botApp, bareApp];
        const got: Partial<Record<'bare' | 'bot', PhaseResult>> = {};
        for (const app of order) {
          console.error(`  ack-load: ${phase.name} against ${app.label} ...`);
          const r = await phase.run(app);
          if (app === botApp && phase.name.startsWith('closed')) botMemory = memoryOf(bot.pid);
          got[app === botApp ? 'bot' : 'bare'] = r;
          await sleep(pauseMs);
        }
        results.set(phase.name, { bare: got.bare!, bot: got.bot! });
      }

      const botExit = await bot.stop();
      const bareExit = await bare.stop();
      const check = await reconcile(fresh.url, botApp.outcomes);

      const rows: BenchRow[] = [];
      for (const rate of RATES) {
        const { bare: b, bot: o } = results.get(`open ${rate}/s`)!;
        const bl = latencies(b.outcomes);
        const ol = latencies(o.outcomes);
        rows.push({ bench: 'ack-load', case: `open ${rate}/s: bare Bolt (baseline)`, ratio: 1, figures: phaseFigures(b), note: describeErrors(tally(b.outcomes)) || undefined });
        const atTarget = rate === 200;
        rows.push({
          bench: 'ack-load',
          case: `open ${rate}/s: bot`,
          ratio: ol.p99 / bl.p99,
          figures: phaseFigures(o),
          ...(atTarget ? { target: `p99 <= ${P99_TARGET_MS} ms (aim ${P99_AIM_MS})`, pass: ol.p99 <= P99_TARGET_MS } : {}),
          note: [`x baseline = p99 / bare p99`, describeErrors(tally(o.outcomes))].filter(Boolean).join('; '),
        });
      }
      const sat = results.get(`closed ${CONCURRENCY}`)!;
      const bareThroughput = sat.bare.outcomes.filter((x) => x.kind === 'ok').length / sat.bare.seconds;
      const botThroughput = sat.bot.outcomes.filter((x) => x.kind === 'ok').length / sat.bot.seconds;
      const share = botThroughput / bareThroughput;
      rows.push({ bench: 'ack-load', case: `closed ${CONCURRENCY} in flight: bare Bolt (baseline)`, ratio: 1, figures: phaseFigures(sat.bare), note: [describeErrors(tally(sat.bare.outcomes))].filter(Boolean).join('; ') });
      rows.push({
        bench: 'ack-load',
        case: `closed ${CONCURRENCY} in flight: bot`,
        ratio: share,
        figures: phaseFigures(sat.bot),
        target: `confirmed/s >= ${THROUGHPUT_TARGET * 100}% of bare acked/s (aim ${THROUGHPUT_AIM * 100}%)`,
        pass: share >= THROUGHPUT_TARGET,
        note: [`x baseline = ${round(share * 100)}% of bare Bolt's throughput`, describeErrors(tally(sat.bot.outcomes))].filter(Boolean).join('; '),
      });
      rows.push({
        bench: 'ack-load',
        case: 'bot RSS at end of saturation',
        figures: { 'RSS MB': round(botMemory!.rssMb), 'peak MB': round(botMemory!.peakMb) },
        target: `RSS <= ${RSS_TARGET_MB} MB`,
        pass: botMemory!.rssMb <= RSS_TARGET_MB,
        note: `VmRSS and VmHWM from /proc/<pid>/status, right after the closed-loop run (the last bot phase); after the warm-up it was ${round(botMemoryWarm.rssMb)} MB`,
      });

      const botTally = tally(botApp.outcomes);
      const botErrors = errorCount(botTally);
      const logErrors = [...bot.log.stdout.firstErrors, ...bot.log.stderr.firstErrors];
      const logWarnings = [...bot.log.stdout.firstWarnings, ...bot.log.stderr.firstWarnings];
      const errorCountInLog = bot.log.stdout.errors + bot.log.stderr.errors;
      const warningCountInLog = bot.log.stdout.warnings + bot.log.stderr.warnings;
      rows.push({
        bench: 'ack-load',
        case: 'bot errors, all phases (warm-up included)',
        figures: { sent: botApp.outcomes.length, errors: botErrors },
        target: '0 errors (non-200, timeouts, connection errors, "not saved", other answers, > 3 s)',
        pass: botErrors === 0,
        note: [
          describeErrors(botTally) || 'none',
          `bot exit ${botExit.code ?? botExit.signal}${botExit.killed ? ' (killed after the grace period)' : ''}`,
          `bot log: ${errorCountInLog} error lines (${bot.log.stderr.errors} on stderr), ${warningCountInLog} warnings${logErrors.length ? `; first error: ${logErrors[0]!.slice(0, 300)}` : ''}${logWarnings.length ? `; first warning: ${logWarnings[0]!.slice(0, 300)}` : ''}`,
          `bare Bolt exit ${bareExit.code ?? bareExit.signal}, ${errorCount(tally(bareApp.outcomes))} errors`,
        ].join('; '),
      });
      const equal = check.acknowledged === check.confirmed && check.confirmed === check.stored && check.lost === 0 && check.phantom === 0 && check.mismatched === 0 && check.foreign === 0;
      rows.push({
        bench: 'ack-load',
        case: 'bot: acknowledged = stored = confirmed',
        figures: { sent: check.sent, acknowledged: check.acknowledged, confirmed: check.confirmed, stored: check.stored, lost: check.lost, phantom: check.phantom, mismatched: check.mismatched },
        target: 'all three equal; 0 lost, 0 phantom, 0 mismatched',
        pass: equal,
        note: [`rows by idempotency key cmd:<trigger_id> after the bot stopped; foreign rows ${check.foreign}`, ...check.examples].join('; '),
      });
      rows[0]!.note = [`ok = acked 200 (bare Bolt), 200 with the confirmation (bot); ok/s over the phase; latency from the scheduled start (open loop) or the send (closed loop)`, `order: phases interleaved, alternating which app goes first; ${phaseSeconds} s per rate, ${saturationSeconds} s saturated, ${warmupSeconds} s warm-up; bot started as "${start.script}"${prepared ? ` (${prepared})` : ''}`, rows[0]!.note].filter(Boolean).join('; ');
      return rows;
    } finally {
      for (const child of children) await child.stop(5_000);
      await fresh.drop();
      await slack.close();
    }
  },
};
