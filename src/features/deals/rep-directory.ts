/**
 * Which Slack user a rep is (users.lookupByEmail / users.info), cached per app, and the bounded wait for
 * Slack's answer that the deal webhook turns into a 503.
 */
import type { webApi } from '@slack/bolt';
import type { Clock } from '../../lib/clock.js';
import { platformCode } from '../../slack/web-api-errors.js';

export const REP_CACHE_HIT_TTL_MS = 60 * 60 * 1000;
/** A "no such user" answer is kept for less time: the person may be invited to Slack any minute. */
export const REP_CACHE_MISS_TTL_MS = 5 * 60 * 1000;
const REP_CACHE_MAX_ENTRIES = 10_000;

type CacheEntry = { userId: string | null; expiresAt: number } | { pending: Promise<string | null> };

/**
 * Which Slack user a rep is: an email resolved with users.lookupByEmail, or a user id checked with users.info.
 * Answers (found or not) are cached with a TTL, concurrent lookups of one key share a call, and failures
 * other than "not found" are not cached (they throw). One instance per app, created by the deals feature.
 */
export class SlackRepDirectory {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly clock: Clock,
    private readonly ttl = { hitMs: REP_CACHE_HIT_TTL_MS, missMs: REP_CACHE_MISS_TTL_MS },
  ) {}

  /** The user id for an email in the workspace, or null when no Slack user has it. */
  userIdForEmail(teamId: string, email: string): Promise<string | null> {
    return this.cached(`email:${teamId}:${email.toLowerCase()}`, async () => {
      try {
        const res = await this.client.users.lookupByEmail({ email });
        return res.user?.id ?? null;
      } catch (error) {
        if (platformCode(error) === 'users_not_found') return null;
        throw error;
      }
    });
  }

  /** The id itself when Slack knows the user, else null. */
  checkUserId(teamId: string, userId: string): Promise<string | null> {
    return this.cached(`id:${teamId}:${userId}`, async () => {
      try {
        const res = await this.client.users.info({ user: userId });
        return res.user?.id ?? null;
      } catch (error) {
        if (platformCode(error) === 'user_not_found') return null;
        throw error;
      }
    });
  }

  private async cached(key: string, load: () => Promise<string | null>): Promise<string | null> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && 'pending' in entry) return entry.pending;
    if (entry && entry.expiresAt > now) return entry.userId;
    const pending = load();
    this.entries.set(key, { pending });
    try {
      const userId = await pending;
      if (this.entries.size > REP_CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { userId, expiresAt: this.clock.now().getTime() + (userId ? this.ttl.hitMs : this.ttl.missMs) });
      return userId;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
  }
}

/** Slack could not be asked (an error other than "not found", or no answer in time). */
export class SlackUnavailable extends Error {
  constructor(readonly code: string) {
    super(`Slack could not be asked about the rep: ${code}`);
  }
}

/** `work`, or SlackUnavailable after `ms` or when it fails. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SlackUnavailable('timeout')), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    if (error instanceof SlackUnavailable) throw error;
    throw new SlackUnavailable(platformCode(error) ?? (error as { code?: string }).code ?? 'error');
  } finally {
    clearTimeout(timer);
  }
}
