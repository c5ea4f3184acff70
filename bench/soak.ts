/**
 * `npm run soak`: sustained load, outside the test run (issue 11). The bot is started as `npm start` starts it, in
 * HTTP mode on PostgreSQL, with bench/loop-delay.mjs preloaded to measure its event loop; a fake Slack Web API and
 * the load generator run in this process. After a warm-up, 20,000 signed /log-call commands go out open-loop at 100
 * a second from several users (SOAK_COMMANDS, SOAK_RATE). Targets: zero errors; every command stored once and
 * confirmed in its ack (rows found by idempotency key); RSS after the run within 15% of RSS after the warm-up;
 * event-loop delay p99 under 50 ms. Prints a table, writes bench/soak-results.json, exits 1 on a miss.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAllCleanups } from './cleanup.js';
import { commandSource, describeErrors, errorCount, latencies, LoadClient, openLoop, tally } from './load.js';
import { freshPostgres } from './postgres.js';
import { BOT_TOKEN, freePort, memoryOf, prepareStart, randomSecret, sleep, spawnChild, startBenchSlack, startCommand, waitReady } from './processes.js';
import { reconcile } from './reconcile.js';

const COMMANDS = Number(process.env.SOAK_COMMANDS ?? 20_000);
const RATE = Number(process.env.SOAK_RATE ?? 100);
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? 20);
const RSS_GROWTH_TARGET = 0.15;
const LOOP_DELAY_P99_TARGET_MS = 50;
const RESULTS_FILE = path.join(import.meta.dirname, 'soak-results.json');
const round = (n: number) => Math.round(n * 10) / 10;

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

async function loopDelay(pid: number, file: string): Promise<LoopDelay> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(50);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LoopDelay;
}

async function main(): Promise<number> {
  const prepared = await prepareStart();
  const start = startCommand();
  const slack = await startBenchSlack();
  const fresh = await freshPostgres('soak');
  const delayFile = path.join(os.tmpdir(), `sales-pulse-soak-${process.pid}.json`);
  const signingSecret = randomSecret();
  const port = await freePort();
  const bot = spawnChild(
    'bot',
    ['--import', path.join(import.meta.dirname, 'loop-delay.mjs'), ...start.args],
    {
      ...start.env,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.fake.apiUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: fresh.url,
      ENCRYPTION_KEY: randomSecret(32),
      LOOP_DELAY_FILE: delayFile,
    },
    port,
  );
  try {
    await waitReady(bot);
    const next = commandSource(7);
    const target = { baseUrl: bot.baseUrl, signingSecret, expectConfirmation: true, responseUrl: () => slack.fake.responseUrl() };
    console.error(`  soak: bot started as "${start.script}"${prepared ? ` (${prepared})` : ''}; warming up ${WARMUP_SECONDS} s at ${RATE}/s ...`);
    const warm = new LoadClient(target);
    const warmup = await openLoop(warm, next, RATE, WARMUP_SECONDS);
    warm.close();
    await sleep(2000); // let what the warm-up left (Home tab refreshes) settle before the baseline
    const rssWarm = memoryOf(bot.pid).rssMb;
    await loopDelay(bot.pid, delayFile); // starts the histogram afresh for the run

    const seconds = COMMANDS / RATE;
    console.error(`  soak: ${COMMANDS} commands at ${RATE}/s (${seconds} s) ...`);
    const client = new LoadClient(target);
    const outcomes = await openLoop(client, next, RATE, seconds);
    client.close();
    const delay = await loopDelay(bot.pid, delayFile);
    await sleep(2000);
    const rssEnd = memoryOf(bot.pid).rssMb;
    const exit = await bot.stop();
    const check = await reconcile(fresh.url, [...warmup, ...outcomes]);

    const t = tally(outcomes);
    const l = latencies(outcomes);
    const growth = (rssEnd - rssWarm) / rssWarm;
    const rows = [
      { case: 'commands', figures: { sent: outcomes.length, ok: t.ok, errors: errorCount(t), 'p50 ms': round(l.p50), 'p99 ms': round(l.p99), 'max ms': round(l.max) }, target: '0 errors', pass: errorCount(t) === 0, note: describeErrors(t) || 'none' },
      {
        case: 'stored once and confirmed (warm-up included)',
        figures: { sent: check.sent, confirmed: check.confirmed, stored: check.stored, lost: check.lost, phantom: check.phantom, mismatched: check.mismatched },
        target: 'confirmed = stored = sent; 0 lost, phantom, mismatched',
        pass: check.confirmed === check.sent && check.stored === check.sent && check.lost + check.phantom + check.mismatched + check.foreign === 0,
        note: check.examples.join('; ') || 'none',
      },
      { case: 'RSS', figures: { 'after warm-up MB': Math.round(rssWarm), 'after run MB': Math.round(rssEnd), 'growth %': Math.round(growth * 1000) / 10 }, target: `growth <= ${RSS_GROWTH_TARGET * 100}%`, pass: growth <= RSS_GROWTH_TARGET },
      { case: 'event-loop delay during the run', figures: { 'p50 ms': delay.p50, 'p99 ms': delay.p99, 'max ms': delay.max }, target: `p99 < ${LOOP_DELAY_P99_TARGET_MS} ms`, pass: delay.p99 < LOOP_DELAY_P99_TARGET_MS },
      { case: 'bot exit', figures: { code: exit.code ?? -1 }, target: 'exit 0 on SIGTERM', pass: exit.code === 0, note: `log: ${bot.log.stdout.errors + bot.log.stderr.errors} error lines, ${bot.log.stdout.warnings + bot.log.stderr.warnings} warnings` },
    ];
    for (const r of rows) {
      const figures = Object.entries(r.figures)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(`${r.pass ? 'pass' : 'MISS'}  ${r.case}: ${figures}  (target: ${r.target})${r.note ? `  [${r.note}]` : ''}`);
    }
    fs.writeFileSync(RESULTS_FILE, JSON.stringify({ at: new Date().toISOString(), commands: COMMANDS, rate: RATE, rows }, null, 2));
    const missed = rows.filter((r) => !r.pass).length;
    console.log(missed ? `Soak: ${missed} of ${rows.length} targets missed.` : `Soak: all ${rows.length} targets met.`);
    return missed ? 1 : 0;
  } finally {
    await bot.stop(5_000);
    await fresh.drop();
    await slack.close();
    fs.rmSync(delayFile, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    console.error(e);
    await runAllCleanups();
    process.exit(1);
  },
);
