/**
 * The signatures of the Slack requests this process accepted in the last five minutes, so the same signed request
 * sent again (a replay: captured and re-sent within Slack's signature window, which Bolt accepts) is refused.
 *
 * Per process: each replica remembers what it saw, so a replay sent to another replica gets through this check
 * (slash commands are idempotent by trigger_id, and view submissions by view id, in the database). Memory-bounded:
 * at most `maxEntries` hashed signatures, each kept until its request's timestamp leaves the window; when full, the
 * oldest is forgotten first. Cheap per request: one SHA-256 of the signature and a Map lookup, and expired entries
 * are evicted from the front as new ones arrive.
 */
import { createHash } from 'node:crypto';

/** Slack's signature window: a request signed longer ago than this is stale (Bolt refuses it). */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;
/** ~170 requests a second for five minutes, more than one process serves; a few MB at most. */
export const DEFAULT_MAX_SIGNATURES = 50_000;

export class ReplayGuard {
  /** Hashed signature -> when it leaves the window (ms). Insertion order is arrival order. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = DEFAULT_MAX_SIGNATURES) {}

  /**
   * True the first time a signature is offered while its request is in the window, false for a replay.
   * `timestampSeconds` is the request's X-Slack-Request-Timestamp; `nowMs` the current time.
   */
  firstUse(signature: string, timestampSeconds: number, nowMs: number): boolean {
    this.evictExpired(nowMs);
    const key = createHash('sha256').update(signature).digest('base64');
    const until = this.seen.get(key);
    if (until !== undefined && until > nowMs) return false;
    this.seen.delete(key);
    while (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, (timestampSeconds + SIGNATURE_WINDOW_SECONDS) * 1000);
    return true;
  }

  /** How many signatures are remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** Forget the expired signatures at the front (the oldest arrivals); one expiring later stops the sweep. */
  private evictExpired(nowMs: number): void {
    for (const [key, until] of this.seen) {
      if (until > nowMs) return;
      this.seen.delete(key);
    }
  }
}
