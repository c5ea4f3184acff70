// @ts-check
/**
 * One bot process of the Monday fan-out benchmark (bench/monday-fanout.ts): a scheduler built as the bot builds
 * it (buildScheduler, with the installations' sealed tokens as its TokenSource), ticked once when the parent says
 * so, against the PostgreSQL database and the fake Slack the parent set up. Forked with an IPC channel:
 *
 *   parent → { type: 'tick', at }     the instant the tick is for (Monday 09:00:05); this process's clock is
 *                                     moved there and runs on in real time (Retry-After waits are real)
 *   worker → { type: 'ready' }        modules loaded, database connected
 *   worker → { type: 'done', … }      outcomes by status, statements sent during the tick, peak RSS, seconds
 *
 * Statements are counted at the postgres.js client (its `debug` hook, one call per statement sent), from the tick
 * on: pg_stat_statements is not available on every server, and this counts only this process's.
 *
 * Plain JavaScript on the compiled bot (dist/, built by `npm run prestart` first, as `npm start` does), run with
 * plain `node`: its memory is the bot's, not a TypeScript loader's. The messages' types are in monday-fanout.ts.
 *
 * Environment: FANOUT_DATABASE_URL, FANOUT_SLACK_API_URL, FANOUT_ENCRYPTION_KEY, FANOUT_LOG_LEVEL (default warn).
 */
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { buildScheduler } from '../dist/app.js';
import { configSchema } from '../dist/config.js';
import * as schema from '../dist/db/schema/index.js';
import { ignoreChanges } from '../dist/deps.js';
import { InstallationTokens } from '../dist/features/install/index.js';
import { createLogger } from '../dist/lib/logger.js';
import { parseEncryptionKey, SecretBox } from '../dist/lib/secret-box.js';
import { noSlack } from '../dist/slack/clients.js';
import { UserDirectory } from '../dist/slack/user-lookups.js';

/** @param {string} name */
function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main() {
  let statements = 0;
  let counting = false;
  const client = postgres(env('FANOUT_DATABASE_URL'), {
    max: 10,
    onnotice: () => {},
    debug: () => {
      if (counting) statements++;
    },
  });
  const db = /** @type {any} */ (drizzle(client, { schema }));
  await client`select 1`;

  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const logger = createLogger(/** @type {any} */ (process.env.FANOUT_LOG_LEVEL ?? 'warn'), process.stderr);
  const key = /** @type {Buffer} */ (parseEncryptionKey(env('FANOUT_ENCRYPTION_KEY')));
  const config = configSchema.parse({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'bench', SLACK_STATE_SECRET: 'bench-state', SLACK_SIGNING_SECRET: 'bench', DATABASE_URL: env('FANOUT_DATABASE_URL') });
  const deps = { config, db, clock, logger, afterChange: ignoreChanges, users: new UserDirectory(), slack: noSlack };
  const tokens = new InstallationTokens({
    db,
    box: new SecretBox(key),
    clock,
    logger,
    refresh: () => Promise.reject(new Error('the benchmark does not rotate tokens')),
  });
  const scheduler = buildScheduler(deps, { slackApiUrl: env('FANOUT_SLACK_API_URL') }, {}, [], tokens);

  process.on('message', (/** @type {{ type: string, at: string }} */ message) => {
    if (message.type !== 'tick') return;
    void (async () => {
      const at = new Date(message.at);
      offsetMs = at.getTime() - Date.now();
      /** @type {string[]} */
      const errors = [];
      statements = 0;
      counting = true;
      const started = performance.now();
      const outcomes = await scheduler.tick(at);
      const tickSeconds = (performance.now() - started) / 1000;
      counting = false;
      /** @type {Record<string, number>} */
      const statuses = {};
      // The boards (the purge and digest jobs tick too, with nothing or little to do).
      for (const o of outcomes.filter((x) => x.job === 'leaderboard')) {
        statuses[o.status] = (statuses[o.status] ?? 0) + 1;
        if (o.status !== 'done' && errors.length < 5) errors.push(`${o.status}: ${o.detail}`);
      }
      await scheduler.stop();
      const done = {
        type: 'done',
        pid: process.pid,
        statuses,
        statements,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        tickSeconds,
        errors,
      };
      process.send?.(done, () => {
        void client.end({ timeout: 5 }).finally(() => process.exit(0));
      });
    })().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  });
  process.send?.({ type: 'ready' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
