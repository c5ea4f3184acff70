/**
 * Shutdown under load (issue 10): the bot (started as `npm start` starts it, HTTP mode, PostgreSQL) takes a closed-loop
 * run of 20 in flight; SIGTERM arrives in the middle of it (after 2 s; 1.5 s with --quick) and the load keeps coming
 * until connections are refused (each of the 20 workers sends until its own connection is refused; the bench stops
 * sending anyway 20 s after SIGTERM, 8 s with --quick, and says so: intake that never stops is a finding). Once the
 * process has exited, the database is held against the answers: every request answered 200 must have its row and
 * have carried its confirmation in the ack body (else "lost"), and every request not answered 200, or answered
 * "not saved", must have no row (else "phantom"). Also reported: the time from SIGTERM
 * to exit, the exit code, and the error lines in the bot's output (pino JSON goes to stdout; stderr too).
 * Target: 0 lost, 0 phantom, a clean exit (code 0, no error lines).
 */
import { performance } from 'node:perf_hooks';
import { closedLoop, commandSource, describeErrors, LoadClient, tally, type Outcome } from './load.js';
import { freshPostgres } from './postgres.js';
import { freePort, prepareStart, randomSecret, sleep, spawnBot, startBenchSlack, startCommand, waitReady, type Child } from './processes.js';
import { reconcile } from './reconcile.js';
import type { Bench, BenchOptions, BenchRow } from './types.js';

const CONCURRENCY = 20;
/** How long the load may go on after SIGTERM before the bench stops sending anyway (8 s with --quick). */
const MAX_LOAD_AFTER_SIGTERM_S = 20;
/** How long the bot may take to exit after SIGTERM before it is killed (and the exit counted unclean). */
const EXIT_GRACE_MS = 30_000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const shutdownBench: Bench = {
  name: 'shutdown',
  description: 'SIGTERM to the bot in the middle of a 20-in-flight /log-call run: no lost or phantom rows, a clean exit',
  async run({ quick }: BenchOptions): Promise<BenchRow[]> {
    const beforeSignalMs = quick ? 1_500 : 2_000;
    const capAfterSignalS = quick ? 8 : MAX_LOAD_AFTER_SIGTERM_S;
    const prepared = await prepareStart();
    const start = startCommand();
    const slack = await startBenchSlack();
    const fresh = await freshPostgres('shutdown');
    let bot: Child | undefined;
    try {
      const signingSecret = randomSecret();
      const port = await freePort();
      bot = spawnBot({ signingSecret, slackApiUrl: slack.fake.apiUrl, port, databaseUrl: fresh.url });
      await waitReady(bot);
      const target = { baseUrl: bot.baseUrl, signingSecret, expectConfirmation: true, responseUrl: () => slack.fake.responseUrl() };
      const next = commandSource(3);

      const warm = new LoadClient(target);
      const warmup = await closedLoop(warm, next, 5, quick ? 1 : 2);
      warm.close();

      console.error(`  shutdown: ${CONCURRENCY} in flight, SIGTERM after ${beforeSignalMs} ms, sending until refused ...`);
      const client = new LoadClient(target);
      const running = bot;
      let signalAt = 0;
      const signal = sleep(beforeSignalMs).then(() => {
        signalAt = performance.now();
        running.child.kill('SIGTERM');
      });
      const load = closedLoop(client, next, CONCURRENCY, beforeSignalMs / 1000 + capAfterSignalS, { untilRefused: true });
      const [{ outcomes }] = await Promise.all([load, signal]);
      client.close();
      const loadEndedAt = performance.now();
      const exit = await bot.stop(EXIT_GRACE_MS);

      const all: Outcome[] = [...warmup.outcomes, ...outcomes];
      const check = await reconcile(fresh.url, all);
      const t = tally(outcomes);
      const before = outcomes.filter((o) => o.sentAt < signalAt);
      const after = outcomes.filter((o) => o.sentAt >= signalAt);
      const lastOk = Math.max(0, ...outcomes.filter((o) => o.kind === 'ok').map((o) => o.endAt));
      const firstRefused = Math.min(...outcomes.filter((o) => o.kind === 'refused').map((o) => o.endAt));
      const workersRefused = t.refused;
      const okAfter = after.filter((o) => o.kind === 'ok').length;
      const { stdout: outLog, stderr: errLog } = bot.log;
      const errors = [...errLog.firstErrors, ...outLog.firstErrors];
      const errorTotal = outLog.errors + errLog.errors;
      const warnings = [...errLog.firstWarnings, ...outLog.firstWarnings];
      const exitMs = exit.at - signalAt;
      const clean = exit.code === 0 && !exit.killed && errorTotal === 0;

      return [
        {
          bench: 'shutdown',
          case: 'requests of the run',
          figures: {
            sent: outcomes.length,
            'before SIGTERM': before.length,
            'after SIGTERM': after.length,
            'ok after SIGTERM': okAfter,
            confirmed: t.ok,
            'not saved': t['not-saved'],
            refused: t.refused,
            reset: t.reset,
            'other errors': t['http-error'] + t['other-200'] + t.timeout + t['conn-error'],
          },
          note: [
            `SIGTERM ${beforeSignalMs} ms into the run; last confirmation ${round(lastOk - signalAt, 0)} ms after SIGTERM; first refusal ${Number.isFinite(firstRefused) ? `${round(firstRefused - signalAt, 0)} ms` : 'never'} after; load stopped ${round(loadEndedAt - signalAt, 0)} ms after`,
            workersRefused < CONCURRENCY
              ? `intake did not stop: ${CONCURRENCY - workersRefused} of ${CONCURRENCY} keep-alive connections were still being served when the bench stopped sending at its cap (${capAfterSignalS} s after SIGTERM)`
              : '',
            describeErrors(t),
            `bot started as "${start.script}"${prepared ? ` (${prepared})` : ''}`,
          ]
            .filter(Boolean)
            .join('; '),
        },
        {
          bench: 'shutdown',
          case: 'lost: 200 without its row or confirmation',
          figures: { acknowledged: check.acknowledged, confirmed: check.confirmed, stored: check.stored, lost: check.lost, '200 unconfirmed': check.acknowledged - check.confirmed },
          target: '0 lost, 0 unconfirmed',
          pass: check.lost === 0 && check.acknowledged === check.confirmed,
          note: ['warm-up included; unconfirmed: a 200 whose body is not the confirmation ("not saved", an error message)', ...check.examples.filter((e) => e.startsWith('lost'))].join('; '),
        },
        {
          bench: 'shutdown',
          case: 'phantom: a row without a confirmed 200',
          figures: { phantom: check.phantom, mismatched: check.mismatched, foreign: check.foreign },
          target: '0',
          pass: check.phantom === 0 && check.mismatched === 0 && check.foreign === 0,
          note: check.examples.filter((e) => !e.startsWith('lost')).join('; ') || undefined,
        },
        {
          bench: 'shutdown',
          case: 'exit',
          figures: { 'SIGTERM to exit ms': round(exitMs, 0), 'exit code': exit.code ?? String(exit.signal), 'error lines': errorTotal, 'on stderr': errLog.errors, warnings: outLog.warnings + errLog.warnings },
          target: 'exit 0, no error lines',
          pass: clean,
          note: [
            exit.killed ? `did not exit within ${EXIT_GRACE_MS} ms: killed` : '',
            ...errors.slice(0, 3).map((l) => `error: ${l.slice(0, 300)}`),
            ...(errors.length ? [] : warnings.slice(0, 2).map((l) => `warning: ${l.slice(0, 300)}`)),
          ]
            .filter(Boolean)
            .join('; ') || undefined,
        },
      ];
    } finally {
      await bot?.stop(5_000);
      await fresh.drop();
      await slack.close();
    }
  },
};
