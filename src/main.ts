import 'dotenv/config';
import { buildApp } from './app.js';
import { ConfigError, isSocketMode, loadConfig } from './config.js';
import { createDb } from './db/client.js';
import { DataDirLockedError } from './db/lock-file.js';
import { runMigrations } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { createLogger, scrubSecrets } from './lib/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);

  let database;
  try {
    database = await createDb(config);
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      logger.fatal(e.message);
      console.error(e.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw e;
  }
  logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database opened; applying migrations');
  await runMigrations(database);

  const bot = buildApp({ config, database, clock: systemClock, logger });

  // Signals are handled from here on, so a SIGTERM that arrives while the app is still starting
  // (health checks already pass once the port listens) still shuts down cleanly.
  let stopping = false;
  let starting: Promise<unknown> = Promise.resolve();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await starting.catch(() => {});
      // bot.stop() stops the scheduler first and waits for a run in progress, before the database closes.
      await bot.stop();
      await database.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
      await database.close().catch(() => {});
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  starting = bot.start();
  const { port } = (await starting) as { port: number };
  if (stopping) return;
  logger.info(
    { mode: isSocketMode(config) ? 'socket' : 'http', port },
    isSocketMode(config)
      ? `Sales Pulse is running in Socket Mode; health checks on http://localhost:${port}/healthz`
      : `Sales Pulse is listening on http://localhost:${port}/slack/events`,
  );
  // Scheduled posts: ticks every minute, and catches up at once on a slot missed while no process was up.
  bot.scheduler.start();
}

main().catch((e) => {
  console.error('Sales Pulse failed to start:', scrubSecrets(e instanceof Error ? e.message : String(e)));
  process.exit(1);
});
