/**
 * Web API clients per workspace: the one place a workspace's bot token becomes a client.
 *
 * One deployment serves one workspace (SLACK_BOT_TOKEN) or many (OAuth mode: a token per installation, read from
 * the installation store and refreshed there when token rotation is on). Everything that calls Slack outside the
 * client Bolt hands a handler (the CRM webhook, celebrations, Home tab refreshes, DMs to reps, exports, scheduled
 * posts) asks this for the workspace's client, so the same code serves both modes.
 *
 * Two kinds, as everywhere in the bot: a reading client (the client's own retries on) and a posting client
 * (retries off, 429s surfacing: slack/posting-client.ts). Clients are kept per token, a bounded number of them,
 * so a rotated token gets a new client and a thousand workspaces do not hold a thousand idle clients forever.
 */
import { webApi } from '@slack/bolt';
import { POSTING_CLIENT_OPTIONS } from './posting-client.js';

/** Where a workspace's bot token comes from. */
export interface TokenSource {
  /**
   * The bot token for `teamId` (refreshed first when it is about to expire), or undefined when the app is not
   * installed there (never installed, uninstalled, tokens revoked).
   */
  botToken(teamId: string): Promise<string | undefined>;
}

/** The workspace has no installation (or it was removed): nothing can be sent there. */
export class NotInstalledError extends Error {
  /** Read like a Slack error code by the delivery protocol's permanent errors. */
  readonly code = 'not_installed';
  constructor(readonly teamId: string) {
    super(`Sales Pulse is not installed in workspace ${teamId} (or was uninstalled): nothing can be sent there`);
    this.name = 'NotInstalledError';
  }
}

/** Called once per Web API call made through these clients (metrics): the method, and 'ok', 'rate_limited' or the error code. */
export type ApiCallObserver = (method: string, result: string) => void;

export interface SlackClients {
  /** For calls that post nothing (users.info, conversations.open, views.publish…): the client retries by itself. */
  reading(teamId: string): Promise<webApi.WebClient>;
  /**
   * For calls that post (chat.postMessage, file uploads): retries off, 429s surface to the caller. `timeoutMs`
   * replaces the request timeout (a large upload).
   */
  posting(teamId: string, opts?: { timeoutMs?: number }): Promise<webApi.WebClient>;
}

/** The one token of a single-workspace deployment (SLACK_BOT_TOKEN), whatever the workspace asked for. */
export function fixedToken(token: string | undefined): TokenSource {
  return { botToken: () => Promise.resolve(token) };
}

/**
 * At most this many clients of each kind are kept (least recently used dropped first). A client costs about 25 KB
 * and is cheap to make again (connections are pooled by Node's fetch, shared by all clients), so the cache spares a
 * busy workspace's calls the making; it does not keep a client for every workspace (a thousand are 25 MB).
 */
export const MAX_CACHED_CLIENTS = 200;

/** The result label of one Web API call, for metrics: 'ok', 'rate_limited', a Slack error code, or the failure kind. */
export function apiCallResult(error: unknown): string {
  if (error === undefined) return 'ok';
  const e = error as { code?: string; data?: { error?: string } };
  if (e.code === webApi.ErrorCode.RateLimitedError) return 'rate_limited';
  if (e.code === webApi.ErrorCode.PlatformError) return e.data?.error ?? 'platform_error';
  if (e.code === webApi.ErrorCode.HTTPError) return 'http_error';
  if (e.code === webApi.ErrorCode.RequestError) return 'request_error';
  return 'error';
}

const OBSERVED = Symbol('sales-pulse observed client');

/**
 * Point the client's method functions (`client.chat.postMessage`…) at its apiCall as it is now. The library binds
 * each one to the class's apiCall when the client is built (`apiCall.bind(client, 'chat.postMessage')`), so a
 * wrapper set on the instance afterwards would see only direct apiCall calls. Those bound functions are named
 * 'bound apiCall', and each sits at the path of its method name (checked for all 280 of @slack/web-api 8);
 * files.uploadV2 (its own function) calls the rebound ones.
 */
function rebindMethods(namespace: Record<string, unknown>, path: string, client: webApi.WebClient): void {
  for (const [key, value] of Object.entries(namespace)) {
    const method = `${path}.${key}`;
    if (typeof value === 'function' && value.name === 'bound apiCall') {
      namespace[key] = (options?: Record<string, unknown>) => client.apiCall(method, options);
    } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      rebindMethods(value as Record<string, unknown>, method, client);
    }
  }
}

/**
 * Report every call `client` makes to `observe` (once per client: calling it again does nothing), including Bolt's
 * own clients: each call once with its result, and, on a client that waits out 429s and retries by itself (the
 * reading clients), each 429 as it is answered too, so rate limiting shows even when the call then succeeds.
 */
export function observeApiCalls(client: webApi.WebClient, observe: ApiCallObserver | undefined): webApi.WebClient {
  const marked = client as webApi.WebClient & { [OBSERVED]?: true };
  if (!observe || marked[OBSERVED]) return client;
  marked[OBSERVED] = true;
  const apiCall = client.apiCall.bind(client);
  client.apiCall = async (method, options) => {
    try {
      const result = await apiCall(method, options);
      observe(method, 'ok');
      return result;
    } catch (error) {
      observe(method, apiCallResult(error));
      throw error;
    }
  };
  for (const [key, value] of Object.entries(client)) {
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) rebindMethods(value as Record<string, unknown>, key, client);
  }
  // A client that rejects rate-limited calls (posting clients) reports them as the call's result above instead.
  if (!(client as unknown as { rejectRateLimitedCalls?: boolean }).rejectRateLimitedCalls) {
    client.on(webApi.WebClientEvent.RATE_LIMITED, (_retryAfterSeconds: number, request: { url?: string }) => {
      const url = request?.url ?? '';
      observe(url.startsWith(client.slackApiUrl) ? url.slice(client.slackApiUrl.length) : 'other', 'rate_limited');
    });
  }
  return client;
}

/**
 * Clients for every workspace `tokens` knows, with `options` (URL, timeout, logger, retries for reads). A
 * workspace without a token gets NotInstalledError.
 */
export function createSlackClients(tokens: TokenSource, options: webApi.WebClientOptions, observe?: ApiCallObserver): SlackClients {
  const reading = new Map<string, webApi.WebClient>();
  const posting = new Map<string, webApi.WebClient>();
  const clientFor = (cache: Map<string, webApi.WebClient>, token: string, extra: webApi.WebClientOptions) => {
    const key = extra.timeout === undefined ? token : `${extra.timeout}:${token}`;
    let client = cache.get(key);
    if (client) {
      // Most recently used last.
      cache.delete(key);
    } else {
      client = observeApiCalls(new webApi.WebClient(token, { ...options, ...extra }), observe);
      if (cache.size >= MAX_CACHED_CLIENTS) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, client);
    return client;
  };
  const tokenOf = async (teamId: string) => {
    const token = await tokens.botToken(teamId);
    if (!token) throw new NotInstalledError(teamId);
    return token;
  };
  return {
    reading: async (teamId) => clientFor(reading, await tokenOf(teamId), {}),
    posting: async (teamId, opts) => clientFor(posting, await tokenOf(teamId), { ...POSTING_CLIENT_OPTIONS, ...(opts?.timeoutMs ? { timeout: opts.timeoutMs } : {}) }),
  };
}

/** One client for every workspace and both kinds (tests that hand in a client of their own). */
export function clientsOf(client: webApi.WebClient): SlackClients {
  return { reading: () => Promise.resolve(client), posting: () => Promise.resolve(client) };
}

/** For processes that never call Slack (migrations, imports, tests of queries): any use is a bug, reported as such. */
export const noSlack: SlackClients = {
  reading: (teamId) => Promise.reject(new Error(`no Slack client in this process (asked for workspace ${teamId})`)),
  posting: (teamId) => Promise.reject(new Error(`no Slack client in this process (asked for workspace ${teamId})`)),
};
