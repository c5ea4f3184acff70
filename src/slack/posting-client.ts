/**
 * Posting without doubles. The Web API client retries timeouts, 5xx answers and 429s by itself; for a call that
 * posts (chat.postMessage, a file upload) such a retry posts a second time whenever Slack had posted and then
 * answered late or with an error. So every call that posts on its own schedule (scheduled leaderboards, digests,
 * win celebrations) goes through a client with retries off that rejects a 429 at once, and the caller decides:
 * only what certainly did not post (a 429, a connection never made: `certainlyNotSent`) is tried again; anything
 * else is a failure with its reason, never a second post. A miss (recorded and logged) beats a double.
 *
 * Reads (users.info, conversations.open, conversations.info) post nothing and may keep the client's retries.
 */
import { webApi } from '@slack/bolt';
import { retryAfterMs } from './web-api-errors.js';

/** What makes a Web API client a posting one: no retries of its own, and a 429 surfaces to the caller. */
export const POSTING_CLIENT_OPTIONS = { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true } as const satisfies webApi.WebClientOptions;

/** A client for calls that post: `options` (URL, timeout, logger…) with retries off and 429s rejected. */
export function createPostingClient(token: string | undefined, options: webApi.WebClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(token, { ...options, ...POSTING_CLIENT_OPTIONS });
}

/** Sends (the first included) of one post before a 429 is given up on and left to the caller's own retry. */
export const RATE_LIMITED_SENDS = 3;
/** A Retry-After longer than this is not waited out in process: the caller retries later instead. */
export const MAX_RATE_LIMIT_WAIT_MS = 30_000;

export interface RateLimitOptions {
  /** Sends in all, the first included (default RATE_LIMITED_SENDS). */
  sends?: number;
  /** Longest Retry-After waited out here (default MAX_RATE_LIMIT_WAIT_MS). */
  maxWaitMs?: number;
  /** Stops a wait at once: the last 429 is then rethrown (nothing was posted). */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to note that nothing is being posted meanwhile. */
  beforeWait?(waitMs: number, sent: number): Promise<void> | void;
}

/**
 * `send`, tried again after Slack's Retry-After when, and only when, Slack refused it for rate limits (so it
 * certainly did not post), at most `sends` times in all and only for a Retry-After of at most `maxWaitMs`. Any
 * other failure, and a 429 past those bounds, is rethrown for the caller to judge (see `certainlyNotSent`).
 */
export async function sendThroughRateLimits<T>(send: () => Promise<T>, opts: RateLimitOptions = {}): Promise<T> {
  const sends = opts.sends ?? RATE_LIMITED_SENDS;
  const maxWaitMs = opts.maxWaitMs ?? MAX_RATE_LIMIT_WAIT_MS;
  for (let sent = 1; ; sent++) {
    try {
      return await send();
    } catch (error) {
      const waitMs = retryAfterMs(error);
      if (waitMs === undefined || waitMs > maxWaitMs || sent >= sends || opts.signal?.aborted) throw error;
      await opts.beforeWait?.(waitMs, sent);
      if (!(await sleep(waitMs, opts.signal))) throw error;
    }
  }
}

/** Wait `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
