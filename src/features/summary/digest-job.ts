/**
 * DM digests: each person's own numbers, by DM, at 16:00 on Friday (weekly, this week so far) or at 08:00
 * every day (daily, covering yesterday), in the person's OWN Slack time zone, exactly once per person and slot
 * across replicas and restarts (the same claim table and rules as scheduled leaderboards, see job.ts there).
 *
 * Recipients, on every tick, all workspaces:
 * - people with an explicit 'weekly' or 'daily' row in digest_subscriptions;
 * - when the workspace's digest_default is 'weekly': every person Sales Pulse knows in that workspace (a row in
 *   `users`: anyone who used the bot or was looked up) who is not a bot, not deactivated and has no row of their
 *   own ('off' is an opt-out). "Everyone" means the people Sales Pulse knows: it does not page users.list.
 *
 * For each recipient:
 * 1. The latest slot at `now` in their zone (users.time_zone, else the workspace default), DST-safe (the slot
 *    logic of scheduled leaderboards). Only the latest slot counts: after a long outage older ones are superseded.
 * 2. Not due when the slot is at or before the moment they subscribed (their row's updated_at; for the workspace
 *    default, when the workspace settings last changed, or when Sales Pulse first saw the person): a new
 *    subscriber gets their first digest at the next slot, not an immediate catch-up for a past one.
 * 3. Older than the grace window (24 h) and never run: recorded once as `skipped` and logged.
 * 4. The person is refreshed through users.info (a short cache age): deactivated people and bots are recorded
 *    `skipped` with the reason. If their time zone changed, the next tick works with the new one.
 * 5. Claim `digest:<team>:<user>:<cadence>:<slot ISO>`; build the stats for the slot's period; DM them; complete
 *    the run with the message ts.
 *
 * Failures (as for leaderboards):
 * - Before anything was posted (building the stats, opening the DM): the claim is given back for a later tick
 *   (1, then 5 minutes), at most MAX_ATTEMPTS times, then failed. Nothing can be duplicated there.
 * - Errors meaning no DM can ever reach the person (user_not_found, user_disabled, account_inactive,
 *   cannot_dm_bot, missing_scope, token problems…): failed at once and logged; nobody else to tell.
 * - While posting: a 429 or an unreachable Slack (certainly not posted) gives the claim back for a minute on;
 *   5xx, resets and timeouts fail the run (Slack may have posted: a missed digest beats a double).
 *
 * Pacing: conversations.open is Tier 3 (about 50 a minute per workspace). Each process starts at most
 * `maxPerTick` digests (default 40) per tick, oldest slots first; the rest are due at the next tick, a minute
 * later, still within the grace window. So one process sends at most ~40 a minute (2,400 an hour) without
 * sleeping inside a tick (which would hold up the scheduled leaderboards of the same tick). Several replicas
 * may together exceed the Tier 3 rate for a moment: the Web API client then waits Retry-After, and a 429 it
 * gives up on gives the claim back (above), so a digest is delayed, never dropped or doubled, by rate limits.
 */
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { digestSubscriptions, users, workspaces } from '../../db/schema/index.js';
import type { Db } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { lastCompletePeriod, parsePeriod, type PeriodSettings } from '../../periods/parse-period.js';
import { claimRun, completeRunPersistently, failRun, findRuns, isClaimable, keepClaimAlive, releaseRun, skipRun, type RunRow } from '../../scheduler/runs.js';
import type { RunOutcome, ScheduledJob } from '../../scheduler/scheduler.js';
import { getSlackUser } from '../../slack/user-directory.js';
import { certainlyNotSent, describeFailure, platformCode } from '../../slack/web-api-errors.js';
import { latestSlot, nextSlot, type ScheduleTiming } from '../leaderboard/schedule.js';
import type { BoardPeriod } from '../leaderboard/types.js';
import { loadTargetProgress } from '../targets/progress.js';
import { personalStatsMessage, type TargetProgressLine } from './stats.blocks.js';
import { loadPersonalStats } from './stats.js';

export const DIGEST_JOB = 'digest';
export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** Digests one process starts per tick (see Pacing above). */
export const DEFAULT_MAX_PER_TICK = 40;
/** Claims of one run before a failure before posting becomes final. */
export const MAX_ATTEMPTS = 3;
/** How fresh the person's profile must be before their digest (deactivation, time zone). */
export const RECIPIENT_MAX_AGE_MS = 15 * 60 * 1000;
const RETRY_DELAYS_MS = [60_000, 5 * 60_000];
const NOT_SENT_RETRY_MS = 60_000;
/** Slackbot is not a bot by users.info, but gets no digest. */
const SLACKBOT = 'USLACKBOT';

export type DigestKind = 'weekly' | 'daily';

/** Slack errors meaning no DM can ever reach the person: the run fails at once (no retries, no one to tell). */
const UNDELIVERABLE = new Set([
  'user_not_found',
  'user_not_visible',
  'user_disabled',
  'account_inactive',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'missing_scope',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'team_not_found',
  'no_permission',
  'not_allowed_token_type',
  'ekm_access_denied',
]);

// ---------------------------------------------------------------------------------------------
// When digests are due (pure)

/**
 * `name` when it is an IANA zone this runtime knows, as given (Slack's name, e.g. Asia/Kolkata, which ICU's
 * canonical form would turn into Asia/Calcutta in what people read); else undefined.
 */
export function knownTimeZone(name: string | null | undefined): string | undefined {
  if (!name || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** The digest's local timing: Friday 16:00 (weekly) or every day at 08:00 (daily), in `timeZone`. */
export function digestTiming(cadence: DigestKind, timeZone: string): ScheduleTiming {
  return cadence === 'weekly' ? { cadence: 'weekly', weekday: 5, timeOfDay: '16:00', timeZone } : { cadence: 'daily', weekday: 0, timeOfDay: '08:00', timeZone };
}

/** The most recent digest slot at or before `now`, in the person's zone. */
export function latestDigestSlot(cadence: DigestKind, timeZone: string, now: Date): Date {
  return latestSlot(digestTiming(cadence, timeZone), now);
}

/** The first digest slot strictly after `now`, in the person's zone. */
export function nextDigestSlot(cadence: DigestKind, timeZone: string, now: Date): Date {
  return nextSlot(digestTiming(cadence, timeZone), now);
}

/** "Fridays at 16:00" / "every day at 08:00". */
export function describeDigestWhen(cadence: DigestKind): string {
  return cadence === 'weekly' ? 'Fridays at 16:00' : 'every day at 08:00';
}

export function digestRunKey(teamId: string, userId: string, cadence: DigestKind, slot: Date): string {
  return `${DIGEST_JOB}:${teamId}:${userId}:${cadence}:${slot.toISOString()}`;
}

/** What a digest at `slot` covers: weekly, this week so far (Monday to the Friday slot); daily, yesterday. */
export function digestPeriod(cadence: DigestKind, slot: Date, settings: PeriodSettings): BoardPeriod {
  if (cadence === 'daily') return lastCompletePeriod('daily', slot, settings);
  const parsed = parsePeriod('this week', slot, settings);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.period;
}

export function digestFooter(cadence: DigestKind): string {
  return `${cadence === 'weekly' ? 'Weekly' : 'Daily'} digest · \`/my-stats unsubscribe\` to stop`;
}

// ---------------------------------------------------------------------------------------------
// Who gets one

export interface DigestRecipient {
  teamId: string;
  userId: string;
  cadence: DigestKind;
  /** Valid IANA zone: the person's, else the workspace default, else UTC. */
  timeZone: string;
  /** No digest for a slot at or before this instant (subscribed, or the default turned on, or first seen). */
  since: Date | null;
  /** True for an explicit subscription, false for the workspace default. */
  explicit: boolean;
  weekStartsOn: number;
  fiscalYearStartMonth: number;
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Every recipient in every workspace: two queries (explicit subscriptions; the workspace default). */
export async function loadDigestRecipients(db: Db): Promise<DigestRecipient[]> {
  const settings = {
    defaultTimeZone: workspaces.defaultTimeZone,
    weekStartsOn: workspaces.weekStartsOn,
    fiscalYearStartMonth: workspaces.fiscalYearStartMonth,
  };
  const [explicitRows, defaultRows] = await Promise.all([
    db
      .select({
        teamId: digestSubscriptions.teamId,
        userId: digestSubscriptions.userId,
        cadence: digestSubscriptions.cadence,
        subscribedAt: digestSubscriptions.updatedAt,
        timeZone: users.timeZone,
        ...settings,
      })
      .from(digestSubscriptions)
      .innerJoin(workspaces, eq(workspaces.teamId, digestSubscriptions.teamId))
      .leftJoin(users, and(eq(users.teamId, digestSubscriptions.teamId), eq(users.userId, digestSubscriptions.userId)))
      .where(inArray(digestSubscriptions.cadence, ['weekly', 'daily'])),
    db
      .select({
        teamId: users.teamId,
        userId: users.userId,
        timeZone: users.timeZone,
        joinedAt: users.joinedAt,
        defaultSince: workspaces.updatedAt,
        ...settings,
      })
      .from(users)
      .innerJoin(workspaces, and(eq(workspaces.teamId, users.teamId), eq(workspaces.digestDefault, 'weekly')))
      .leftJoin(digestSubscriptions, and(eq(digestSubscriptions.teamId, users.teamId), eq(digestSubscriptions.userId, users.userId)))
      .where(and(isNull(digestSubscriptions.userId), eq(users.deleted, false), eq(users.isBot, false), ne(users.userId, SLACKBOT))),
  ]);
  const zone = (own: string | null, fallback: string) => knownTimeZone(own) ?? knownTimeZone(fallback) ?? 'UTC';
  return [
    ...explicitRows.map((r) => ({
      teamId: r.teamId,
      userId: r.userId,
      cadence: r.cadence as DigestKind,
      timeZone: zone(r.timeZone, r.defaultTimeZone),
      since: r.subscribedAt,
      explicit: true,
      weekStartsOn: r.weekStartsOn,
      fiscalYearStartMonth: r.fiscalYearStartMonth,
    })),
    ...defaultRows.map((r) => ({
      teamId: r.teamId,
      userId: r.userId,
      cadence: 'weekly' as const,
      timeZone: zone(r.timeZone, r.defaultTimeZone),
      since: laterOf(r.defaultSince, r.joinedAt),
      explicit: false,
      weekStartsOn: r.weekStartsOn,
      fiscalYearStartMonth: r.fiscalYearStartMonth,
    })),
  ];
}

/** findRuns in chunks, so a big workspace does not make one huge IN list. */
async function findRunsChunked(db: Db, runKeys: string[]): Promise<Map<string, RunRow>> {
  const found = new Map<string, RunRow>();
  for (let i = 0; i < runKeys.length; i += 500) {
    for (const [key, row] of await findRuns(db, runKeys.slice(i, i + 500))) found.set(key, row);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The job

export interface DigestJobOptions {
  /** The Web API client for a workspace. */
  clientFor: (teamId: string) => webApi.WebClient;
  /** Recorded as claimed_by. */
  claimedBy: string;
  graceMs?: number;
  leaseMs?: number;
  maxPerTick?: number;
}

interface DueDigest {
  recipient: DigestRecipient;
  slot: Date;
  runKey: string;
}


export function createDigestJob(options: DigestJobOptions): ScheduledJob {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxPerTick = options.maxPerTick ?? DEFAULT_MAX_PER_TICK;

  /** Claimed: build, DM, record. Returns what came of it. */
  async function deliver(deps: Deps, client: webApi.WebClient, due: DueDigest, attempt: number): Promise<RunOutcome> {
    const { recipient: r, slot, runKey } = due;
    const log = deps.logger.child({ job: DIGEST_JOB, runKey, teamId: r.teamId, userId: r.userId });
    const base = { job: DIGEST_JOB, runKey, teamId: r.teamId, slotAt: slot };
    const who = `<@${r.userId}> (${r.teamId}, ${r.cadence})`;

    /** Nothing was posted: give the claim back for a later tick, or give up after MAX_ATTEMPTS. */
    const notPosted = async (error: unknown, retryInMs?: number): Promise<RunOutcome> => {
      const reason = describeFailure(error);
      const now = deps.clock.now();
      const code = platformCode(error);
      if (code && UNDELIVERABLE.has(code)) {
        log.warn({ code }, 'digest cannot be delivered to this person; not retried');
        await failRun(deps.db, runKey, { error: reason, now }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
        return { ...base, status: 'failed', detail: `${who}: ${reason}`, error: reason };
      }
      if (retryInMs !== undefined || attempt < MAX_ATTEMPTS) {
        const retryAt = new Date(now.getTime() + (retryInMs ?? RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)]!));
        log.warn({ err: error, attempt, retryAt }, 'digest not sent; a later tick tries again');
        await releaseRun(deps.db, runKey, { error: `attempt ${attempt}: ${reason}`, retryAt }).catch((e: unknown) => log.error({ err: e }, 'could not release the run'));
        return { ...base, status: 'retry', detail: `${who}: ${reason}; retrying after ${retryAt.toISOString()}`, error: reason };
      }
      log.error({ err: error, attempt }, 'digest not sent; giving up on this slot');
      await failRun(deps.db, runKey, { error: reason, now }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
      return { ...base, status: 'failed', detail: `${who}: ${reason}`, error: reason };
    };

    // 1. The message. Nothing is sent yet.
    let message;
    try {
      const settings: PeriodSettings = {
        timeZone: r.timeZone,
        weekStartsOn: r.weekStartsOn as PeriodSettings['weekStartsOn'],
        fiscalYearStartMonth: r.fiscalYearStartMonth,
      };
      const period = digestPeriod(r.cadence, slot, settings);
      const stats = await loadPersonalStats(deps, client, { teamId: r.teamId, userId: r.userId, period });
      // Target pace is about the running target period: shown when the digest's period is still running at the slot.
      const running = slot.getTime() >= period.current.start.getTime() && slot.getTime() < period.current.end.getTime();
      let progress: ReadonlyArray<TargetProgressLine> = [];
      if (running) {
        try {
          progress = await loadTargetProgress(deps, { teamId: r.teamId, userId: r.userId, now: slot, timeZone: r.timeZone });
        } catch (error) {
          log.warn({ err: error }, 'could not load target progress for the digest; sending it without');
        }
      }
      const summary = personalStatsMessage(stats, progress, { footer: digestFooter(r.cadence) });
      message = { ...summary, text: `Your ${r.cadence} Sales Pulse digest. ${summary.text}` };
    } catch (error) {
      return notPosted(error);
    }

    // 2. The DM conversation. A failure here posted nothing either.
    let channel: string;
    try {
      const opened = await client.conversations.open({ users: r.userId });
      if (!opened.channel?.id) throw new Error('conversations.open returned no channel');
      channel = opened.channel.id;
    } catch (error) {
      return notPosted(error, certainlyNotSent(error) ? NOT_SENT_RETRY_MS : undefined);
    }

    // 3. The post: from here a failure is final unless Slack certainly did not post.
    let ts: string;
    try {
      const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
      ts = posted.ts ?? '';
    } catch (error) {
      const code = platformCode(error);
      if (certainlyNotSent(error) || (code && UNDELIVERABLE.has(code))) return notPosted(error, NOT_SENT_RETRY_MS);
      const reason = describeFailure(error);
      log.error({ err: error, reason }, 'digest could not be posted; this slot is not retried');
      await failRun(deps.db, runKey, { error: reason, now: deps.clock.now() }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
      return { ...base, status: 'failed', detail: `${who}: ${reason}`, error: reason };
    }

    // 4. Record it, retried hard: a run left `running` would be sent again once its lease expires.
    const recorded = await completeRunPersistently(deps.db, runKey, { messageTs: ts, clock: deps.clock, withinMs: leaseMs / 2 });
    if (!recorded) log.error({ ts }, 'sent the digest but could not record it; it may be sent again when the claim expires');
    log.info({ ts, slot: slot.toISOString(), cadence: r.cadence }, 'sent the digest');
    return { ...base, status: 'done', detail: `${who}: sent (ts ${ts})`, messageTs: ts };
  }

  /** A due slot past the grace window: recorded once (skipped, or a given-back claim failed). */
  async function tooLate(deps: Deps, due: DueDigest, row: RunRow | undefined, now: Date): Promise<RunOutcome | undefined> {
    const { recipient: r, slot, runKey } = due;
    const wall = deps.clock.now();
    const base = { job: DIGEST_JOB, runKey, teamId: r.teamId, slotAt: slot };
    if (row) {
      const reason = `not sent within the grace window${row.error ? ` (last: ${row.error})` : ''}`;
      if (!(await claimRun(deps.db, { runKey, job: DIGEST_JOB, teamId: r.teamId, slotAt: slot, claimedBy: options.claimedBy, leaseMs, now: wall }))) return undefined;
      await failRun(deps.db, runKey, { error: reason, now: wall });
      deps.logger.warn({ job: DIGEST_JOB, runKey, teamId: r.teamId, userId: r.userId, reason }, 'digest given up');
      return { ...base, status: 'failed', detail: `<@${r.userId}> (${r.teamId}): ${reason}`, error: reason };
    }
    const recorded = await skipRun(deps.db, {
      runKey,
      job: DIGEST_JOB,
      teamId: r.teamId,
      slotAt: slot,
      reason: `missed: slot older than the ${Math.round(graceMs / 3_600_000)} h grace window at ${now.toISOString()}`,
      claimedBy: options.claimedBy,
      now: wall,
    });
    if (!recorded) return undefined;
    deps.logger.warn(
      { job: DIGEST_JOB, runKey, teamId: r.teamId, userId: r.userId, slot: slot.toISOString(), now: now.toISOString(), graceMs },
      'digest missed and skipped: its slot is older than the grace window',
    );
    return { ...base, status: 'skipped', detail: `<@${r.userId}> (${r.teamId}): slot ${slot.toISOString()} is older than the grace window` };
  }

  /** Refresh the person, then claim and deliver; skipped (recorded) for deactivated people and bots. */
  async function runOne(deps: Deps, due: DueDigest, row: RunRow | undefined, now: Date): Promise<RunOutcome | undefined> {
    const { recipient: r, slot, runKey } = due;
    const client = options.clientFor(r.teamId);
    const base = { job: DIGEST_JOB, runKey, teamId: r.teamId, slotAt: slot };

    const person = await getSlackUser(deps, client, r.teamId, r.userId, { maxAgeMs: RECIPIENT_MAX_AGE_MS });
    if (person.deleted || person.isBot || r.userId === SLACKBOT) {
      const reason = person.deleted ? 'skipped: the person is deactivated' : 'skipped: a bot gets no digest';
      const recorded = await skipRun(deps.db, { runKey, job: DIGEST_JOB, teamId: r.teamId, slotAt: slot, reason, claimedBy: options.claimedBy, now: deps.clock.now() });
      if (!recorded) return undefined;
      deps.logger.info({ job: DIGEST_JOB, runKey, teamId: r.teamId, userId: r.userId, reason }, 'digest skipped');
      return { ...base, status: 'skipped', detail: `<@${r.userId}> (${r.teamId}): ${reason}` };
    }
    const zone = knownTimeZone(person.timeZone);
    if (zone && zone !== r.timeZone && latestDigestSlot(r.cadence, zone, now).getTime() !== slot.getTime()) {
      // They moved time zones: the next tick computes their slot in the new zone (now cached).
      deps.logger.info({ job: DIGEST_JOB, teamId: r.teamId, userId: r.userId, from: r.timeZone, to: zone }, 'recipient changed time zone; rescheduling their digest');
      return undefined;
    }

    const wall = deps.clock.now();
    const claimed = await claimRun(deps.db, { runKey, job: DIGEST_JOB, teamId: r.teamId, slotAt: slot, claimedBy: options.claimedBy, leaseMs, now: wall });
    if (!claimed) return undefined;
    if (row) deps.logger.warn({ job: DIGEST_JOB, runKey, attempts: row.attempts + 1, lastError: row.error }, 'took over a digest run whose claim had expired');
    const stopRenewing = keepClaimAlive(deps.db, runKey, {
      claimedBy: options.claimedBy,
      leaseMs,
      now: () => deps.clock.now(),
      onLost: () => deps.logger.error({ job: DIGEST_JOB, runKey }, 'lost the claim of a digest still in progress (this process stalled past its lease)'),
      onError: (error) => deps.logger.warn({ err: error, job: DIGEST_JOB, runKey }, 'could not renew the claim of a digest in progress'),
    });
    try {
      return await deliver(deps, client, due, (row?.attempts ?? 0) + 1);
    } finally {
      stopRenewing();
    }
  }

  return {
    name: DIGEST_JOB,
    async runDue(deps: Deps, now: Date, signal?: AbortSignal): Promise<RunOutcome[]> {
      const recipients = await loadDigestRecipients(deps.db);
      const due: DueDigest[] = [];
      for (const recipient of recipients) {
        let slot: Date;
        try {
          slot = latestDigestSlot(recipient.cadence, recipient.timeZone, now);
        } catch (error) {
          deps.logger.error({ err: error, teamId: recipient.teamId, userId: recipient.userId, timeZone: recipient.timeZone }, 'cannot compute a digest slot; ignoring this recipient');
          continue;
        }
        // Subscribed (or first seen, or the default turned on) at or after this slot: the first digest is a later one.
        if (recipient.since && slot.getTime() <= recipient.since.getTime()) continue;
        due.push({ recipient, slot, runKey: digestRunKey(recipient.teamId, recipient.userId, recipient.cadence, slot) });
      }
      const existing = await findRunsChunked(deps.db, due.map((d) => d.runKey));
      const wall = deps.clock.now();
      const open = due.filter((d) => isClaimable(existing.get(d.runKey), wall)).sort((a, b) => a.slot.getTime() - b.slot.getTime());

      const outcomes: RunOutcome[] = [];
      let started = 0;
      let deferred = 0;
      for (const item of open) {
        if (signal?.aborted) break;
        const row = existing.get(item.runKey);
        try {
          let outcome: RunOutcome | undefined;
          if (now.getTime() - item.slot.getTime() > graceMs) {
            outcome = await tooLate(deps, item, row, now);
          } else if (started >= maxPerTick) {
            deferred++;
          } else {
            started++;
            outcome = await runOne(deps, item, row, now);
          }
          if (outcome) outcomes.push(outcome);
        } catch (error) {
          // A database error around the claim: nothing was sent; the next tick looks again.
          deps.logger.error({ err: error, job: DIGEST_JOB, runKey: item.runKey }, 'digest run failed before sending');
        }
      }
      if (deferred > 0) deps.logger.info({ job: DIGEST_JOB, deferred, maxPerTick }, 'more digests due than this tick sends; the next tick sends the rest');
      return outcomes;
    },
  };
}
