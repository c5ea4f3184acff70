/**
 * Slack's rate limits, for the sandbox's Web API (opt-in: off unless the fake is given `rateLimits`).
 *
 * Slack counts per workspace (the team of the token) and per method, in tiers of calls per minute that allow short
 * bursts; chat.postMessage also allows about one message per second per channel, short bursts allowed. Past a limit
 * it answers HTTP 429 with `Retry-After` (seconds) and `{ok: false, error: 'ratelimited'}`, and nothing happens.
 * Each limit here is a token bucket: `limit` calls at once, refilled at the limit's pace.
 *
 * Source of the numbers: Slack's method reference (each ./slack-methods/<method>.json's `rate_limit.label`,
 * e.g. "Tier 3: 50+ per minute", from https://docs.slack.dev/apis/web-api/rate-limits), and for chat.postMessage
 * ("Special rate limits apply") the same page: about 1 message per second per channel, bursts allowed.
 */
import { methodSpecs } from './method-reference.js';

export interface RateLimitOptions {
  /** Calls per minute per workspace for each method named; methods not named are not limited. */
  perMethodPerMinute?: Record<string, number>;
  /** chat.postMessage per workspace and conversation, per second. */
  postsPerChannelPerSecond?: number;
  /** Posts a conversation takes at once before the per-second pace applies. Default 3. */
  postBurst?: number;
  /** The Retry-After answered; default the seconds until the limit lets a call through again (at least 1). */
  retryAfterSeconds?: number | (() => number);
  /**
   * Milliseconds "now" for the limits. Default real time (Date.now), whatever the fake's clock says: a test clock
   * stopped at Monday 09:00 would otherwise never let a limited caller through again.
   */
  now?: () => number;
}

/**
 * Slack's published limits for every method in ./slack-methods/ that has a tier (Tier 2 20/min, Tier 3 50/min,
 * Tier 4 100/min: the "+" in "50+ per minute" is Slack's headroom, the number is what it promises), and
 * chat.postMessage's one per second per channel.
 */
export function slackRateLimits(): RateLimitOptions {
  const perMethodPerMinute: Record<string, number> = {};
  for (const [method, spec] of methodSpecs()) {
    const match = /^Tier \d+: (\d+)\+? per minute/i.exec(spec.rateLimit ?? '');
    if (match) perMethodPerMinute[method] = Number(match[1]);
  }
  return { perMethodPerMinute, postsPerChannelPerSecond: 1, postBurst: 3 };
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateDecision {
  /** Seconds for the Retry-After header. */
  retryAfter: number;
}

/** The buckets of one fake: one per workspace and method, and one per workspace and conversation for posts. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Count a call, or refuse it (undefined: it may go ahead). `channel` is the conversation a chat.postMessage
   * posts in. A refused call takes nothing from any bucket.
   */
  check(teamId: string, method: string, channel?: string): RateDecision | undefined {
    const now = this.now();
    const perMinute = this.opts.perMethodPerMinute?.[method];
    const methodBucket = perMinute !== undefined ? this.refill(`m\u0001${teamId}\u0001${method}`, perMinute, perMinute / 60_000, now) : undefined;
    const perSecond = this.opts.postsPerChannelPerSecond;
    const channelBucket =
      perSecond !== undefined && channel !== undefined && method === 'chat.postMessage'
        ? this.refill(`c\u0001${teamId}\u0001${channel}`, this.opts.postBurst ?? 3, perSecond / 1000, now)
        : undefined;
    let waitMs = 0;
    if (methodBucket && methodBucket.tokens < 1) waitMs = Math.max(waitMs, ((1 - methodBucket.tokens) * 60_000) / perMinute!);
    if (channelBucket && channelBucket.tokens < 1) waitMs = Math.max(waitMs, ((1 - channelBucket.tokens) * 1000) / perSecond!);
    if (waitMs > 0) return { retryAfter: this.retryAfter(waitMs) };
    if (methodBucket) methodBucket.tokens -= 1;
    if (channelBucket) channelBucket.tokens -= 1;
    return undefined;
  }

  /** Forget every count (a test starting afresh). */
  reset(): void {
    this.buckets.clear();
  }

  private refill(key: string, capacity: number, perMs: number, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, at: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
    }
    return bucket;
  }

  private retryAfter(waitMs: number): number {
    const configured = this.opts.retryAfterSeconds;
    if (typeof configured === 'function') return configured();
    if (typeof configured === 'number') return configured;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }
}
