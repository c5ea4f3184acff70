/**
 * `npm start`: the bot for Slack, or the local sandbox. Only what the chosen mode needs is loaded (the sandbox,
 * the app, each database driver are imported when used), so start-up stays quick and small.
 */
import { ConfigError, configSchema, isSocketMode, readEnvironment, resolveStartMode, type Config } from './config.js';
import { createDb, type Database } from './db/client.js';
import { DataDirLockedError } from './db/lock-file.js';
import { runMigrations } from './db/migrate.js';
import { systemClock } from './lib/clock.js';
import { loadSecretBox } from './lib/encryption-key.js';
import { createLogger, scrubSecrets, type Logger } from './lib/logger.js';
import type { SecretBox } from './lib/secret-box.js';

async function main(): Promise<void> {
  const env = readEnvironment();
  let mode;
  try {
    mode = resolveStartMode(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  if (mode.kind === 'sandbox') return runSandbox(env, mode.reason);
  await runForSlack(mode.config);
}

/** Stop on SIGTERM and SIGINT: `stop` once, then exit 0 (1 when stopping failed). */
function onSignals(logger: ReturnType<typeof createLogger>, stop: () => Promise<void>): () => boolean {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await stop();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return () => stopping;
}

/**
 * The local sandbox: a Slack-like workspace in the browser with the real bot behind it. Its settings are the
 * environment's PORT, DATA_DIR and LOG_LEVEL; Slack's are made up for the run, and DATABASE_URL is not used
 * (the sandbox's data stays in its own embedded database under DATA_DIR/sandbox).
 */
async function runSandbox(env: NodeJS.ProcessEnv, reason: 'no-credentials' | 'forced'): Promise<void> {
  const settings = configSchema.safeParse({
    ...env,
    SLACK_BOT_TOKEN: 'xoxb-sandbox',
    SLACK_SIGNING_SECRET: 'sandbox',
    SLACK_APP_TOKEN: undefined,
    SLACK_API_URL: undefined,
    // Quiet by default: a newcomer reads the address, not the bot's log.
    LOG_LEVEL: env.LOG_LEVEL || 'warn',
  });
  if (!settings.success) {
    console.error(new ConfigError(settings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`)).message);
    process.exit(78);
  }
  const { PORT, DATA_DIR, LOG_LEVEL, DATABASE_URL } = settings.data;
  const logger = createLogger(LOG_LEVEL);
  const { SANDBOX_HOST, sandboxDir, startSandbox } = await import('./sandbox/start.js');
  if (DATABASE_URL) logger.warn('DATABASE_URL is not used by the sandbox: its data stays in its own embedded database under DATA_DIR/sandbox');
  let sandbox;
  try {
    sandbox = await startSandbox({ dataDir: DATA_DIR, port: PORT, logLevel: LOG_LEVEL, logger });
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      process.exit(75); // EX_TEMPFAIL
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Sales Pulse cannot start its sandbox: port ${PORT} on ${SANDBOX_HOST} is in use. Stop what uses it, or set PORT to another port (PORT=3001 npm start).`);
      process.exit(75);
    }
    throw e;
  }
  const running = sandbox;
  onSignals(logger, () => running.stop());
  const why = reason === 'forced' ? 'SALES_PULSE_SANDBOX=1 is set' : 'no Slack credentials are set';
  console.log(
    `This is a local sandbox (${why}): a Slack-like workspace on this machine with the real bot behind it, listening on ${SANDBOX_HOST} only; its data is in ${sandboxDir(DATA_DIR)}. To connect a real Slack workspace, see "Connect to Slack" in README.md.`,
  );
  console.log(`Sales Pulse sandbox: ${running.url}`);
}

async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  // Queries in flight are counted for the metrics only: counting wraps every query.
  const database = await createDb(config, { countQueries: config.METRICS || config.METRICS_PORT !== undefined });
  logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database opened; applying migrations');
  try {
    await runMigrations(database);
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
  return database;
}

/**
 * Webhook secrets stored in plaintext by an earlier version are sealed now, so none stays readable at rest. One
 * sealed with a key this process does not have is reported (its webhooks are refused until the key is right).
 */
async function sealSecretsAtRest(database: Database, box: SecretBox, logger: Logger): Promise<void> {
  const { sealWebhookSecrets } = await import('./features/deals/index.js');
  const report = await sealWebhookSecrets(database.db, box, { reseal: false });
  if (report.sealed > 0) logger.info({ sealed: report.sealed, keyId: box.keyId }, 'encrypted the webhook secrets stored in plaintext by an earlier version');
  if (report.unreadable.length > 0) {
    logger.error(
      { workspaces: report.unreadable, keyId: box.keyId },
      'some webhook secrets were encrypted with another key: their webhooks are refused until ENCRYPTION_KEY is that key (see "Encryption key" in README.md), or their secrets are rotated',
    );
  }
}

async function runForSlack(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  // The key that seals secrets at rest: ENCRYPTION_KEY, else the key file in DATA_DIR (made on first start).
  const secretBox = loadSecretBox(config, logger);

  // The database opens and migrates while the app's modules load: a new PGlite data directory is copied and
  // PGlite's WebAssembly compiled off this thread, PostgreSQL's round trips wait on the network. A failure is
  // handled once it is awaited below.
  const opening = openDatabase(config, logger);
  opening.catch(() => {});
  const { buildApp } = await import('./app.js');
  let database;
  try {
    database = await opening;
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      logger.fatal(e.message);
      console.error(e.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw e;
  }

  await sealSecretsAtRest(database, secretBox, logger);
  const bot = buildApp({ config, database, clock: systemClock, logger, secretBox });

  // Signals are handled from here on, so a SIGTERM that arrives while the app is still starting
  // (health checks already pass once the port listens) still shuts down cleanly.
  let starting: Promise<unknown> = Promise.resolve();
  const stopping = onSignals(logger, async () => {
    try {
      await starting.catch(() => {});
      // bot.stop() stops the scheduler first and waits for a run in progress, before the database closes.
      await bot.stop();
    } finally {
      await database.close().catch(() => {});
    }
  });

  starting = bot.start();
  const { port, metricsPort } = (await starting) as { port: number; metricsPort?: number };
  if (stopping()) return;
  logger.info(
    { mode: isSocketMode(config) ? 'socket' : 'http', port },
    isSocketMode(config)
      ? `Sales Pulse is running in Socket Mode; health checks on http://localhost:${port}/healthz`
      : `Sales Pulse is listening on http://localhost:${port}/slack/events`,
  );
  // Metrics (off unless asked for): on a port of their own, and/or on the main port with METRICS=1.
  if (metricsPort !== undefined) logger.info({ metricsPort }, `Prometheus metrics on http://localhost:${metricsPort}/metrics`);
  if (config.METRICS) logger.info({ port }, `Prometheus metrics on http://localhost:${port}/metrics (METRICS=1: keep this port private)`);
  // Scheduled posts: ticks every minute, and catches up at once on a slot missed while no process was up.
  bot.scheduler.start();
}

main().catch((e) => {
  console.error('Sales Pulse failed to start:', scrubSecrets(e instanceof Error ? e.message : String(e)));
  process.exit(1);
});
