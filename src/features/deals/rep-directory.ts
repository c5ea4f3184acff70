/**
 * Which Slack user a rep is (users.lookupByEmail / users.info), cached per app, and the bounded wait for
 * Slack's answer that the deal webhook turns into a 503.
 */
import type { SlackClients } from '../../slack/clients.js';
import type { Clock } from '../../lib/clock.js';
import { platformCode } from '../../slack/web-api-errors.js';

export const REP_CACHE_HIT_TTL_MS = 60 * 60 * 1000;
/** A "no such user" answer is kept for less time: the person may be invited to Slack any minute. */
export const REP_CACHE_MISS_TTL_MS = 5 * 60 * 1000;
const REP_CACHE_MAX_ENTRIES = 10_000;

/** Who a rep is: their user id, null when Slack has no such user, or why they cannot be credited (a bot, deactivated). */
export interface RepLookup {
  userId: string | null;
  refused?: 'a bot' | 'deactivated';
}

type CacheEntry = { answer: RepLookup; expiresAt: number } | { pending: Promise<RepLookup> };

/** A users.* answer's user as a lookup: bots and deactivated people are refused (a deal is credited to a person). */
function lookupOf(user: { id?: string; is_bot?: boolean; deleted?: boolean } | undefined): RepLookup {
  if (!user?.id) return { userId: null };
  if (user.is_bot) return { userId: user.id, refused: 'a bot' };
  if (user.deleted) return { userId: user.id, refused: 'deactivated' };
  return { userId: user.id };
}

/**
 * Which Slack user a rep is: an email resolved with users.lookupByEmail, or a user id checked with users.info.
 * Answers (found or not) are cached with a TTL, concurrent lookups of one key share a call, and failures
 * other than "not found" are not cached (they throw). One instance per app, created by the deals feature.
 */
export class SlackRepDirectory {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(
    private readonly clients: Pick<SlackClients, 'reading'>,
    private readonly clock: Clock,
    private readonly ttl = { hitMs: REP_CACHE_HIT_TTL_MS, missMs: REP_CACHE_MISS_TTL_MS },
  ) {}

  /** The user for an email in the workspace (userId null when no Slack user has it). */
  userIdForEmail(teamId: string, email: string): Promise<RepLookup> {
    return this.cached(`email:${teamId}:${email.toLowerCase()}`, async () => {
      try {
        return lookupOf((await (await this.clients.reading(teamId)).users.lookupByEmail({ email })).user);
      } catch (error) {
        if (platformCode(error) === 'users_not_found') return { userId: null };
        throw error;
      }
    });
  }

  /** The user with that id (userId null when Slack does not know it). */
  checkUserId(teamId: string, userId: string): Promise<RepLookup> {
    return this.cached(`id:${teamId}:${userId}`, async () => {
      try {
        return lookupOf((await (await this.clients.reading(teamId)).users.info({ user: userId })).user);
      } catch (error) {
        if (platformCode(error) === 'user_not_found') return { userId: null };
        throw error;
      }
    });
  }

  private async cached(key: string, load: () => Promise<RepLookup>): Promise<RepLookup> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && 'pending' in entry) return entry.pending;
    if (entry && entry.expiresAt > now) return entry.answer;
    const pending = load();
    this.entries.set(key, { pending });
    try {
      const answer = await pending;
      if (this.entries.size > REP_CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { answer, expiresAt: this.clock.now().getTime() + (answer.userId && !answer.refused ? this.ttl.hitMs : this.ttl.missMs) });
      return answer;
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
