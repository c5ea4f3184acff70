import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type CustomRoute } from '@slack/bolt';
import type { Config } from './config.js';
import { isOAuthMode, isSocketMode } from './config.js';
import type { Database } from './db/client.js';
import type { Deps } from './deps.js';
import type { Clock } from './lib/clock.js';
import { secretBoxFromEnvironment } from './lib/encryption-key.js';
import type { SecretBox } from './lib/secret-box.js';
import { boltLogger, type Logger } from './lib/logger.js';
import { makeErrorHandler } from './slack/errors.js';
import { guardSlackEvents, SLACK_EVENTS_PATH } from './slack/request-guard.js';
import { createSlackClients, fixedToken, type ApiCallObserver, type SlackClients, type TokenSource } from './slack/clients.js';
import { UserDirectory } from './slack/user-directory.js';
import * as logging from './features/logging/index.js';
import * as summary from './features/summary/index.js';
import { createDealsFeature } from './features/deals/index.js';
import * as admin from './features/admin/index.js';
import * as leaderboard from './features/leaderboard/index.js';
import * as install from './features/install/index.js';
import { instanceId, Scheduler, type ScheduledJob, type SchedulerOptions } from './scheduler/scheduler.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { countedRoutes, metricsRoute, startMetricsServer, type MetricsServer } from './observability/serve.js';
import { ackTiming, countRequests, recordListenerNames, REQUEST_NOTE_PROPERTY } from './observability/slack-requests.js';

export interface BuildAppOptions {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Passed to Bolt's WebClient; slackApiUrl comes from config unless given here. */
  clientOptions?: webApi.WebClientOptions;
  /** The scheduler's tick (default every minute) and how long stop() waits for its runs (DEFAULT_STOP_TIMEOUT_MS). */
  scheduler?: SchedulerOptions;
  /**
   * Seals and opens secrets at rest (the webhook secrets). main.ts and the sandbox pass the one loadSecretBox
   * resolved (ENCRYPTION_KEY, else the key file in DATA_DIR); without it, config.ENCRYPTION_KEY must be set.
   */
  secretBox?: SecretBox;
  /**
   * Where each workspace's bot token comes from (slack/clients.ts): default SLACK_BOT_TOKEN for every workspace.
   * OAuth mode gives the installation store's.
   */
  tokens?: TokenSource;
  /** Told of every Web API call the bot's own clients make (metrics). */
  observeApiCall?: ApiCallObserver;
}

export interface SalesPulseApp {
  app: App;
  deps: Deps;
  /**
   * Start serving (HTTP receiver, or Socket Mode plus the health server). Port 0 picks a free port; a host
   * (HTTP mode) listens on that address only, as the sandbox's bot does on 127.0.0.1.
   */
  start(listen?: number | { port: number; host?: string }): Promise<{ port: number; metricsPort?: number }>;
  /**
   * Stop intake, let in-flight requests finish (within `drainTimeoutMs`), and stop the scheduler (its runs in
   * progress get its `stopTimeoutMs`, then are given up for another process). The database is closed by the caller.
   */
  stop(drainTimeoutMs?: number): Promise<void>;
  /**
   * Scheduled work (leaderboards, DM digests, the sweep of celebrations left unposted). Not started by buildApp or
   * start(): main.ts starts it after the app, tests call `scheduler.tick(now)`. stop() stops it first.
   */
  scheduler: Scheduler;
  /** Prometheus metrics, when METRICS_PORT or METRICS=1 asks for them (observability/metrics.ts). */
  metrics?: Metrics;
}

/**
 * Retries for the scheduler's reading client (users.info, conversations.open: calls that post nothing) when the
 * caller gives none. The library default (10 retries over about 30 minutes) would hold a run, and the tick behind
 * it, for half an hour; this gives up within a few minutes: 5 retries, 2 s doubling to at most 30 s, jittered so
 * replicas don't retry in step. 429s wait their Retry-After on top of this; 5xx and network errors use the backoff.
 * Posts never go through it: see slack/posting-client.ts.
 */
export const SCHEDULER_RETRY_CONFIG: webApi.RetryOptions = { retries: 5, factor: 2, minTimeout: 2_000, maxTimeout: 30_000, randomize: true };
/** Per request, so a hung connection cannot hold a run past its claim's lease. */
export const SCHEDULER_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The scheduler with every scheduled job, on Web API clients of its own built from the app's client options: one
 * for reads, with a bounded retry policy (unless the caller set one), and one for posts, with retries off and 429s
 * surfacing to the delivery protocol, which alone decides what is sent again (slack/posting-client.ts); both with a
 * request timeout. `extraJobs` are ticked too (the app's celebration sweep). Used by buildApp and `cli run-due`.
 */
export function buildScheduler(
  deps: Deps,
  clientOptions: webApi.WebClientOptions,
  opts: SchedulerOptions = {},
  extraJobs: ScheduledJob[] = [],
  tokens: TokenSource = fixedToken(deps.config.SLACK_BOT_TOKEN),
  observeApiCall?: ApiCallObserver,
): Scheduler {
  const options: webApi.WebClientOptions = { ...clientOptions, timeout: clientOptions.timeout || SCHEDULER_REQUEST_TIMEOUT_MS, logger: boltLogger(deps.logger) };
  const slack: SlackClients = createSlackClients(tokens, { ...options, retryConfig: clientOptions.retryConfig ?? SCHEDULER_RETRY_CONFIG }, observeApiCall);
  const clients = { clientFor: (teamId: string) => slack.reading(teamId), postingClientFor: (teamId: string) => slack.posting(teamId) };
  const claimedBy = instanceId();
  return new Scheduler(
    deps,
    [leaderboard.createLeaderboardJob({ ...clients, claimedBy }), summary.createDigestJob({ ...clients, claimedBy }), install.createRetentionPurgeJob({ claimedBy }), ...extraJobs],
    opts,
  );
}

/** How long /readyz waits for the database before answering 503. */
export const READY_PING_TIMEOUT_MS = 2_000;
/**
 * Per request, for the clients that answer people (Bolt's, and the one the webhook and celebrations use): a hung
 * call must not hold a handler or a celebration queue. Slack answers in well under a second when it answers.
 */
export const INTERACTIVE_REQUEST_TIMEOUT_MS = 10_000;

function healthRoutes(database: Database): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok' }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        // A database that does not answer within READY_PING_TIMEOUT_MS is as good as down: answer 503 then.
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), READY_PING_TIMEOUT_MS);
        });
        void Promise.race([database.ping(), timedOut]).then((ok) => {
          clearTimeout(timer);
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { status: 'ready', database: 'ok' } : { status: 'unavailable', database: 'unreachable' }));
        });
      },
    },
  ];
}

/**
 * Keep-alive connections must not hold a stopping server open: Node's server.close() stops accepting new connections
 * but serves further requests on open keep-alive ones and waits for them to go idle, so a busy client would keep a
 * stopping bot serving forever. From the returned call on, every response (those in progress, and any request
 * still arriving on an open connection) carries `Connection: close`, and idle connections are closed.
 */
function closeConnectionsOnStop(server: Server): () => void {
  const inProgress = new Set<ServerResponse>();
  let stopping = false;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return closeAfter(res);
    inProgress.add(res);
    res.on('close', () => inProgress.delete(res));
  });
  return () => {
    stopping = true;
    for (const res of inProgress) closeAfter(res);
    inProgress.clear();
    server.closeIdleConnections();
  };
}

/** Build the Bolt app with every feature registered. Nothing listens until start(). */
export function buildApp(options: BuildAppOptions): SalesPulseApp {
  const { config, database, clock, logger } = options;
  // Prometheus metrics, only when asked for: GET /metrics on METRICS_PORT, or on PORT too with METRICS=1.
  const metrics =
    config.METRICS_PORT !== undefined || config.METRICS
      ? createMetrics({ database, onCollectError: (err, metric) => logger.warn({ err, metric }, 'a metric could not be read for this scrape') })
      : undefined;
  const observeApiCall = options.observeApiCall ?? metrics?.apiCall;
  const callerClientOptions: webApi.WebClientOptions = { slackApiUrl: config.SLACK_API_URL, ...options.clientOptions };
  // The scheduler's client has its own (longer) timeout and retries; see buildScheduler.
  const clientOptions: webApi.WebClientOptions = { timeout: INTERACTIVE_REQUEST_TIMEOUT_MS, ...callerClientOptions };
  // Clients of our own for work outside Bolt's handlers (the webhook route, Home tabs, DMs, celebrations, the Post
  // to channel button), one pair per workspace token; same options as Bolt's. Posts go through a posting client
  // that never posts twice by itself (slack/posting-client.ts).
  const secretBox = options.secretBox ?? secretBoxFromEnvironment(config);
  if (!secretBox) throw new Error('buildApp: give a secretBox (loadSecretBox) or set ENCRYPTION_KEY in the config');
  // OAuth mode: Bolt's install flow on the receiver, and every workspace's token from the installation store
  // (features/install), for Bolt's handlers and our own clients alike.
  const oauth = isOAuthMode(config)
    ? install.createOAuthSetup({ config, db: database.db, secretBox, clock, logger, clientOptions: { ...clientOptions, logger: boltLogger(logger) }, observeApiCall })
    : undefined;
  const tokens = options.tokens ?? oauth?.tokens ?? fixedToken(config.SLACK_BOT_TOKEN);
  const slack = createSlackClients(tokens, { ...clientOptions, logger: boltLogger(logger) }, observeApiCall);
  // After someone logs, edits or undoes an entry, their Home tab is republished in the background. The refresher
  // needs deps and deps name the refresher, so the hook looks it up when a change happens, by then long built.
  const deps: Deps = { config, db: database.db, clock, logger, afterChange: (teamId, userId) => home.refresh(teamId, userId), users: new UserDirectory(), slack };
  const home = summary.createHomeRefresher(deps);
  const deals = createDealsFeature(deps, secretBox);
  const schedulerOptions = metrics ? { ...options.scheduler, onOutcomes: metrics.scheduledRuns } : options.scheduler;
  const scheduler = buildScheduler(deps, callerClientOptions, schedulerOptions, deals.jobs, tokens, observeApiCall);
  const customRoutes = [
    ...healthRoutes(database),
    ...(metrics ? countedRoutes(deals.routes, metrics) : deals.routes),
    // Never on the public Slack port unless METRICS=1 says that port is not public.
    ...(metrics && config.METRICS ? [metricsRoute(metrics)] : []),
  ];
  const socketMode = isSocketMode(config);
  // The ack latency of /slack/events (HTTP mode): the middleware below notes what each request is.
  const acks = metrics && !socketMode ? ackTiming(metrics, SLACK_EVENTS_PATH) : undefined;
  let metricsServer: MetricsServer | undefined;

  let server: Server | undefined;
  let stopIntake: (() => void) | undefined;
  /** Each HTTP request's arrival on the monotonic clock, stamped before Bolt reads its body. */
  const arrivals = new WeakMap<IncomingMessage, number>();
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN!,
        customRoutes,
        // Its own copy: the socket client sets its reconnect retries (100) on the options object it is given, which
        // Bolt's client below would otherwise share. SLACK_API_URL (slackApiUrl) applies to apps.connections.open too.
        ...oauth?.receiverOptions,
        installerOptions: { ...oauth?.receiverOptions.installerOptions, port: config.PORT, clientOptions: { ...clientOptions } },
        logger: boltLogger(logger),
      })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET!,
        ...oauth?.receiverOptions,
        customRoutes,
        // When the request reached the bot, for the deadline of an answer in the ack (see slack/command-ack.ts).
        customPropertiesExtractor: (req) => ({ receivedAt: arrivals.get(req) ?? performance.now(), ...(acks && { [REQUEST_NOTE_PROPERTY]: acks.note(req) }) }),
        logger: boltLogger(logger),
        // Each handler acks itself within Slack's 3 seconds: the logging and deal commands with their stored and
        // confirmed answer (see slack/command-ack.ts), the others at once before slower work.
        processBeforeResponse: false,
      });
  // Replayed, oversized and malformed requests to /slack/events are refused before Bolt reads them (slack/request-guard.ts).
  if (receiver instanceof HTTPReceiver) {
    receiver.requestListener = guardSlackEvents(receiver.requestListener, { signingSecret: config.SLACK_SIGNING_SECRET!, logger });
  }

  const app = new App({
    // OAuth mode: no token; Bolt authorizes each request through the installation store.
    token: oauth ? undefined : config.SLACK_BOT_TOKEN,
    receiver,
    clientOptions,
    logger: boltLogger(logger),
    extendedErrorHandler: true,
    // No feature reads Bolt's conversation store; its middleware would cost every request a lookup.
    convoStore: false,
  });
  app.error(makeErrorHandler(logger));

  // Metrics: every command, interaction and event by its listener's name (names recorded as the features register
  // them below, so a label is one of them or 'other') and outcome; Bolt's own clients' Web API calls.
  if (metrics) app.use(countRequests(metrics, recordListenerNames(app)));

  // Track handler work still running after ack(), so shutdown can wait for it.
  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next }: { next: () => Promise<void> }) => {
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });

  logging.register(app, deps);
  summary.register(app, deps);
  deals.register(app);
  admin.register(app, deps, { secretBox });
  leaderboard.register(app, deps);
  // app_uninstalled / tokens_revoked, in both modes: tokens deleted, schedules stopped, data kept RETENTION_DAYS.
  install.registerLifecycle(app, deps, { forgetTokens: oauth?.forgetTokens, singleWorkspace: !oauth });

  let started = false;
  return {
    app,
    deps,
    scheduler,
    metrics,
    async start(listen = config.PORT) {
      const host = typeof listen === 'number' ? undefined : listen.host;
      if (metrics && config.METRICS_PORT !== undefined) metricsServer = await startMetricsServer(metrics, config.METRICS_PORT, host);
      const metricsPort = metricsServer?.port;
      if (socketMode) {
        await app.start();
        started = true;
        return { port: config.PORT, metricsPort };
      }
      const port = typeof listen === 'number' ? listen : listen.port;
      server = (await app.start(typeof listen === 'number' ? listen : { port: listen.port, host: listen.host })) as Server;
      server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        const at = performance.now();
        arrivals.set(req, at);
        acks?.request(req, res, at);
      });
      stopIntake = closeConnectionsOnStop(server);
      started = true;
      const address = server.address();
      return { port: typeof address === 'object' && address ? address.port : port, metricsPort };
    },
    async stop(drainTimeoutMs = 10_000) {
      // No new scheduled runs; one already claimed is let finish for a few seconds (the scheduler's stopTimeoutMs),
      // then given up: given back for another process when it sent nothing, failed when its post was in flight
      // (a miss beats a double). So a run waiting out Slack's rate limits cannot hold the shutdown.
      const schedulerStopped = scheduler.stop();
      const timeout = new Promise((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      // Stop intake first: no new connections; requests in progress are answered (a command's answer is its ack,
      // sent once its entry is committed) and their connections then closed, as are idle ones.
      stopIntake?.();
      if (started) {
        started = false;
        await Promise.race([app.stop(), timeout]);
        server?.closeAllConnections();
      }
      // Then let handlers finish their work after the ack (replies, refreshes), within the same bound.
      const drained = Promise.allSettled([...inFlight]);
      // Celebrations may be queued by handlers still finishing: drain them after the handlers.
      await Promise.race([drained.then(() => Promise.all([deals.drain(), home.drain()])), timeout]);
      await schedulerStopped;
      // Last, so a scrape still sees the shutdown's own counts.
      await metricsServer?.close();
      metricsServer = undefined;
    },
  };
}
