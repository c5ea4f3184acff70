import { and, eq } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { users } from '../db/schema/index.js';
import type { Deps } from '../deps.js';
import type { SlackUser } from './user-lookups.js';
import { ensureWorkspace } from './workspace.js';

export { MAX_REMEMBERED_MISSES, USER_LOOKUP_FAILURE_TTL_MS, USER_NOT_FOUND_TTL_MS, UserDirectory, type SlackUser } from './user-lookups.js';

/** How long a users.info answer is trusted. Time zones and admin flags change rarely. */
export const USER_CACHE_TTL_MS = 6 * 60 * 60 * 1000;
/** Permission checks look fresher: a demoted admin loses admin commands within minutes. */
export const ADMIN_CHECK_MAX_AGE_MS = 5 * 60 * 1000;

/** A stored profile young enough to use without asking Slack again (`maxAgeMs`: USER_CACHE_TTL_MS by default). */
export function isFreshProfile(profile: Pick<SlackUser, 'fetchedAt'>, now: Date, maxAgeMs = USER_CACHE_TTL_MS): boolean {
  return now.getTime() - profile.fetchedAt.getTime() < maxAgeMs;
}

export function isWorkspaceAdmin(user: SlackUser): boolean {
  return user.isAdmin || user.isOwner;
}

function isUserNotFound(error: unknown): boolean {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return data?.error === 'user_not_found';
}

/**
 * The user's profile (time zone, admin flags) from the cache table, refreshed through users.info
 * when missing or stale. When Slack cannot be asked, a stale row is better than nothing; with no row
 * at all the workspace's default time zone stands in, so a command still works. Slack is not asked
 * again about someone it just could not answer for (see UserDirectory), and concurrent lookups of one
 * person make one call. Not for permission checks: see getProfileForPermission.
 */
export async function getSlackUser(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'users'>,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
  opts: { maxAgeMs?: number } = {},
): Promise<SlackUser> {
  const { fresh, stored } = await lookUp(deps, client, teamId, userId, opts.maxAgeMs ?? USER_CACHE_TTL_MS);
  return fresh ?? stored ?? (await defaultProfile(deps, teamId, userId));
}

/** The answer when a permission could not be checked: nothing was done. */
export const PERMISSION_CHECK_UNAVAILABLE_TEXT =
  ':hourglass_flowing_sand: I couldn’t check your permissions with Slack just now, so nothing was done. Please try again in a minute.';

/**
 * Who someone is, for a permission check (admin commands, someone else's numbers, Post to channel): a stored
 * profile only while it is fresh (ADMIN_CHECK_MAX_AGE_MS), else Slack's answer now. Undefined when Slack cannot
 * answer: the check fails closed, never on an old profile (a demoted admin must not keep their rights while
 * users.info is down); the caller refuses with PERMISSION_CHECK_UNAVAILABLE_TEXT.
 */
export async function getProfileForPermission(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'users'>,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
): Promise<SlackUser | undefined> {
  return (await lookUp(deps, client, teamId, userId, ADMIN_CHECK_MAX_AGE_MS)).fresh;
}

/** A profile no older than `maxAgeMs` (stored, or asked of Slack now) as `fresh`; else the stored one, if any. */
async function lookUp(
  deps: Pick<Deps, 'db' | 'clock' | 'logger' | 'users'>,
  client: webApi.WebClient,
  teamId: string,
  userId: string,
  maxAgeMs: number,
): Promise<{ fresh?: SlackUser; stored?: SlackUser }> {
  const { db, clock, logger, users: directory } = deps;
  const [stored] = await db
    .select()
    .from(users)
    .where(and(eq(users.teamId, teamId), eq(users.userId, userId)));
  const now = clock.now();
  if (stored && isFreshProfile(stored, now, maxAgeMs)) return { fresh: stored };

  const key = `${teamId}:${userId}`;
  if (directory.recentMiss(key, now.getTime())) return { stored };
  try {
    const fresh = await directory.shared(key, () =>
      fetchAndStore(deps, client, teamId, userId).catch((error: unknown) => {
        // Remembered before the shared lookup settles, so nobody starts another call in between.
        const reason = isUserNotFound(error) ? 'not_found' : 'failed';
        directory.rememberMiss(key, reason, clock.now().getTime());
        logger.warn({ err: error, teamId, userId, reason }, 'users.info failed; using cached or default profile');
        throw error;
      }),
    );
    return { fresh };
  } catch {
    return { stored };
  }
}

/** One users.info call, its answer stored in the users table. */
async function fetchAndStore(deps: Pick<Deps, 'db' | 'clock' | 'users'>, client: webApi.WebClient, teamId: string, userId: string): Promise<SlackUser> {
  const { db } = deps;
  const res = await client.users.info({ user: userId });
  const u = res.user;
  if (!u) throw new Error('users.info returned no user');
  deps.users.forgetMiss(`${teamId}:${userId}`);
  const now = deps.clock.now();
  await ensureWorkspace(db, teamId);
  const row = {
    teamId,
    userId,
    displayName: u.profile?.display_name || u.real_name || u.name || userId,
    realName: u.real_name ?? u.profile?.real_name ?? null,
    timeZone: u.tz || 'UTC',
    isAdmin: Boolean(u.is_admin),
    isOwner: Boolean(u.is_owner),
    isBot: Boolean(u.is_bot),
    deleted: Boolean(u.deleted),
    fetchedAt: now,
  };
  const [saved] = await db
    .insert(users)
    // joined_at is set once, when Sales Pulse first sees the person; a refresh leaves it alone.
    .values({ ...row, joinedAt: now })
    .onConflictDoUpdate({ target: [users.teamId, users.userId], set: { ...row, teamId: undefined, userId: undefined } })
    .returning();
  return saved!;
}

/** Who someone is when Slack cannot say and nothing is stored: their id, the workspace's time zone, no rights. */
async function defaultProfile(deps: Pick<Deps, 'db'>, teamId: string, userId: string): Promise<SlackUser> {
  const workspace = await ensureWorkspace(deps.db, teamId);
  return {
    teamId,
    userId,
    displayName: userId,
    realName: null,
    timeZone: workspace.defaultTimeZone,
    isAdmin: false,
    isOwner: false,
    isBot: false,
    deleted: false,
    joinedAt: null,
    fetchedAt: new Date(0),
  };
}
