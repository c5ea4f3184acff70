import type { users } from '../db/schema/index.js';
import { InFlight } from '../lib/in-flight.js';

/**
 * What the process remembers about users.info lookups, apart from the users table. Its own file so that deps.ts
 * can name it without a cycle (user-directory.ts takes Deps).
 */
export type SlackUser = typeof users.$inferSelect;

/** How long a `user_not_found` is remembered: nobody is asked about an unknown user again for 5 minutes. */
export const USER_NOT_FOUND_TTL_MS = 5 * 60 * 1000;
/**
 * How long another failure (an error answer, a timeout, a network error) is remembered: short, since Slack may be
 * back in seconds, but long enough that a burst of commands from that person makes one call, not one each.
 */
export const USER_LOOKUP_FAILURE_TTL_MS = 30 * 1000;
/** At most this many remembered misses; past it, expired ones go, then the oldest. Bounds memory, not correctness. */
export const MAX_REMEMBERED_MISSES = 10_000;

type Miss = { until: number; reason: 'not_found' | 'failed' };

/**
 * The process's users.info lookups, one per app (no module-level state): a lookup already under way for a person
 * is shared by everyone asking meanwhile, and a miss or a failure is remembered for a short time, per workspace and
 * user, so a burst of commands from someone Slack cannot tell us about costs one users.info call, not one each.
 * Answers that succeed live in the users table (USER_CACHE_TTL_MS), shared by every replica.
 */
export class UserDirectory {
  private readonly pending = new InFlight<SlackUser>();
  private readonly misses = new Map<string, Miss>();

  /** The lookup for `key` under way, or `start()` as the one everyone shares until it settles. */
  shared(key: string, start: () => Promise<SlackUser>): Promise<SlackUser> {
    return this.pending.run(key, start);
  }

  /** Whether a miss for `key` is still remembered at `now`. */
  recentMiss(key: string, now: number): Miss | undefined {
    const miss = this.misses.get(key);
    if (!miss) return undefined;
    if (now < miss.until) return miss;
    this.misses.delete(key);
    return undefined;
  }

  rememberMiss(key: string, reason: Miss['reason'], now: number): void {
    this.misses.delete(key);
    this.misses.set(key, { reason, until: now + (reason === 'not_found' ? USER_NOT_FOUND_TTL_MS : USER_LOOKUP_FAILURE_TTL_MS) });
    if (this.misses.size <= MAX_REMEMBERED_MISSES) return;
    for (const [k, m] of this.misses) if (m.until <= now) this.misses.delete(k);
    // Still full: forget the oldest (a Map iterates in insertion order).
    for (const k of this.misses.keys()) {
      if (this.misses.size <= MAX_REMEMBERED_MISSES) break;
      this.misses.delete(k);
    }
  }

  forgetMiss(key: string): void {
    this.misses.delete(key);
  }
}
