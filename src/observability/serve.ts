/**
 * Serving GET /metrics: on a port of its own (METRICS_PORT), or as a route of the main receiver (METRICS=1, only
 * where that port is not public). And counting the answers of the app's other HTTP routes (the webhooks).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import { METRICS_PATH, type Metrics } from './metrics.js';

/** Answers `res` with the metrics text, or a 500 saying it could not be read. */
function answer(metrics: Metrics, res: ServerResponse): void {
  metrics.render().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(text);
    },
    () => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics could not be collected\n');
    },
  );
}

/** GET /metrics on the main port (METRICS=1). */
export function metricsRoute(metrics: Metrics): CustomRoute {
  return { path: METRICS_PATH, method: ['GET'], handler: (_req, res) => answer(metrics, res) };
}

/** The routes, each counting its answers by status under its path as registered (never the URL asked for). */
export function countedRoutes(routes: CustomRoute[], metrics: Metrics): CustomRoute[] {
  return routes.map((route) => ({
    ...route,
    handler: (req, res) => {
      res.once('finish', () => metrics.webhookRequest(route.path, res.statusCode));
      return route.handler(req, res);
    },
  }));
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server of its own answering GET /metrics (everything else 404), on every interface unless `host` is
 * given, as Prometheus scrapes from another machine. Port 0 picks a free one.
 */
export async function startMetricsServer(metrics: Metrics, port: number, host?: string): Promise<MetricsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === METRICS_PATH && (req.method === 'GET' || req.method === 'HEAD')) return answer(metrics, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found: metrics are at GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
