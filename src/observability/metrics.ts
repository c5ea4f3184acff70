/**
 * Prometheus metrics (GET /metrics, in the text format): what an operator watches to know the bot is healthy.
 *
 * Each app makes its own (createMetrics): its own registry, never prom-client's global one, so two apps in one
 * process (tests, the sandbox) count apart, and nothing here is module-level state. Recorders are plain functions
 * the app's wiring calls (app.ts: a Bolt middleware, the receiver's responses, the scheduler's outcomes, the Web
 * API clients, the webhook routes); gauges of the database are read when scraped, never polled.
 *
 * Label values are bounded by construction: a slash command, action or view is named only when a listener is
 * registered for it (slack-requests.ts), every other value is 'other'; there is no label per workspace or per user.
 */
import { sql } from 'drizzle-orm';
import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import type { RunOutcome } from '../scheduler/scheduler.js';

export const METRICS_PREFIX = 'sales_pulse_';
export const METRICS_PATH = '/metrics';

/** What a request to /slack/events was, for the ack latency and the handled counts. */
export type RequestKind = 'command' | 'interaction' | 'event';
export type Outcome = 'ok' | 'error';

/**
 * Seconds from a request's arrival to its acknowledgement. Slack gives up at 3 s; 2.5 s is where an alert on the
 * p99 starts (see the README), so the buckets are fine around it.
 */
export const ACK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5];

/**
 * A label whose values come from outside (Slack error codes, Web API methods, job names): at most this many
 * distinct values per label, then 'other'. They are a small fixed set in practice; this only makes sure.
 */
export const MAX_LABEL_VALUES = 100;

export interface MetricsOptions {
  /** Read on each scrape: queries in flight (the pool in use) and the workspaces by installed state. */
  database?: Database;
  /** Node's process metrics (CPU, memory, event loop lag, GC, handles), prefixed. Default true. */
  processMetrics?: boolean;
  /** Told when a gauge cannot be read on a scrape (the scrape still answers, without that gauge's new value). */
  onCollectError?: (error: unknown, metric: string) => void;
  /** How long a scrape waits for the workspace count; default WORKSPACE_COUNT_TIMEOUT_MS. */
  countTimeoutMs?: number;
}

/**
 * A scrape does not wait longer than this for the count of workspaces: a busy database (PGlite's one connection
 * held by a long transaction) must not hold the scrape past Prometheus's timeout, and lose every other metric with it.
 */
export const WORKSPACE_COUNT_TIMEOUT_MS = 2_000;

export interface Metrics {
  readonly registry: Registry;
  /** The Content-Type of `render()`'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Everything, in the Prometheus text format. */
  render(): Promise<string>;
  /** A command, interaction or event went through its listener: `type` is its bounded name (slack-requests.ts). */
  handled(kind: RequestKind, type: string, outcome: Outcome): void;
  /** A /slack/events request was acknowledged (its response finished) `seconds` after it arrived. */
  acknowledged(kind: RequestKind, seconds: number): void;
  /** What a scheduler tick came to (Scheduler's onOutcomes). */
  scheduledRuns(outcomes: readonly RunOutcome[]): void;
  /** One Web API call (an ApiCallObserver, slack/clients.ts): its method and 'ok', 'rate_limited' or the error code. */
  apiCall(method: string, result: string): void;
  /** A request to a webhook route (its path as registered, never the URL) was answered with `status`. */
  webhookRequest(path: string, status: number): void;
}

/** Values of one label, at most MAX_LABEL_VALUES of them, then 'other'. */
function boundedLabel(): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return 'other';
    seen.add(value);
    return value;
  };
}

/** Installed and uninstalled workspaces, in one query. */
async function countWorkspaces(database: Database, timeoutMs: number): Promise<{ installed: number; uninstalled: number }> {
  const counting = database.rows<{ installed: number | string; uninstalled: number | string }>(
    sql`select count(*) filter (where uninstalled_at is null) as installed, count(*) filter (where uninstalled_at is not null) as uninstalled from workspaces`,
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the workspace count took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  counting.catch(() => {});
  try {
    const [row] = await Promise.race([counting, late]);
    return { installed: Number(row?.installed ?? 0), uninstalled: Number(row?.uninstalled ?? 0) };
  } finally {
    clearTimeout(timer);
  }
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  // prom-client is loaded here, on first use: a bot with metrics off never loads it.
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  const name = (n: string) => `${METRICS_PREFIX}${n}`;

  const handled = new Counter({
    name: name('slack_requests_handled_total'),
    help: 'Slash commands, interactions and events handled, by kind, type (command name, action_id family, view or shortcut callback id, event type; other when no listener is registered for it) and outcome (error: the listener threw)',
    labelNames: ['kind', 'type', 'outcome'] as const,
    registers,
  });
  const ackSeconds = new Histogram({
    name: name('slack_ack_duration_seconds'),
    help: 'Seconds from a request to /slack/events arriving to its acknowledgement (its HTTP response finished), by kind; Slack gives up at 3 s',
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  const runs = new Counter({
    name: name('scheduled_runs_total'),
    help: 'Scheduled runs (boards, digests, celebrations) by job and status: done, failed (not retried), skipped (too old), retry (given back for a later tick)',
    labelNames: ['job', 'status'] as const,
    registers,
  });
  const apiCalls = new Counter({
    name: name('slack_api_calls_total'),
    help: 'Slack Web API calls by method and result: ok, rate_limited (HTTP 429), or the Slack error code (http_error, request_error for the transport)',
    labelNames: ['method', 'result'] as const,
    registers,
  });
  const webhooks = new Counter({
    name: name('webhook_requests_total'),
    help: 'Requests to the webhook routes (the CRM deals webhook) by route and HTTP status',
    labelNames: ['path', 'status'] as const,
    registers,
  });
  const { database, onCollectError } = opts;
  if (database) {
    // Only for a database that counts them (opened with countQueries, as main.ts does when metrics are on).
    if (database.queriesInFlight() !== undefined) {
      new Gauge({
        name: name('db_queries_in_flight'),
        help: 'Database queries and transactions in progress, running or waiting for a pool connection (the pool in use; at most db_pool_size run at once)',
        registers,
        collect() {
          this.set(database.queriesInFlight() ?? 0);
        },
      });
    }
    new Gauge({
      name: name('db_pool_size'),
      help: 'Connections the database pool opens at most (PGlite: 1, one query at a time)',
      registers,
      collect() {
        this.set(database.poolSize);
      },
    });
    new Gauge({
      name: name('workspaces'),
      help: 'Workspaces known to this deployment, by state: installed, or uninstalled (data kept for RETENTION_DAYS)',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        try {
          const counts = await countWorkspaces(database, opts.countTimeoutMs ?? WORKSPACE_COUNT_TIMEOUT_MS);
          this.set({ state: 'installed' }, counts.installed);
          this.set({ state: 'uninstalled' }, counts.uninstalled);
        } catch (error) {
          onCollectError?.(error, 'workspaces');
        }
      },
    });
  }
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });

  const jobLabel = boundedLabel();
  const methodLabel = boundedLabel();
  const resultLabel = boundedLabel();
  const typeLabel = boundedLabel();
  const pathLabel = boundedLabel();
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    handled: (kind, type, outcome) => handled.inc({ kind, type: typeLabel(type), outcome }),
    acknowledged: (kind, seconds) => ackSeconds.observe({ kind }, seconds),
    scheduledRuns: (outcomes) => {
      for (const o of outcomes) runs.inc({ job: jobLabel(o.job), status: o.status });
    },
    apiCall: (method, result) => apiCalls.inc({ method: methodLabel(method), result: resultLabel(result) }),
    webhookRequest: (path, status) => webhooks.inc({ path: pathLabel(path), status: String(status) }),
  };
}
