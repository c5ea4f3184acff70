import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type CustomRoute } from '@slack/bolt';
import type { Config } from './config.js';
import { isSocketMode } from './config.js';
import type { Database } from './db/client.js';
import type { Deps } from './deps.js';
import type { Clock } from './lib/clock.js';
import { boltLogger, type Logger } from './lib/logger.js';
import { makeErrorHandler } from './slack/errors.js';
import * as logging from './features/logging/index.js';
import * as summary from './features/summary/index.js';
import { createDealsFeature } from './features/deals/index.js';
import * as admin from './features/admin/index.js';

export interface BuildAppOptions {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** Passed to Bolt's WebClient; slackApiUrl comes from config unless given here. */
  clientOptions?: webApi.WebClientOptions;
}

export interface SalesPulseApp {
  app: App;
  deps: Deps;
  /** Start serving (HTTP receiver, or Socket Mode plus the health server). Port 0 picks a free port. */
  start(port?: number): Promise<{ port: number }>;
  /** Stop intake, let in-flight requests finish. The database is closed by the caller. */
  stop(drainTimeoutMs?: number): Promise<void>;
}

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
        void database.ping().then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { status: 'ready', database: 'ok' } : { status: 'unavailable', database: 'unreachable' }));
        });
      },
    },
  ];
}

/** Build the Bolt app with every feature registered. Nothing listens until start(). */
export function buildApp(options: BuildAppOptions): SalesPulseApp {
  const { config, database, clock, logger } = options;
  const deps: Deps = { config, database, db: database.db, clock, logger };
  const clientOptions: webApi.WebClientOptions = { slackApiUrl: config.SLACK_API_URL, ...options.clientOptions };
  // A client of our own for work outside Bolt's handlers (the webhook route, paced posts); same options as Bolt's.
  const client = new webApi.WebClient(config.SLACK_BOT_TOKEN, { ...clientOptions, logger: boltLogger(logger) });
  const deals = createDealsFeature(deps, client);
  const customRoutes = [...healthRoutes(database), ...deals.routes];
  const socketMode = isSocketMode(config);

  let server: Server | undefined;
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN!,
        customRoutes,
        installerOptions: { port: config.PORT, clientOptions },
        logger: boltLogger(logger),
      })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET!,
        customRoutes,
        logger: boltLogger(logger),
        // Each handler acks itself within Slack's 3 seconds, then does slow work.
        processBeforeResponse: false,
      });

  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    clientOptions,
    logger: boltLogger(logger),
    extendedErrorHandler: true,
  });
  app.error(makeErrorHandler(logger));

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
  admin.register(app, deps);

  return {
    app,
    deps,
    async start(port = config.PORT) {
      if (socketMode) {
        await app.start();
        return { port: config.PORT };
      }
      server = (await app.start(port)) as Server;
      const address = server.address();
      return { port: typeof address === 'object' && address ? address.port : port };
    },
    async stop(drainTimeoutMs = 10_000) {
      // Stop intake first: the HTTP server stops accepting and closes idle keep-alive connections.
      server?.closeIdleConnections?.();
      await app.stop();
      // Then let handlers that already acked finish their work (stores, replies), within a bound.
      const drained = Promise.allSettled([...inFlight]);
      const timeout = new Promise((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      // Celebrations may be queued by handlers still finishing: drain them after the handlers.
      await Promise.race([drained.then(() => deals.drain()), timeout]);
    },
  };
}
